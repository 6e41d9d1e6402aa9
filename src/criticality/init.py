r"""Every weight and bias draw of the book in one place: numpy arrays, seeded.

Each function takes ``seed`` = ``None``, a non-negative integer or a ``numpy.random.Generator`` (a
Generator is advanced, not copied, so successive calls with one Generator give independent draws).
Bad arguments raise ``ValueError`` naming the parameter and its allowed range (``TypeError`` for an
argument of the wrong type, e.g. a float where an integer size is needed), as in the rest of the package.

Shapes follow PyTorch's ``nn.Linear`` convention: a matrix mapping ``fan_in`` inputs to ``fan_out``
outputs has shape ``(fan_out, fan_in)`` and is applied as ``W @ x``.

=====================  ====================================================================================
function               law
=====================  ====================================================================================
:func:`gaussian`       i.i.d. :math:`\mathcal N(0, \mathrm{gain}^2/m)` for an ``n x m`` matrix, the book's
                       coupling :math:`U` (one ``standard_normal`` draw divided by :math:`\sqrt m`)
:func:`glorot_normal`  i.i.d. :math:`\mathcal N(0, 2/(\mathrm{fan_{in}} + \mathrm{fan_{out}}))` (Glorot and Bengio 2010)
:func:`glorot_uniform` i.i.d. :math:`\mathcal U(-a, a)`, :math:`a = \sqrt{6/(\mathrm{fan_{in}} + \mathrm{fan_{out}})}`
:func:`he_normal`      i.i.d. :math:`\mathcal N(0, 2/\mathrm{fan_{in}})` (He et al. 2015)
:func:`orthogonal`     gain times a Haar-distributed orthogonal matrix (Saxe et al. 2014)
:func:`identity`       gain times the identity (IRNN, Le, Jaitly and Hinton 2015)
:func:`ginibre`        real or complex Ginibre matrices at the Glorot scale, optionally stacked
:func:`bias_vector`    i.i.d. :math:`\mathcal N(0, \sigma_b^2)` biases
:func:`eigen`          every eigenvalue of modulus ``radius`` (the eigen initialiser of arXiv:2307.15679)
``rescaled_glorot``    :func:`criticality.glorot.rescaled_glorot` (Bar et al. 2025), re-exported here
:func:`gate_biases`    gate biases i.i.d. :math:`\mathcal N(0, \sigma_b^2)`, or chrono
:func:`chrono_biases`  chrono gate biases (Tallec and Ollivier 2018) in the book's convention
:func:`critical_gain`  the gain :math:`g_c` at which a Gaussian coupling puts a network at the edge of chaos
                       (:func:`criticality.criterion.critical_gain`)
:func:`pytorch_state`  a critically initialised ``torch.nn.GRU``/``LSTM`` state dict (numpy arrays), in
                       PyTorch's layout and gate order; :func:`load_into` copies it into a module
=====================  ====================================================================================

This module is the package's only source of weight draws: :func:`criticality.models.make_network`,
:mod:`criticality.vanilla`, :mod:`criticality.criterion` and :mod:`criticality.spectra` call it. It
depends on nothing else in the package at import time (``critical_gain``, ``rescaled_glorot`` and
``pytorch_state`` import what they need when called).

``rescaled_glorot`` (a Glorot matrix divided by a quantile of its spectral radius, so that the radius
is below 1 with probability ``p``) lives in :mod:`criticality.glorot` and is imported here unchanged.
"""

from __future__ import annotations

import numpy as np

from ._validate import (MAX_DENSE_N, MAX_MATRIX_GAIN, MAX_N, as_count, as_positive_int, as_real_array,
                        as_real_scalar, as_rng, as_scale)

__all__ = ["gaussian", "ginibre", "bias_vector", "glorot_normal", "glorot_uniform", "he_normal", "orthogonal",
           "identity", "eigen", "rescaled_glorot", "gate_biases", "chrono_biases", "chrono_biases_from_tau",
           "critical_gain", "INITIALISERS", "recurrent", "nominal_radius", "pytorch_state", "network_state",
           "load_into", "torch_step", "torch_jacobian_at_zero", "ARCHITECTURES", "BIAS_SCHEMES", "GATES"]

ARCHITECTURES = ("rnn", "gru", "lstm")
BIAS_SCHEMES = ("gaussian", "chrono")
GATES = {"rnn": (), "gru": ("z", "r"), "lstm": ("f", "i", "o")}
MAX_UNITS = 10**7  # longest sampled bias vector (80 MB per gate)
MAX_BIAS_WIDTH = 30.0  # largest sigma_b of the Gaussian gate biases
T_MAX_LIMIT = 1e6  # largest chrono time scale


def __getattr__(name):
    if name == "rescaled_glorot":  # lives with its theory; imported on first use (glorot imports the Lyapunov loop)
        from .glorot import rescaled_glorot

        return rescaled_glorot
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _arch(arch) -> str:
    if not isinstance(arch, str) or arch.lower() not in ARCHITECTURES:
        raise ValueError(f"arch must be one of {ARCHITECTURES}, got {arch!r}")
    return arch.lower()


def _bias_scheme(bias) -> str:
    if not isinstance(bias, str) or bias.lower() not in BIAS_SCHEMES:
        raise ValueError(f"bias must be one of {BIAS_SCHEMES}, got {bias!r}")
    return bias.lower()


def _t_max(t_max) -> float:
    if t_max is None:
        raise ValueError(f"t_max must be given (a number in (2, {T_MAX_LIMIT:g}]) for bias='chrono'")
    return as_real_scalar("t_max (chrono time scales are drawn from U(2, t_max))", t_max, minimum=2.0,
                          strict=True, maximum=T_MAX_LIMIT)


def _units(n) -> int:
    return as_positive_int("n", n, maximum=MAX_UNITS)


def _sigma_b(sigma_b, scalar=True):
    """``sigma_b`` in ``[0, MAX_BIAS_WIDTH]``: a float, or an array if not ``scalar``."""
    return (as_real_scalar if scalar else as_real_array)("sigma_b", sigma_b, maximum=MAX_BIAS_WIDTH)


def _size(name, value, dense=False) -> int:
    """A matrix dimension: at most ``MAX_DENSE_N`` where the matrix is factorised (QR), ``MAX_N`` otherwise."""
    return as_count(name, value, maximum=MAX_DENSE_N if dense else MAX_N)


def _gain(value, name="gain") -> float:
    return as_scale(name, value)


def gaussian(n: int, m: int | None = None, *, gain: float = 1.0, seed=None, dtype=np.float64) -> np.ndarray:
    r"""An ``n x m`` matrix (``m = n`` by default) of i.i.d. :math:`\mathcal N(0, \mathrm{gain}^2/m)` entries.

    The book's coupling :math:`gU` with :math:`U_{ij}\sim\mathcal N(0, 1/N)`: one
    ``standard_normal((n, m))`` divided by :math:`\sqrt m`, then multiplied by ``gain`` (if not 1).
    The variance is normalised by the fan-in ``m``, the second dimension (a ``(fan_out, fan_in)``
    weight applied as ``W @ x``); for a square matrix that is ``n``. ``dtype``: ``numpy.float64``
    (default) or ``numpy.float32``, the float64 draw rounded.

    ``n, m`` in ``[1, MAX_N]``; ``gain`` in ``[0, MAX_SCALE]``.
    """
    n = _size("n", n)
    m = n if m is None else _size("m", m)
    gain = _gain(gain)
    if dtype not in (np.float64, np.float32):
        raise ValueError(f"dtype must be numpy.float64 or numpy.float32, got {dtype!r}")
    W = as_rng(seed).standard_normal((n, m)) / np.sqrt(m)
    if gain != 1.0:
        W *= gain
    return W.astype(dtype, copy=False)


def ginibre(n: int, *, complex_: bool = False, samples: int | None = None, seed=None) -> np.ndarray:
    r"""The Ginibre ensemble at the Glorot scale: an ``n x n`` matrix of i.i.d. :math:`\mathcal N(0, 1/n)`
    entries (the same draw as ``gaussian(n)``), or with ``complex_=True`` of :math:`(Z_1 + iZ_2)/\sqrt2`,
    :math:`Z_{1,2}` of that law (Bar et al., Eqs. 2-3). ``samples`` stacks that many independent matrices
    along a first axis (one draw of shape ``(samples, n, n)``). ``n`` in ``[1, MAX_N]``."""
    n = _size("n", n)
    if not isinstance(complex_, (bool, np.bool_)):
        raise TypeError(f"complex_ must be True or False, got {complex_!r}")
    rng = as_rng(seed)
    shape = (n, n) if samples is None else (as_count("samples", samples), n, n)
    if not complex_:
        return rng.standard_normal(shape) / np.sqrt(n)
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2 * n)


def bias_vector(n: int, *, sigma_b: float = 1.0, seed=None) -> np.ndarray:
    r"""``n`` i.i.d. :math:`\mathcal N(0, \sigma_b^2)` biases: ``sigma_b * standard_normal(n)`` (the bias
    field of the random tanh networks of :mod:`criticality.vanilla`; gate biases: :func:`gate_biases`).
    ``n`` in ``[1, MAX_N]``, ``sigma_b`` in ``[0, MAX_SCALE]``."""
    n = _size("n", n)
    sigma_b = _gain(sigma_b, "sigma_b")
    return sigma_b * as_rng(seed).standard_normal(n)


def glorot_normal(fan_out: int, fan_in: int, *, seed=None) -> np.ndarray:
    r"""A ``(fan_out, fan_in)`` matrix of i.i.d. :math:`\mathcal N(0, 2/(\mathrm{fan_{in}} + \mathrm{fan_{out}}))`
    entries (Glorot and Bengio 2010; PyTorch's ``xavier_normal_`` with gain 1)."""
    fan_out, fan_in = _size("fan_out", fan_out), _size("fan_in", fan_in)
    rng = as_rng(seed)
    return rng.standard_normal((fan_out, fan_in)) * np.sqrt(2.0 / (fan_in + fan_out))


def glorot_uniform(fan_out: int, fan_in: int, *, seed=None) -> np.ndarray:
    r"""A ``(fan_out, fan_in)`` matrix of i.i.d. :math:`\mathcal U(-a, a)` entries,
    :math:`a = \sqrt{6/(\mathrm{fan_{in}} + \mathrm{fan_{out}})}` (variance :math:`a^2/3 = 2/(\mathrm{fan_{in}} +
    \mathrm{fan_{out}})`, as :func:`glorot_normal`; PyTorch's ``xavier_uniform_`` with gain 1)."""
    fan_out, fan_in = _size("fan_out", fan_out), _size("fan_in", fan_in)
    rng = as_rng(seed)
    a = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_out, fan_in))


def he_normal(fan_out: int, fan_in: int, *, seed=None) -> np.ndarray:
    r"""A ``(fan_out, fan_in)`` matrix of i.i.d. :math:`\mathcal N(0, 2/\mathrm{fan_{in}})` entries (He et al.
    2015; PyTorch's ``kaiming_normal_`` with ``mode="fan_in"``, ReLU gain)."""
    fan_out, fan_in = _size("fan_out", fan_out), _size("fan_in", fan_in)
    rng = as_rng(seed)
    return rng.standard_normal((fan_out, fan_in)) * np.sqrt(2.0 / fan_in)


def _haar_orthogonal(n: int, rng: np.random.Generator) -> np.ndarray:
    """QR of an ``n x n`` standard Gaussian matrix with the columns of Q multiplied by the signs of
    R's diagonal (Mezzadri 2007): without that correction Q is not Haar distributed."""
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    d = np.sign(np.diagonal(r))
    d[d == 0] = 1.0  # probability 0
    return q * d


def orthogonal(n: int, *, gain: float = 1.0, seed=None) -> np.ndarray:
    r"""``gain`` times an ``n x n`` orthogonal matrix drawn from the Haar measure on :math:`O(n)`.

    QR decomposition :math:`Z = QR` of a standard Gaussian matrix, then :math:`Q\,\mathrm{diag}(\mathrm{sign}\,R_{ii})`
    (Mezzadri 2007; LAPACK's Q alone is not Haar distributed). Every eigenvalue and every singular
    value has modulus ``gain``. ``n`` in ``[1, MAX_DENSE_N]``, ``gain`` in ``[0, MAX_SCALE]``.
    """
    n = _size("n", n, dense=True)
    gain = _gain(gain)
    return gain * _haar_orthogonal(n, as_rng(seed))


def identity(n: int, *, gain: float = 1.0) -> np.ndarray:
    r"""``gain`` times the ``n x n`` identity: the IRNN initialisation of Le, Jaitly and Hinton (2015)
    (recurrent weights :math:`I`, biases 0, ReLU units). Deterministic, so it takes no seed."""
    n = _size("n", n)
    return _gain(gain) * np.eye(n)


def eigen(n: int, radius: float = 0.95, *, seed=None) -> np.ndarray:
    r"""A real ``n x n`` matrix whose eigenvalues all have modulus ``radius`` (the eigen initialiser).

    After "Dynamic Analysis and an Eigen Initializer for Recurrent Neural Networks" (arXiv:2307.15679),
    known here only from a summary: "eigenvalues set to 0.95 ... the matrix reconstructed through
    sequential 2-D rotations between adjacent dimensions, n - 1 steps". The precise construction below
    is ours and may differ from the paper's code in the law of the angles and of the eigenbasis:

    1. :math:`B = \mathrm{radius}\cdot\mathrm{diag}(R(\theta_1), \dots, R(\theta_{\lfloor n/2\rfloor})[, 1])`,
       block diagonal with 2 x 2 rotations :math:`R(\theta) = \begin{pmatrix}\cos\theta & -\sin\theta\\
       \sin\theta & \cos\theta\end{pmatrix}` and, for odd ``n``, a last 1 x 1 block ``radius``; its
       eigenvalues are :math:`\mathrm{radius}\,e^{\pm i\theta_k}` (and ``+radius``).
    2. :math:`Q = G_{1,2}(\varphi_1) G_{2,3}(\varphi_2) \cdots G_{n-1,n}(\varphi_{n-1})`, the product of
       ``n - 1`` Givens rotations between adjacent coordinates :math:`(i, i+1)` (the identity except
       :math:`G_{ii} = G_{i+1,i+1} = \cos\varphi_i`, :math:`G_{i+1,i} = -G_{i,i+1} = \sin\varphi_i`).
    3. :math:`W = Q B Q^\top`.

    The angles are i.i.d. :math:`\mathcal U(0, 2\pi)`, drawn from ``seed`` in that order: the
    :math:`\lfloor n/2\rfloor` angles :math:`\theta_k`, then the ``n - 1`` angles :math:`\varphi_i`.
    Conjugation by the orthogonal :math:`Q` keeps the eigenvalues, so :math:`|\lambda| = \mathrm{radius}`
    exactly up to rounding. Note that :math:`B/\mathrm{radius}` and :math:`Q` are orthogonal, so
    :math:`W` is ``radius`` times an orthogonal matrix: normal, with every singular value equal to
    ``radius`` (unlike an eigenbasis that is not orthonormal, which would give a non-normal matrix with
    the same eigenvalues). Compared with ``radius * orthogonal(n)`` it differs in the law of the
    eigen-angles (uniform here, repelling for the Haar measure) and in the eigenbasis (an ``n - 1``
    parameter family of products of adjacent rotations, not Haar distributed).

    ``n`` in ``[1, MAX_DENSE_N]``, ``radius`` in ``[0, MAX_SCALE]``.
    """
    n = _size("n", n, dense=True)
    radius = _gain(radius, "radius")
    rng = as_rng(seed)
    theta = rng.uniform(0.0, 2.0 * np.pi, size=n // 2)
    phi = rng.uniform(0.0, 2.0 * np.pi, size=n - 1)
    B = np.zeros((n, n))
    k = np.arange(n // 2)
    c, s = np.cos(theta), np.sin(theta)
    B[2 * k, 2 * k] = c
    B[2 * k, 2 * k + 1] = -s
    B[2 * k + 1, 2 * k] = s
    B[2 * k + 1, 2 * k + 1] = c
    if n % 2:
        B[-1, -1] = 1.0
    Q = np.eye(n)
    for i, p in enumerate(phi):  # Q <- Q G_{i,i+1}(p): mixes columns i and i+1
        c, s = np.cos(p), np.sin(p)
        qi, qj = Q[:, i].copy(), Q[:, i + 1].copy()
        Q[:, i] = c * qi + s * qj
        Q[:, i + 1] = c * qj - s * qi
    return radius * (Q @ B @ Q.T)


def chrono_biases_from_tau(arch: str, tau) -> dict:
    """Chrono gate biases for given time scales ``1 < tau <= T_MAX_LIMIT`` (see :func:`chrono_biases`);
    ``arch`` in ``{"gru", "lstm"}``."""
    arch = _arch(arch)
    tau = np.atleast_1d(as_real_array("tau", tau, minimum=1.0, strict=True, maximum=T_MAX_LIMIT))
    b = np.log(tau - 1.0)
    if arch == "gru":
        return {"z": -b, "r": np.zeros_like(b)}
    if arch == "lstm":
        return {"f": b, "i": -b, "o": np.zeros_like(b)}
    raise ValueError("chrono initialisation needs a gated architecture: arch must be 'gru' or 'lstm'")


def chrono_biases(n: int, t_max: float, *, arch: str = "lstm", seed=None) -> dict:
    r"""Chrono gate biases (Tallec and Ollivier 2018) of ``n`` units, in the book's convention.

    Time scales :math:`\tau_i\sim\mathcal U(2, T_{\max})`, one ``uniform`` draw of size ``n``, then

    * LSTM (default): ``{"f": log(tau - 1), "i": -log(tau - 1), "o": 0}``, so :math:`f = 1 - 1/\tau`,
      :math:`i = 1/\tau`;
    * GRU (write-rate convention, :math:`h_{t+1} = (1-z)h_t + z\tilde h`): ``{"z": -log(tau - 1), "r": 0}``,
      so :math:`z = 1/\tau`. For PyTorch's ``nn.GRU``, whose update gate is the *keep* rate, negate ``z``
      (:func:`pytorch_state` does).

    Tallec and Ollivier write :math:`b_f \sim \log\mathcal U(1, T_{\max} - 1)`, :math:`b_i = -b_f`: the
    same law, since :math:`\tau - 1 \sim \mathcal U(1, T_{\max} - 1)`.

    PyTorch pitfall: a PyTorch RNN cell has two bias vectors, ``bias_ih`` and ``bias_hh``, and adds
    them. Code that writes the chrono bias into *both* doubles it (:math:`b_f = 2\log(\tau - 1)`, i.e.
    :math:`f = 1 - 1/(1 + (\tau - 1)^2)`): write it into one and zero the other, as :func:`pytorch_state`.

    ``n`` in ``[1, 10**7]``, ``t_max`` in ``(2, 1e6]``, ``arch`` in ``{"gru", "lstm"}``.
    """
    arch = _arch(arch)
    if arch == "rnn":
        raise ValueError("chrono initialisation needs a gated architecture: arch must be 'gru' or 'lstm'")
    n = _units(n)
    return chrono_biases_from_tau(arch, as_rng(seed).uniform(2.0, _t_max(t_max), size=n))


def gate_biases(arch: str, n: int, *, sigma_b: float = 0.0, bias: str = "gaussian", t_max=None,
                seed=None) -> dict:
    r"""Gate biases of ``n`` units, a dict gate -> array (empty for the RNN, which has no gates).

    ``bias="gaussian"``: every gate of ``GATES[arch]`` i.i.d. :math:`\mathcal N(0, \sigma_b^2)`, one
    ``standard_normal(n)`` per gate in that order; ``bias="chrono"``: :func:`chrono_biases` with ``t_max``
    (``sigma_b`` not used). The candidate has no bias, so that the zero state is a fixed point.
    ``arch`` in ``ARCHITECTURES``, ``n`` in ``[1, 10**7]``, ``sigma_b`` in ``[0, 30]`` (0 for the RNN).
    """
    arch, bias = _arch(arch), _bias_scheme(bias)
    n = _units(n)
    sigma_b = _sigma_b(sigma_b)
    if bias == "chrono":
        return chrono_biases(n, t_max, arch=arch, seed=seed)
    if arch == "rnn":
        if sigma_b > 0:
            raise ValueError("a vanilla RNN's only bias is its candidate bias, which must be 0 for the "
                             "criterion: sigma_b must be 0 (see dmft.critical_gain_mlp for biased tanh networks)")
        return {}
    gen = as_rng(seed)
    return {k: sigma_b * gen.standard_normal(n) for k in GATES[arch]}


def critical_gain(arch: str, *, sigma_b=0.0, bias: str = "gaussian", t_max=None, n=None, seed=None):
    r"""The critical gain :math:`g_c` of ``arch`` (``"rnn"``, ``"gru"``, ``"lstm"``): with the coupling
    ``gaussian(N, gain=g)`` the network is at the edge of chaos at :math:`g = g_c` (thesis Eq. 14).

    :func:`criticality.criterion.critical_gain` (see there for the formulas). With ``n=None``
    (default) it is the infinite-N value, an exact expectation over the bias law, and ``seed`` is not
    used; with an integer ``n`` it is Eq. (14) evaluated on ``n`` units' biases drawn with ``seed`` by
    :func:`gate_biases`. ``bias="chrono"`` needs ``t_max`` and ``sigma_b = 0``, and gives
    :math:`g_c = 2` for every :math:`T_{\max}`.
    """
    from .criterion import critical_gain as _critical_gain

    return _critical_gain(arch, sigma_b=sigma_b, bias=bias, t_max=t_max, n=n, seed=seed)


# --- recurrent matrices by name ------------------------------------------------------------------------

INITIALISERS = ("gaussian", "glorot_normal", "glorot_uniform", "he_normal", "orthogonal", "identity", "eigen",
                "rescaled_glorot")
"""The names :func:`recurrent` (and ``models.make_network(recurrent=...)``) accept."""


def recurrent(name: str, n: int, *, seed=None) -> np.ndarray:
    r"""An ``n x n`` recurrent matrix from the initialiser ``name`` (one of ``INITIALISERS``) at its own scale.

    Each at its defaults: ``gaussian``, ``glorot_normal``, ``glorot_uniform`` (all variance :math:`1/n` for a
    square matrix), ``he_normal`` (variance :math:`2/n`), ``orthogonal`` and ``identity`` (gain 1),
    ``eigen`` (radius 0.95) and ``rescaled_glorot`` (the paper's quantile :math:`p \approx 0.856`; its
    Gumbel constant needs ``n >= 164``, so below that the empirical quantile of
    :func:`criticality.glorot.rescaled_glorot` is used). ``n`` in ``[1, MAX_DENSE_N]``.
    """
    n = _named_size(name, n)
    if name in ("glorot_normal", "glorot_uniform", "he_normal"):
        return globals()[name](n, n, seed=seed)
    if name == "identity":
        return identity(n)
    if name == "rescaled_glorot":
        from .glorot import rescaled_glorot

        return rescaled_glorot(n, seed=seed, method=_rescaled_method(n))
    return globals()[name](n, seed=seed)


def _named_size(name, n) -> int:
    """Check an initialiser's ``name`` and the size ``n`` of its square matrix (``[1, MAX_DENSE_N]``,
    at least 2 for ``rescaled_glorot``, whose quantile needs two entries)."""
    if not isinstance(name, str) or name not in INITIALISERS:
        raise ValueError(f"name must be one of {INITIALISERS}, got {name!r}")
    n = _size("n", n, dense=True)
    if name == "rescaled_glorot" and n < 2:
        raise ValueError(f"n must be >= 2 for name='rescaled_glorot', got {n}")
    return n


def _rescaled_method(n: int) -> str:
    """The quantile of rescaled Glorot: the paper's Gumbel law where it is defined (``n >= 164``),
    the empirical one below."""
    from .glorot import N_MIN_ASYMPTOTIC

    return "gumbel" if n >= N_MIN_ASYMPTOTIC else "empirical"


def nominal_radius(name: str, n: int) -> float:
    r"""The spectral radius that ``recurrent(name, n)`` is built to have: the edge of its limiting spectrum.

    1 for ``gaussian``, ``glorot_normal`` and ``glorot_uniform`` (square: variance :math:`1/n`, circular
    law), :math:`\sqrt2` for ``he_normal``, 1 for ``orthogonal`` and ``identity`` (exact), 0.95 for
    ``eigen`` (exact), and :math:`1/c` for ``rescaled_glorot``, with :math:`c` the quantile it divides by
    (:func:`criticality.glorot.radius_quantile`; the measured radius is below it with probability
    :math:`p`). A finite i.i.d. matrix's measured radius scatters about the nominal one by a few per cent.
    """
    n = _named_size(name, n)
    if name == "he_normal":
        return float(np.sqrt(2.0))
    if name == "eigen":
        return 0.95
    if name == "rescaled_glorot":
        from .glorot import radius_quantile

        return 1.0 / float(radius_quantile(None, n, False, _rescaled_method(n)))
    return 1.0


# --- PyTorch ---------------------------------------------------------------------------------------------

_TORCH_ROWS = {"rnn": ("h",), "gru": ("r", "z", "h"), "lstm": ("i", "f", "h", "o")}  # PyTorch's gate order
_TORCH_CLASS = {"rnn": "RNN", "gru": "GRU", "lstm": "LSTM"}


def pytorch_state(arch: str, hidden: int, input: int, *, sigma_b: float = 0.0, bias: str = "gaussian",
                  t_max=None, gain=None, input_scale: float = 1.0, seed=None) -> dict:
    r"""A critically initialised ``torch.nn.RNN``/``GRU``/``LSTM`` (one layer) as a state dict of numpy arrays.

    Keys ``weight_ih_l0`` (``(G H, input)``), ``weight_hh_l0`` (``(G H, H)``), ``bias_ih_l0`` and
    ``bias_hh_l0`` (``(G H,)``), with ``G`` = 1, 3, 4 blocks of ``H = hidden`` rows in PyTorch's order
    (GRU ``r, z, n``; LSTM ``i, f, g, o``). Numpy only: torch is not needed to build it; :func:`load_into`
    copies it into a module.

    The draws are those of ``models.make_network(arch, hidden, sigma_b=..., bias=..., t_max=...,
    n_inputs=input, input_scale=..., seed=seed)``: recurrent matrices :math:`U_k` i.i.d.
    :math:`\mathcal N(0, 1/H)`, gate biases by :func:`gate_biases`, input weights
    :math:`\mathcal N(0, \mathrm{input\_scale}^2/\mathrm{input})`. Every recurrent block is
    ``gain`` :math:`\cdot U_k`, with ``gain`` = :func:`critical_gain` ``(arch, sigma_b=..., bias=...,
    t_max=...)`` (the infinite-:math:`H` value) by default, so that the Jacobian of PyTorch's equations at
    the zero state with zero input has spectral radius 1 up to the finite-:math:`H` spread. The
    candidate (``g``/``n``) bias is 0, so zero is a fixed point. The gate biases sit in ``bias_ih_l0``;
    ``bias_hh_l0`` is all zeros (PyTorch adds the two: writing both would double every bias).

    The mapping from the book's equations (:mod:`criticality.models`):

    * LSTM: the same equations; blocks ``i, f, g, o`` = the book's ``i, f, h, o``, so the module's
      output :math:`(h, c)` equals the book network's state ``(c, h)`` step for step.
    * GRU: PyTorch's update gate :math:`z'` is the *keep* rate, :math:`h' = (1-z')\,n + z' h`, while the
      book's :math:`z` is the write rate: the ``z`` block holds :math:`-g U_z`, :math:`-b_z` and
      :math:`-W_z`, so :math:`z' = 1 - z` exactly. PyTorch applies the reset gate after the hidden matmul,
      :math:`n = \tanh(W_{in}x + r\circ(g U_h h))`, the book (and Cho et al. 2014) before it,
      :math:`\tanh(g U_h (r\circ h) + W_h x)`. Away from zero the two are different networks; at the
      zero state with zero input their Jacobians :math:`D_{1-z} + g D_z D_r U_h` and
      :math:`D_{1-z} + g D_z U_h D_r` are similar matrices (conjugate by :math:`D_r`), so the spectrum,
      and the criterion, is the same.
    * RNN: :math:`h' = \tanh(g U h + W x)`, PyTorch's default ``nonlinearity="tanh"``.

    ``arch`` in ``ARCHITECTURES``; ``hidden`` in ``[1, MAX_N]``; ``input`` in ``[1, MAX_N]``; ``gain``
    ``None`` or in ``[0, MAX_SCALE]``; ``sigma_b``, ``bias``, ``t_max`` as in :func:`gate_biases`.
    """
    from .models import make_network

    arch = _arch(arch)
    hidden, input = _size("hidden", hidden), _size("input", input)
    gain = (critical_gain(arch, sigma_b=sigma_b, bias=bias, t_max=t_max) if gain is None
            else as_real_scalar("gain", gain, maximum=MAX_MATRIX_GAIN))
    net = make_network(arch, hidden, sigma_b=sigma_b, bias=bias, t_max=t_max, n_inputs=input,
                       input_scale=input_scale, seed=seed)
    return network_state(net, gain)


def network_state(net, gain: float) -> dict:
    """The PyTorch state dict (see :func:`pytorch_state`) of a book network ``net`` (a
    :class:`criticality.models.Network` with input weights and recurrent gates) at the global ``gain``."""
    if net.n_inputs == 0:
        raise ValueError("net must have input weights (make_network(..., n_inputs=d) with d >= 1)")
    if not net.gates_recurrent:
        raise ValueError("net must have recurrent gates (gates_recurrent=True): PyTorch's gates always have them")
    gain = as_real_scalar("gain", gain, maximum=MAX_MATRIX_GAIN)
    n = net.n
    sign = {k: -1.0 if (net.arch == "gru" and k == "z") else 1.0 for k in _TORCH_ROWS[net.arch]}
    rows = _TORCH_ROWS[net.arch]
    b = {k: np.zeros(n) for k in rows} | {k: np.asarray(v, float) for k, v in net.biases.items()}
    return {
        "weight_ih_l0": np.vstack([sign[k] * net.W[k] for k in rows]).astype(np.float64),
        "weight_hh_l0": np.vstack([sign[k] * gain * net.U[k] for k in rows]).astype(np.float64),
        "bias_ih_l0": np.concatenate([sign[k] * b[k] for k in rows]),
        "bias_hh_l0": np.zeros(len(rows) * n),
    }


def _torch_arch(module, torch) -> str:
    """The architecture of a one-layer, unidirectional ``torch.nn.RNN``/``GRU``/``LSTM``, checked."""
    kinds = {getattr(torch.nn, c): a for a, c in _TORCH_CLASS.items()}
    arch = kinds.get(type(module))
    if arch is None:
        raise TypeError(f"module must be a torch.nn.RNN, GRU or LSTM, got {type(module).__name__}")
    if module.num_layers != 1 or module.bidirectional:
        raise ValueError("module must have num_layers=1 and bidirectional=False")
    return arch


def load_into(module, state: dict):
    """Copy ``state`` (from :func:`pytorch_state`) into a one-layer, unidirectional ``torch.nn.RNN``/``GRU``/
    ``LSTM`` with biases, whose sizes match; returns the module. Needs torch (``pip install .[torch]``)."""
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - exercised only without torch
        raise ImportError("load_into needs PyTorch: pip install 'criticality[torch]'") from exc
    arch = _torch_arch(module, torch)
    if not module.bias or getattr(module, "proj_size", 0):
        raise ValueError("module must have bias=True and no projection")
    if arch == "rnn" and module.nonlinearity != "tanh":
        raise ValueError(f"module must use nonlinearity='tanh', got {module.nonlinearity!r}")
    if not isinstance(state, dict) or set(state) != set(_PARAMS):
        raise ValueError(f"state must be a dict with the keys {_PARAMS}, got {state!r:.80}")
    params = dict(module.named_parameters())
    for k in _PARAMS:
        if tuple(np.shape(state[k])) != tuple(params[k].shape):
            raise ValueError(f"state[{k!r}] has shape {np.shape(state[k])}, the module's {k} has "
                             f"{tuple(params[k].shape)} (hidden_size={module.hidden_size}, "
                             f"input_size={module.input_size}, {len(_TORCH_ROWS[arch])} gate blocks)")
    with torch.no_grad():
        for k in _PARAMS:
            params[k].copy_(torch.as_tensor(np.asarray(state[k]), dtype=params[k].dtype))
    return module


_PARAMS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")


def torch_step(module):
    """One step of a one-layer ``torch.nn.RNN``/``GRU``/``LSTM`` with zero input, as a function of a flat
    state tensor in the book's layout (``h``; for the LSTM ``(c, h)``) returning the next state in that
    layout, differentiable by ``torch.autograd``/``torch.func``. Returns ``(step, state_size)``."""
    import torch

    arch = _torch_arch(module, torch)
    H = module.hidden_size
    x = torch.zeros(1, 1, module.input_size, dtype=next(module.parameters()).dtype)
    if arch == "lstm":
        def step(s):
            _, (h1, c1) = module(x, (s[H:][None, None], s[:H][None, None]))
            return torch.cat([c1[0, 0], h1[0, 0]])
        return step, 2 * H

    def step(s):
        return module(x, s[None, None])[1][0, 0]
    return step, H


def torch_jacobian_at_zero(module) -> np.ndarray:
    """The Jacobian of one step of a one-layer ``torch.nn.RNN``/``GRU``/``LSTM`` at the zero state with
    zero input, by ``torch.autograd`` on PyTorch's own equations (:func:`torch_step`), as a float64 numpy
    array: ``(H, H)``, or ``(2H, 2H)`` for the LSTM with the state ordered ``(c, h)`` as in the book."""
    import torch

    step, size = torch_step(module)
    zero = torch.zeros(size, dtype=next(module.parameters()).dtype)
    return torch.autograd.functional.jacobian(step, zero).double().numpy()

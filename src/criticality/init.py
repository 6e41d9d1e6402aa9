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
:func:`gaussian`       i.i.d. :math:`\mathcal N(0, \mathrm{gain}^2/n)`, the book's coupling (draw for draw
                       :func:`criticality.vanilla.random_coupling`)
:func:`glorot_normal`  i.i.d. :math:`\mathcal N(0, 2/(\mathrm{fan_{in}} + \mathrm{fan_{out}}))` (Glorot and Bengio 2010)
:func:`glorot_uniform` i.i.d. :math:`\mathcal U(-a, a)`, :math:`a = \sqrt{6/(\mathrm{fan_{in}} + \mathrm{fan_{out}})}`
:func:`he_normal`      i.i.d. :math:`\mathcal N(0, 2/\mathrm{fan_{in}})` (He et al. 2015)
:func:`orthogonal`     gain times a Haar-distributed orthogonal matrix (Saxe et al. 2014)
:func:`identity`       gain times the identity (IRNN, Le, Jaitly and Hinton 2015)
:func:`eigen`          every eigenvalue of modulus ``radius`` (the eigen initialiser of arXiv:2307.15679)
``rescaled_glorot``    :func:`criticality.glorot.rescaled_glorot` (Bar et al. 2025), re-exported here
:func:`chrono_biases`  chrono gate biases (Tallec and Ollivier 2018) in the book's convention
:func:`critical_gain`  the gain :math:`g_c` at which a Gaussian coupling puts a network at the edge of chaos
                       (:func:`criticality.criterion.critical_gain`)
=====================  ====================================================================================

``rescaled_glorot`` (a Glorot matrix divided by a quantile of its spectral radius, so that the radius
is below 1 with probability ``p``) lives in :mod:`criticality.glorot` and is imported here unchanged.
"""

from __future__ import annotations

import numpy as np

from . import criterion as _criterion
from ._validate import MAX_DENSE_N, MAX_N, as_count, as_rng, as_scale
from .glorot import rescaled_glorot

__all__ = ["gaussian", "glorot_normal", "glorot_uniform", "he_normal", "orthogonal", "identity", "eigen",
           "rescaled_glorot", "chrono_biases", "critical_gain"]


def _size(name, value, dense=False) -> int:
    """A matrix dimension: at most ``MAX_DENSE_N`` where the matrix is factorised (QR), ``MAX_N`` otherwise."""
    return as_count(name, value, maximum=MAX_DENSE_N if dense else MAX_N)


def _gain(value, name="gain") -> float:
    return as_scale(name, value)


def gaussian(n: int, m: int | None = None, *, gain: float = 1.0, seed=None) -> np.ndarray:
    r"""An ``n x m`` matrix (``m = n`` by default) of i.i.d. :math:`\mathcal N(0, \mathrm{gain}^2/n)` entries.

    The book's coupling :math:`gU`: for a square matrix and the same Generator state this is, draw for
    draw and bit for bit, ``gain * vanilla.random_coupling(n, rng)`` (one ``standard_normal((n, m))``
    divided by :math:`\sqrt n`, then multiplied by ``gain``). The variance is normalised by ``n``, the
    first dimension, also for a rectangular matrix; for fan-in scaling of a ``(fan_out, fan_in)``
    weight use ``gaussian(fan_in, fan_out, ...).T`` or :func:`he_normal`.

    ``n, m`` in ``[1, MAX_N]``; ``gain`` in ``[0, MAX_SCALE]``.
    """
    n = _size("n", n)
    m = n if m is None else _size("m", m)
    gain = _gain(gain)
    rng = as_rng(seed)
    return rng.standard_normal((n, m)) / np.sqrt(n) * gain


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


def chrono_biases(n: int, t_max: float, *, arch: str = "lstm", seed=None) -> dict:
    r"""Chrono gate biases (Tallec and Ollivier 2018) of ``n`` units, in the book's convention.

    The same function and the same draws as :func:`criticality.criterion.chrono_biases` (and
    ``criterion.sample_biases(arch, n, bias="chrono", t_max=t_max, seed=seed)``), to which it
    delegates: time scales :math:`\tau_i\sim\mathcal U(2, T_{\max})`, one ``uniform`` draw of size
    ``n``, then

    * LSTM (default): ``{"f": log(tau - 1), "i": -log(tau - 1), "o": 0}``, so :math:`f = 1 - 1/\tau`,
      :math:`i = 1/\tau`;
    * GRU (write-rate convention, :math:`h_{t+1} = (1-z)h_t + z\tilde h`): ``{"z": -log(tau - 1), "r": 0}``,
      so :math:`z = 1/\tau`. For PyTorch's ``nn.GRU``, whose update gate is the *keep* rate, negate ``z``.

    Tallec and Ollivier write :math:`b_f \sim \log\mathcal U(1, T_{\max} - 1)`, :math:`b_i = -b_f`: the
    same law, since :math:`\tau - 1 \sim \mathcal U(1, T_{\max} - 1)`.

    PyTorch pitfall: a PyTorch RNN cell has two bias vectors, ``bias_ih`` and ``bias_hh``, and adds
    them. Code that writes the chrono bias into *both* doubles it (:math:`b_f = 2\log(\tau - 1)`, i.e.
    :math:`f = 1 - 1/(1 + (\tau - 1)^2)`): write it into one and zero the other.

    ``n`` in ``[1, 10**7]``, ``t_max`` in ``(2, 1e6]``, ``arch`` in ``{"gru", "lstm"}``.
    """
    return _criterion.chrono_biases(arch, n, t_max, seed)


def critical_gain(arch: str, *, sigma_b=0.0, bias: str = "gaussian", t_max=None, n=None, seed=None):
    r"""The critical gain :math:`g_c` of ``arch`` (``"rnn"``, ``"gru"``, ``"lstm"``): with the coupling
    ``gaussian(N, gain=g)`` the network is at the edge of chaos at :math:`g = g_c` (thesis Eq. 14).

    Delegates to :func:`criticality.criterion.critical_gain` (see there for the formulas). With
    ``n=None`` (default) it is the infinite-N value, an exact expectation over the bias law, and
    ``seed`` is not used; with an integer ``n`` it is Eq. (14) evaluated on ``n`` units' biases drawn
    with ``seed`` by :func:`criticality.criterion.sample_biases` (for ``bias="chrono"`` the same draws as
    :func:`chrono_biases`). ``bias="chrono"`` needs ``t_max`` and ``sigma_b = 0``, and gives
    :math:`g_c = 2` for every :math:`T_{\max}`.
    """
    return _criterion.critical_gain(arch, sigma_b=sigma_b, bias=bias, t_max=t_max, n=n, seed=seed)

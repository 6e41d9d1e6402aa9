"""init.pytorch_state / load_into against PyTorch's own modules: the layout, the exact mapping of the
book's equations to PyTorch's, the zero-state Jacobian by torch.autograd, lambda_max of a critical
torch LSTM, and the chrono bias written once. Skipped where torch is not installed (CI installs it)."""

import numpy as np
import pytest

from criticality import criterion, init, lyapunov, models
from criticality.spectra import eigenvalues, spectral_radius

torch = pytest.importorskip("torch")

MODULES = {"rnn": "RNN", "gru": "GRU", "lstm": "LSTM"}
BLOCKS = {"rnn": 1, "gru": 3, "lstm": 4}


def _module(arch, hidden, inputs, state=None):
    torch.manual_seed(0)
    m = getattr(torch.nn, MODULES[arch])(inputs, hidden).double()
    return m if state is None else init.load_into(m, state)


def _step(m, x, h, c=None):
    """One step of a torch module from numpy state(s); returns numpy output state(s)."""
    x = torch.as_tensor(x, dtype=torch.float64)[None, None]
    h0 = torch.as_tensor(h, dtype=torch.float64)[None, None]
    with torch.no_grad():
        if c is None:
            return m(x, h0)[1][0, 0].numpy()
        _, (h1, c1) = m(x, (h0, torch.as_tensor(c, dtype=torch.float64)[None, None]))
    return h1[0, 0].numpy(), c1[0, 0].numpy()


@pytest.mark.parametrize("arch", ["rnn", "gru", "lstm"])
def test_layout_matches_the_module_and_the_book_network(arch):
    H, d, sb = 12, 3, 0.0 if arch == "rnn" else 0.6
    st = init.pytorch_state(arch, H, d, sigma_b=sb, seed=5)
    m = _module(arch, H, d)
    assert {k: v.shape for k, v in st.items()} == {k: tuple(p.shape) for k, p in m.named_parameters()}
    G, gc = BLOCKS[arch], init.critical_gain(arch, sigma_b=sb)
    net = models.make_network(arch, H, sigma_b=sb, n_inputs=d, seed=5)
    order = {"rnn": "h", "gru": "rzh", "lstm": "ifho"}[arch]
    for j, k in enumerate(order):
        rows = slice(j * H, (j + 1) * H)
        s = -1.0 if (arch, k) == ("gru", "z") else 1.0
        np.testing.assert_array_equal(st["weight_hh_l0"][rows], s * gc * net.U[k])
        np.testing.assert_array_equal(st["weight_ih_l0"][rows], s * net.W[k])
        np.testing.assert_array_equal(st["bias_ih_l0"][rows], s * net.biases[k] if k != "h" else 0.0)
    np.testing.assert_array_equal(st["bias_hh_l0"], 0.0)  # written once: PyTorch adds bias_ih + bias_hh
    assert st["weight_hh_l0"].shape == (G * H, H)


def test_lstm_is_the_books_lstm_step_for_step():
    H, d, g = 30, 4, 1.7
    net = models.make_network("lstm", H, sigma_b=0.8, n_inputs=d, seed=2)
    m = _module("lstm", H, d, init.network_state(net, g))
    rng = np.random.default_rng(0)
    s = net.random_state(1, seed=1)
    for _ in range(25):
        x = rng.standard_normal(d)
        h, c = _step(m, x, s[H:, 0], s[:H, 0])
        s = net.step(s, g, x[:, None])
        np.testing.assert_allclose(np.concatenate([c, h]), s[:, 0], rtol=0, atol=1e-13)


def test_gru_keep_gate_mapping_is_exact_when_the_reset_gate_is_open():
    """PyTorch's z' = 1 - z (keep rate). With r = 1 (b_r = 40: sigma(40 + O(1)) rounds to 1) the reset
    placement does not matter and the two GRUs are the same map."""
    H, d, g = 25, 3, 1.4
    rng = np.random.default_rng(3)
    net = models.make_network("gru", H, biases={"z": rng.normal(0, 1.0, H), "r": np.full(H, 40.0)}, n_inputs=d, seed=4)
    m = _module("gru", H, d, init.network_state(net, g))
    s = net.random_state(1, seed=1)
    for _ in range(25):
        x = rng.standard_normal(d)
        h = _step(m, x, s[:, 0])
        s = net.step(s, g, x[:, None])
        np.testing.assert_allclose(h, s[:, 0], rtol=0, atol=1e-13)


def test_gru_reset_placement_differs_away_from_zero_but_not_at_it():
    H, d, g = 25, 3, 1.4
    net = models.make_network("gru", H, sigma_b=1.0, n_inputs=d, seed=6)
    m = _module("gru", H, d, init.network_state(net, g))
    x = np.zeros(d)
    h = net.random_state(1, seed=2)
    assert np.abs(_step(m, x, h[:, 0]) - net.step(h, g, x[:, None])[:, 0]).max() > 1e-3
    x = np.random.default_rng(1).standard_normal(d)  # from h = 0 one step agrees: r multiplies zero either way
    np.testing.assert_allclose(_step(m, x, np.zeros(H)), net.step(net.zero_state(), g, x[:, None])[:, 0],
                               atol=1e-14)


@pytest.mark.parametrize("arch, sigma_b", [("rnn", 0.0), ("gru", 0.0), ("gru", 1.0), ("lstm", 0.0), ("lstm", 0.7)])
def test_zero_state_jacobian_by_autograd_has_the_predicted_spectrum(arch, sigma_b):
    H, d = 300, 2
    st = init.pytorch_state(arch, H, d, sigma_b=sigma_b, seed=8)
    m = _module(arch, H, d, st)
    J = init.torch_jacobian_at_zero(m)
    net = models.make_network(arch, H, sigma_b=sigma_b, n_inputs=d, seed=8)
    gc = init.critical_gain(arch, sigma_b=sigma_b)
    if arch == "gru":  # PyTorch's D_{1-z} + g D_z D_r U is similar to the book's D_{1-z} + g D_z U D_r
        M, L, R = criterion.diagonals("gru", net.biases)
        np.testing.assert_allclose(J, np.diag(M) + gc * (L * R)[:, None] * net.U["h"], atol=1e-14)
        book = criterion.jacobian_at_zero(M, L, R, gc, U=net.U["h"])
    else:  # RNN and LSTM: the book's Jacobian itself (LSTM ordered (c, h))
        book = net.jacobian(net.zero_state(), gc)
        np.testing.assert_allclose(J, book, atol=1e-14)
    ev, ev_book = eigenvalues(J), eigenvalues(book)
    np.testing.assert_allclose(np.sort(np.abs(ev)), np.sort(np.abs(ev_book)), atol=1e-9)
    M, L, R = criterion.diagonals(arch, net.biases)
    M, L, R = (np.broadcast_to(a, (H,)) for a in (M, L, R))
    for g in (gc, gc / 2):  # the criterion's prediction from these biases, at g_c (radius ~1) and below it
        Jg = J if g == gc else init.torch_jacobian_at_zero(_module(arch, H, d, init.pytorch_state(
            arch, H, d, sigma_b=sigma_b, gain=g, seed=8)))
        rho, predicted = spectral_radius(Jg), float(criterion.predicted_spectral_radius(M, L, R, g))
        assert abs(rho - predicted) < 0.1, (g, rho, predicted)  # finite-H edge spread: 0.07 seen at H = 300
    assert abs(float(criterion.predicted_spectral_radius(M, L, R, gc)) - 1.0) < 0.05
    assert float(criterion.predicted_spectral_radius(M, L, R, gc / 2)) < 0.95


def _torch_lambda_max(m, H, steps, transient, seed):
    """Largest Lyapunov exponent of a torch LSTM with zero input: the tangent pushed through
    init.torch_step by torch.func.jvp and renormalised each step (the Benettin loop, in torch)."""
    rng = np.random.default_rng(seed)
    s = torch.as_tensor(np.concatenate([rng.standard_normal(H), np.tanh(rng.standard_normal(H))]))
    v = torch.as_tensor(rng.standard_normal(2 * H))
    v = v / v.norm()
    f, _ = init.torch_step(m)
    total = 0.0
    with torch.no_grad():
        for t in range(transient + steps):
            s, v = torch.func.jvp(f, (s,), (v,))
            r = v.norm()
            v = v / r
            if t >= transient:
                total += float(torch.log(r))
    return total / steps, s.numpy()


def test_critical_torch_lstm_has_lambda_max_near_zero():
    H, steps, transient = 200, 1500, 300
    net = models.make_network("lstm", H, n_inputs=1, seed=11)
    gc = init.critical_gain("lstm")
    lam, _ = _torch_lambda_max(_module("lstm", H, 1, init.network_state(net, gc)), H, steps, transient, 1)
    lam_half, _ = _torch_lambda_max(_module("lstm", H, 1, init.network_state(net, gc / 2)), H, steps, transient, 1)
    assert abs(lam) < 0.03, lam
    assert lam_half < -0.2, lam_half  # zero-state radius 1/2 + g/4 = 3/4 at g = 1: lambda -> log 0.75 = -0.29
    # the same number from the book's own loop on the same network and start
    rng = np.random.default_rng(1)
    s0 = np.concatenate([rng.standard_normal(H), np.tanh(rng.standard_normal(H))])
    ours = lyapunov.max_exponent(net, gc, steps, transient=transient, state=s0, seed=0)  # another tangent
    assert float(np.ravel(ours)[0]) == pytest.approx(lam, abs=2e-3)


@pytest.mark.parametrize("arch", ["gru", "lstm"])
def test_chrono_bias_is_written_once(arch):
    """The chrono time scale survives PyTorch's bias_ih + bias_hh: the keep/forget rate is 1 - 1/tau,
    not 1 - 1/(1 + (tau - 1)^2) as when both vectors carry it."""
    H, d = 50, 1
    st = init.pytorch_state(arch, H, d, bias="chrono", t_max=40.0, seed=3)
    net = models.make_network(arch, H, bias="chrono", t_max=40.0, n_inputs=d, seed=3)
    tau = 1.0 + np.exp(net.biases["f" if arch == "lstm" else "z"] * (1 if arch == "lstm" else -1))
    assert tau.min() >= 2.0 and tau.max() <= 40.0
    m = _module(arch, H, d, st)
    if arch == "lstm":  # h = 0, c = 1, x = 0: c' = f * 1 + i * tanh(0) = f
        _, c = _step(m, np.zeros(d), np.zeros(H), np.ones(H))
        keep = c
    else:  # the keep gate at zero state and input, as PyTorch computes it: sigma(bias_ih + bias_hh), z block
        b = st["bias_ih_l0"] + st["bias_hh_l0"]
        keep = 1.0 / (1.0 + np.exp(-b[H:2 * H]))
    np.testing.assert_allclose(keep, 1.0 - 1.0 / tau, rtol=1e-12)


def test_load_into_checks_the_module():
    st = init.pytorch_state("lstm", 8, 2, seed=0)
    with pytest.raises(TypeError, match="module"):
        init.load_into(torch.nn.Linear(2, 8), st)
    with pytest.raises(ValueError, match=r"hidden_size=9"):
        init.load_into(torch.nn.LSTM(2, 9), st)
    with pytest.raises(ValueError, match="num_layers"):
        init.load_into(torch.nn.LSTM(2, 8, num_layers=2), st)
    with pytest.raises(ValueError, match="bias=True"):
        init.load_into(torch.nn.LSTM(2, 8, bias=False), st)
    with pytest.raises(ValueError, match="bidirectional"):
        init.load_into(torch.nn.LSTM(2, 8, bidirectional=True), st)
    with pytest.raises(ValueError, match=r"3 gate blocks"):
        init.load_into(torch.nn.GRU(2, 8), st)  # 4 blocks of rows into a 3-block module
    with pytest.raises(ValueError, match="state"):
        init.load_into(torch.nn.LSTM(2, 8), {"weight_hh_l0": st["weight_hh_l0"]})
    with pytest.raises(ValueError, match="num_layers"):
        init.torch_jacobian_at_zero(torch.nn.LSTM(2, 8, num_layers=2))
    with pytest.raises(TypeError, match="module"):
        init.torch_jacobian_at_zero(torch.nn.Linear(2, 8))
    m = init.load_into(torch.nn.LSTM(2, 8), st)  # float32 module: values rounded
    np.testing.assert_allclose(m.weight_hh_l0.detach().numpy(), st["weight_hh_l0"], rtol=1e-6)

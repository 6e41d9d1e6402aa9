r"""The spectral theory of randomly initialised GRUs and LSTMs (:cite:`can2020gating`), against simulation.

Every function takes the paper's convention: per-matrix gains :math:`a_k` with
:math:`(U_k)_{ij}\sim\mathcal N(0, a_k^2/N)`, and for the GRU the *keep* (update) gate
:math:`h_t = z_t\circ h_{t-1} + (1 - z_t)\circ\phi(y_t)` (the book's write rate is :math:`1 - z`).
The simulations run on :mod:`criticality.models`, whose Jacobians are the paper's Eqs. (11) and (26)
(tested to 1e-12).

* :mod:`~criticality.gating.gru`: the zero fixed point (Proposition 2, Corollary 3), the spectral curve
  of the steady-state Jacobian (Theorem 1), the reset gate and the spectral radius (Corollary 4,
  Proposition 5), the update gate and the slow modes (Fig. 1 f).
* :mod:`~criticality.gating.fixed_points`: the GRU's fixed-point mean-field equations (Eq. 10), the
  phase diagram in :math:`(a_h, a_r)` and its bifurcation curve, stability (Corollary 6), marginal
  stability (Theorem 7), and simulated settling.
* :mod:`~criticality.gating.lstm`: the zero fixed point (Corollaries 10-11), the spectral boundary of
  the steady state (Corollary 9), the gate gains and the spectral radius (Proposition 12), the forget
  gate and the slow modes (Fig. 3 f).

Eigenvalues and spectral radii of given matrices come from :mod:`criticality.spectra`.
"""

from . import fixed_points, gru, lstm

__all__ = ["gru", "fixed_points", "lstm"]

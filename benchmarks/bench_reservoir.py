"""Benchmark of criticality.reservoir against reservoirpy on one gain sweep of a tanh echo-state network.

Run:  python benchmarks/bench_reservoir.py [--n 1000] [--steps 5000] [--gains 32] [--repeats 3] [--quick]
      [--threads K]

One sweep: ``--gains`` gains of one dense RNN/ESN h' = tanh(g U h + w u) (U ~ N(0, 1/N), the same
weights for every gain), driven by ``--steps`` samples of the discrete Mackey-Glass map
(criticality.datasets.mackey_glass after 1000 transient steps, standardised), one-step-ahead forecast
with a ridge readout whose strength is chosen on a validation segment from a grid of 9
(criticality.reservoir.DEFAULT_RIDGES, relative to the mean diagonal of the centred Gram matrix),
scored on a test segment.

- ours: ``reservoir.evaluate``: all gains as the columns of one batched step; Gram matrices
  accumulated in chunks; one factorisation per gain (tridiagonal reduction) serves every ridge.
- reservoirpy (0.4.2): the same runs one after another: ``Reservoir(W=g*U, Win=w, bias=0)`` per gain,
  ``.run`` the series, then one ``Ridge(ridge=alpha).fit`` per candidate ridge (its usual use), the
  candidate with the smallest validation MSE scores the test segment.

Prints medians over ``--repeats`` (ours and reservoirpy alternate within each repeat, so load
drifts hit both), the ratio, a breakdown (driving alone, readout alone), and how far the two
agree (test MSE of the non-chaotic gains). The machines are shared: the load average and the
BLAS threads are printed; compare ratios measured in one run only.

``benchmarks/bench_models.py`` runs the same case (:func:`run`) after the engine's benchmark.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings

import numpy as np

from criticality import datasets, reservoir as rc
from criticality.bench import blas_info
from criticality.models import make_network


QUICK = dict(n=200, steps=1000, n_gains=8, repeats=1)  # the --quick case: a smoke test


def require_reservoirpy():
    """The reservoirpy module, or exit with how to install it."""
    try:
        import reservoirpy
    except ImportError:
        raise SystemExit("reservoirpy is not installed: pip install reservoirpy==0.4.2")
    return reservoirpy


def split(T, horizon=1):
    """washout, train, validation, test for a series of T samples."""
    usable = T - horizon
    washout = usable // 25
    validation = test = (usable - washout) // 7
    return washout, usable - washout - validation - test, validation, test


def run_reservoirpy(U, w, gains, u, segments, ridges, horizon=1):
    """The same sweep with reservoirpy, one gain after another; returns (test MSE, chosen index,
    seconds driving, seconds fitting/predicting)."""
    from reservoirpy.nodes import Reservoir, Ridge

    washout, train, validation, test = segments
    tr = slice(washout, washout + train)
    va = slice(tr.stop, tr.stop + validation)
    te = slice(va.stop, va.stop + test)
    steps = te.stop
    y = u[horizon:steps + horizon, None]
    mse, chosen, t_run, t_fit = [], [], 0.0, 0.0
    for g in gains:
        t0 = time.perf_counter()
        states = Reservoir(W=g * U, Win=w, bias=0.0, lr=1.0, activation="tanh").run(u[:steps, None])
        t1 = time.perf_counter()
        S = states[tr]
        scale = S.shape[0] * S.var(axis=0).sum() / S.shape[1]  # mean diagonal of the centred Gram matrix
        best = (np.inf, None, None)
        for j, r in enumerate(ridges):
            readout = Ridge(ridge=float(r * scale)).fit(S, y[tr])
            err = np.mean((readout.run(states[va]) - y[va]) ** 2)
            if err < best[0]:
                best = (err, j, readout)
        mse.append(np.mean((best[2].run(states[te]) - y[te]) ** 2))
        chosen.append(best[1])
        t_fit += time.perf_counter() - t1
        t_run += t1 - t0
    return np.array(mse), np.array(chosen), t_run, t_fit


def run(n=1000, steps=5000, n_gains=32, repeats=3):
    """Time the sweep of ``n_gains`` gains at N = ``n``, T = ``steps``, ours against reservoirpy, and
    print the medians, the ratio, a breakdown and the agreement."""
    reservoirpy = require_reservoirpy()
    warnings.filterwarnings("ignore", module="reservoirpy")
    gains = np.linspace(0.5, 2.0, n_gains)
    ridges = rc.DEFAULT_RIDGES
    u = datasets.mackey_glass(steps, kind="discrete", seed=0, history_noise=0.01, transient=1000)
    u = (u - u.mean()) / u.std()
    segments = split(steps)
    net = make_network("rnn", n, n_inputs=1, input_scale=0.5, seed=0)
    U, w = net.U["h"], net.W["h"]
    print(f"reservoirpy {reservoirpy.__version__}; RNN/ESN N = {n}, {n_gains} gains in [{gains[0]}, {gains[-1]}], "
          f"T = {steps} (washout, train, validation, test = {segments}), {ridges.size} ridges, median of {repeats}\n")

    kw = dict(zip(("washout", "train", "validation", "test"), segments))
    times = {k: [] for k in ("ours", "ours_drive", "rpy", "rpy_run", "rpy_fit")}
    for _ in range(repeats):
        t = time.perf_counter()
        ours = rc.evaluate(net, gains, u, ridges=ridges, **kw)
        times["ours"].append(time.perf_counter() - t)
        t = time.perf_counter()
        rc.drive(net, gains, u[:sum(segments)], washout=segments[0])
        times["ours_drive"].append(time.perf_counter() - t)
        t = time.perf_counter()
        mse, chosen, t_run, t_fit = run_reservoirpy(U, w, gains, u, segments, ridges)
        times["rpy"].append(time.perf_counter() - t)
        times["rpy_run"].append(t_run)
        times["rpy_fit"].append(t_fit)
    med = {k: statistics.median(v) for k, v in times.items()}

    print("| | ours (batched) | reservoirpy (one gain at a time) | ratio |")
    print("|---|---|---|---|")
    print(f"| whole sweep: drive + readout with ridge search, s | {med['ours']:.2f} | {med['rpy']:.2f} | "
          f"{med['rpy'] / med['ours']:.1f}x (goal: >= 5x) |")
    print(f"| driving only, s | {med['ours_drive']:.2f} | {med['rpy_run']:.2f} | "
          f"{med['rpy_run'] / med['ours_drive']:.1f}x |")
    ours_readout = max(med["ours"] - med["ours_drive"], 1e-9)
    print(f"| readouts ({ridges.size} ridges), s (ours: sweep minus driving) | {ours_readout:.2f} | "
          f"{med['rpy_fit']:.2f} | {med['rpy_fit'] / ours_readout:.1f}x |")
    print("\nAll timings (s): " + "; ".join(f"{k} {', '.join(f'{x:.2f}' for x in v)}" for k, v in times.items()))
    print(f"Load at end: {os.getloadavg()[0]:.2f} (on {os.cpu_count()} cores; a load above the core count "
          f"means other processes shared the machine)")

    calm = gains <= 1.0  # chaotic columns amplify rounding differences between the implementations
    rel = np.abs(ours.test_mse - mse) / mse
    print(f"\nAgreement, gains <= 1: test MSE max relative difference {rel[calm].max():.1e}, same ridge chosen "
          f"for {np.mean(ours.ridge_index[calm] == chosen[calm]):.0%}; all gains: same ridge for "
          f"{np.mean(ours.ridge_index == chosen):.0%}")
    best = int(np.argmin(ours.test_nrmse))
    print(f"Best test NRMSE {ours.test_nrmse[best]:.2e} at g = {gains[best]:.3f}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--steps", type=int, default=5000)
    p.add_argument("--gains", type=int, default=32)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=None, help="BLAS threads (default: as configured)")
    p.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    args = p.parse_args()
    if args.threads is not None:
        from threadpoolctl import threadpool_limits
        threadpool_limits(args.threads)
    require_reservoirpy()
    print(f"numpy {np.__version__}; BLAS: {blas_info()}; cores: {os.cpu_count()}; "
          f"load at start: {os.getloadavg()[0]:.2f}")
    run(**(QUICK if args.quick else dict(n=args.n, steps=args.steps, n_gains=args.gains, repeats=args.repeats)))


if __name__ == "__main__":
    main()

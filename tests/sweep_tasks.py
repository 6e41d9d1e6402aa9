"""Module-level tasks for tests/test_sweep.py (importable by worker processes and subprocesses)."""

import os
import time

import numpy as np


def noisy_sum(a, b, seed, scale=1.0):
    """A deterministic function of its arguments and seed, with a vector output."""
    rng = np.random.default_rng(seed)
    return {"total": a + b + scale * rng.standard_normal(), "draws": rng.standard_normal(3)}


def slow_task(i, seed, delay=0.0, log=None):
    """Sleeps, appends its index to ``log`` (to count executions), returns a seeded draw."""
    time.sleep(delay)
    if log is not None:
        with open(log, "a") as fh:
            fh.write(f"{i}\n")
            fh.flush()
            os.fsync(fh.fileno())
    return np.random.default_rng(seed).standard_normal()


def failing_task(i, seed):
    if i == 2:
        raise RuntimeError("task two fails")
    return float(i)


def engine_blas_threads(_):
    """The BLAS thread count of numpy's own library in the calling process (for tests of process pools)."""
    from criticality.bench import engine_blas

    return engine_blas()["num_threads"]

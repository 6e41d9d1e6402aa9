"""criticality.sweep: several processes running one sweep on one cache directory at the same time."""

import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np

from criticality.sweep import CacheWarning, run_sweep

N_PROCESSES = 6
GRID = {"i": list(range(30))}

TASK_MODULE = '''
import numpy as np


def task(i, seed):
    """Cheap, so that the processes spend their time writing and reading the cache."""
    return {"x": np.random.default_rng(seed).standard_normal(4), "index": float(i)}
'''


def test_processes_share_a_cache_directory(tmp_path, monkeypatch):
    (tmp_path / "concurrent_task.py").write_text(TASK_MODULE)
    cache = tmp_path / "cache"
    script = textwrap.dedent(f"""
        import sys, warnings
        sys.path.insert(0, {str(tmp_path)!r})
        import numpy as np
        from criticality.sweep import CacheWarning, run_sweep
        from concurrent_task import task
        warnings.simplefilter("error", CacheWarning)  # a file read while being replaced would warn
        for _ in range(3):  # every start of a sweep is a chance to disturb the others' writes
            ds = run_sweep(task, {GRID!r}, seed=3, cache_dir={str(cache)!r})
        np.save(sys.argv[1], ds.x.values)
    """)
    procs = []
    for k in range(N_PROCESSES):
        procs.append(subprocess.Popen([sys.executable, "-c", script, str(tmp_path / f"out{k}.npy")],
                                      stderr=subprocess.PIPE, text=True))
        time.sleep(0.1)  # staggered, so that some start while others are writing
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * N_PROCESSES, "\n".join(errors)

    monkeypatch.syspath_prepend(str(tmp_path))
    from concurrent_task import task
    serial = run_sweep(task, GRID, seed=3)
    for k in range(N_PROCESSES):
        assert np.load(tmp_path / f"out{k}.npy").tobytes() == serial.x.values.tobytes()
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        cached = run_sweep(task, GRID, seed=3, cache_dir=cache)
    assert cached.attrs["n_cached"] == len(GRID["i"]) and cached.drop_attrs().identical(serial.drop_attrs())
    assert not list(cache.glob("*/*.tmp"))  # every writer renamed or removed its own temporary files

"""criticality.sweep: seeds, labels, cache (incl. kill and resume), executors, progress, errors."""

import concurrent.futures as cf
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import sweep_tasks
from sweep_tasks import failing_task, noisy_sum, slow_task

from criticality import models, sweep
from criticality.sweep import CacheWarning, run_sweep

GRID = {"a": [0.0, 1.0, 2.0], "b": [10, 20]}


def test_labels_order_and_seeds():
    ds = run_sweep(noisy_sum, GRID, seed=7)
    assert ds.total.dims == ("a", "b") and ds.draws.dims == ("a", "b", "draws_dim_0")
    np.testing.assert_array_equal(ds.a, GRID["a"])
    seeds = sweep.task_seeds(7, 6)
    for k, (i, j) in enumerate(np.ndindex(3, 2)):  # C order: last name fastest
        expected = noisy_sum(GRID["a"][i], GRID["b"][j], seeds[k])
        assert ds.total.values[i, j] == expected["total"]
        np.testing.assert_array_equal(ds.draws.values[i, j], expected["draws"])
    assert ds.attrs["n_computed"] == 6 and ds.attrs["n_cached"] == 0


def test_seeds_independent_between_tasks_and_roots():
    ds = run_sweep(noisy_sum, GRID, seed=7, dims={"draws": ("k",)}, coords={"k": [1, 2, 3]})
    draws = ds.draws.values.reshape(6, 3)
    assert len({tuple(r) for r in draws}) == 6
    other = run_sweep(noisy_sum, GRID, seed=8)
    assert not np.any(other.draws.values == ds.draws.values)
    assert ds.draws.dims[-1] == "k" and list(ds.k.values) == [1, 2, 3]


def test_samples_dimension_not_passed_to_func():
    ds = run_sweep(noisy_sum, {"a": [0.0]}, fixed={"b": 1.0}, samples=4, seed=1)
    assert ds.total.dims == ("a", "sample") and ds.sizes["sample"] == 4
    assert len(set(ds.total.values.ravel())) == 4


def test_cache_hit_and_key(tmp_path):
    first = run_sweep(noisy_sum, GRID, seed=3, cache_dir=tmp_path)
    again = run_sweep(noisy_sum, GRID, seed=3, cache_dir=tmp_path)
    assert again.attrs["n_cached"] == 6 and again.attrs["n_computed"] == 0
    assert first.drop_attrs().identical(again.drop_attrs())
    # anything in the key changes the folder: seed, fixed arguments, grid, package version
    assert run_sweep(noisy_sum, GRID, seed=4, cache_dir=tmp_path).attrs["n_cached"] == 0
    assert run_sweep(noisy_sum, GRID, seed=3, fixed={"scale": 2.0}, cache_dir=tmp_path).attrs["n_cached"] == 0
    assert run_sweep(noisy_sum, {"a": [0.0, 1.0], "b": [10, 20]}, seed=3, cache_dir=tmp_path).attrs["n_cached"] == 0
    assert len(list(tmp_path.iterdir())) == 4
    key = sweep.cache_key(noisy_sum, GRID, seed=3)
    assert key["function"]["name"] == "sweep_tasks.noisy_sum" and key["grid"]["b"] == ["10", "20"]


def test_package_version_in_key(tmp_path, monkeypatch):
    run_sweep(noisy_sum, GRID, cache_dir=tmp_path)
    monkeypatch.setattr(sweep, "_package_digest", lambda: "9.9.9+other")
    assert run_sweep(noisy_sum, GRID, cache_dir=tmp_path).attrs["n_cached"] == 0


def test_no_pickle_and_corrupt_files_recomputed(tmp_path):
    ref = run_sweep(noisy_sum, GRID, seed=3, cache_dir=tmp_path)
    folder = Path(ref.attrs["cache"])
    files = sorted(folder.glob("task-*.npz"))
    files[0].write_bytes(b"not a zip file")
    np.savez(files[1], __task__=np.array("someone else's"), total=np.array(0.0))
    np.save(files[2].with_suffix(".npy"), np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    os.replace(files[2].with_suffix(".npy"), files[2])  # an object array: must not be unpickled
    with pytest.warns(CacheWarning) as record:
        again = run_sweep(noisy_sum, GRID, seed=3, cache_dir=tmp_path)
    assert len(record) == 3
    assert again.attrs["n_cached"] == 3 and again.attrs["n_computed"] == 3
    assert ref.drop_attrs().identical(again.drop_attrs())


def test_failure_keeps_finished_tasks(tmp_path):
    with pytest.raises(RuntimeError, match="task two fails") as info:
        run_sweep(failing_task, {"i": [0, 1, 2, 3]}, cache_dir=tmp_path)
    assert "in sweep task {'i': 2}" in "".join(getattr(info.value, "__notes__", []))
    (folder,) = tmp_path.iterdir()
    assert len(list(folder.glob("task-*.npz"))) == 2


def test_kill_and_resume(tmp_path):
    """SIGKILL a sweep running in another process mid-run; the resumed sweep loses nothing."""
    log = tmp_path / "log.txt"
    grid = {"i": list(range(12))}
    fixed = {"delay": 0.15, "log": str(log)}
    script = textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(Path(__file__).parent)!r})
        from criticality.sweep import run_sweep
        from sweep_tasks import slow_task
        run_sweep(slow_task, {grid!r}, fixed={fixed!r}, seed=5, cache_dir={str(tmp_path / 'cache')!r})
    """)
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done = list((tmp_path / "cache").glob("*/task-*.npz"))
            if len(done) >= 4:
                break
            assert proc.poll() is None, "the sweep ended before it could be killed"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    n_before = len(list((tmp_path / "cache").glob("*/task-*.npz")))
    assert 4 <= n_before < 12
    resumed = run_sweep(slow_task, grid, fixed=fixed, seed=5, cache_dir=tmp_path / "cache")
    assert resumed.attrs["n_cached"] == n_before and resumed.attrs["n_computed"] == 12 - n_before
    ran = [int(x) for x in log.read_text().split()]
    assert sorted(set(ran)) == list(range(12))  # every task ran, ...
    assert len(ran) <= 13  # ... and at most the one being written when killed ran twice
    fresh = run_sweep(slow_task, grid, fixed={"delay": 0.0, "log": None}, seed=5)
    np.testing.assert_array_equal(resumed.result.values, fresh.result.values)
    assert not list((tmp_path / "cache").glob("*/*.tmp"))


LYAP = {"g": [0.5, 1.5, 3.0], "n": [16, 32]}
LYAP_FIXED = {"arch": "gru", "steps": 100, "transient": 20}


@pytest.fixture(scope="module")
def serial_lyapunov():
    return run_sweep(models.sample_lyapunov, LYAP, fixed=LYAP_FIXED, samples=2, seed=11)


def test_process_pool_identical(serial_lyapunov):
    with cf.ProcessPoolExecutor(max_workers=2) as ex:
        pooled = run_sweep(models.sample_lyapunov, LYAP, fixed=LYAP_FIXED, samples=2, seed=11, executor=ex)
    assert serial_lyapunov.identical(pooled)
    assert serial_lyapunov.result.dims == ("g", "n", "sample")


def test_dask_local_cluster_identical(serial_lyapunov, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        remote = run_sweep(models.sample_lyapunov, LYAP, fixed=LYAP_FIXED, samples=2, seed=11,
                           executor=client, cache_dir=tmp_path)
    assert serial_lyapunov.drop_attrs().identical(remote.drop_attrs())
    cached = run_sweep(models.sample_lyapunov, LYAP, fixed=LYAP_FIXED, samples=2, seed=11, cache_dir=tmp_path)
    assert cached.attrs["n_computed"] == 0 and cached.drop_attrs().identical(remote.drop_attrs())


def test_progress_silent_under_tests_and_shown_on_request(capfd):
    run_sweep(noisy_sum, GRID)
    assert capfd.readouterr().err == ""
    run_sweep(noisy_sum, GRID, progress=True)
    assert "6/6" in capfd.readouterr().err


@pytest.mark.parametrize("kwargs, error, match", [
    ({"grid": {}}, TypeError, "grid must be a non-empty mapping"),
    ({"grid": {"a": []}}, ValueError, r"grid\['a'\] must be a non-empty 1-d"),
    ({"grid": {"a": [[1, 2]]}}, ValueError, r"grid\['a'\] must be a non-empty 1-d"),
    ({"grid": {"a": [1, 1]}}, ValueError, "repeated values"),
    ({"grid": {"seed": [1]}}, ValueError, "may not contain 'seed'"),
    ({"grid": {"a b": [1]}}, ValueError, "identifiers"),
    ({"seed": -1}, ValueError, "seed must be a non-negative integer"),
    ({"seed": 1.5}, ValueError, "seed must be a non-negative integer"),
    ({"executor": "threads"}, TypeError, "executor must be None"),
    ({"fixed": {"a": 1}}, ValueError, "fixed may not repeat"),
    ({"samples": 0}, ValueError, "samples must be an integer >= 1"),
    ({"dims": {"total": ("x",)}}, ValueError, r"dims\['total'\] names 1 axes"),
])
def test_errors(kwargs, error, match):
    args = {"grid": GRID, **kwargs}
    with pytest.raises(error, match=match):
        run_sweep(noisy_sum, args.pop("grid"), **args)


def test_output_errors():
    with pytest.raises(ValueError, match="output 'x' has shape"):
        run_sweep(lambda n, seed: {"x": np.zeros(n)}, {"n": [1, 2]})
    with pytest.raises(TypeError, match="output 'x' must be numeric"):
        run_sweep(lambda n, seed: {"x": "text"}, {"n": [1]})
    with pytest.raises(TypeError, match="plain function"):
        run_sweep(sweep_tasks.noisy_sum.__call__, {"a": [1.0]}, fixed={"b": 0}, cache_dir="unused")

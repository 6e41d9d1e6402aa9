"""criticality.sweep: seeds, labels, cache (incl. kill and resume), executors, progress, errors."""

import concurrent.futures as cf
import functools
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import sweep_tasks
from sweep_tasks import engine_blas_threads, failing_task, noisy_sum, slow_task

from criticality import models, sweep
from criticality.sweep import CacheWarning, run_sweep

GRID = {"a": [0.0, 1.0, 2.0], "b": [10, 20]}


def test_labels_order_and_seeds():
    ds = run_sweep(noisy_sum, GRID, seed=7)
    assert ds.total.dims == ("a", "b") and ds.draws.dims == ("a", "b", "draws_dim_0")
    np.testing.assert_array_equal(ds.a, GRID["a"])
    seeds = sweep.task_seeds(7, GRID)
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
    # the seed and the fixed arguments change the folder; the grid's values don't (points have their own files)
    assert run_sweep(noisy_sum, GRID, seed=4, cache_dir=tmp_path).attrs["n_cached"] == 0
    assert run_sweep(noisy_sum, GRID, seed=3, fixed={"scale": 2.0}, cache_dir=tmp_path).attrs["n_cached"] == 0
    part = run_sweep(noisy_sum, {"a": [0.0, 1.0], "b": [10, 20]}, seed=3, cache_dir=tmp_path)
    assert part.attrs["n_cached"] == 4 and part.attrs["cache"] == first.attrs["cache"]
    assert len(list(tmp_path.iterdir())) == 3
    key = sweep.cache_key(noisy_sum, GRID, seed=3)
    assert key["function"]["name"] == "sweep_tasks.noisy_sum" and key["grid"] == ["a", "b"]
    assert key == sweep.cache_key(noisy_sum, {"b": [1], "a": [5.0, 6.0]}, seed=3)  # names only, any order
    # samples= (not passed to func) and a grid parameter 'sample' (passed) are different sweeps
    assert sweep.cache_key(noisy_sum, GRID, samples=2) != sweep.cache_key(noisy_sum, {**GRID, "sample": [0, 1]})


def test_seeds_follow_coordinates():
    """A point's seed depends on the root seed and its coordinates, not on the rest of the grid."""
    def states(seed, grid, **kwargs):
        return [s.generate_state(4).tolist() for s in sweep.task_seeds(seed, grid, **kwargs)]
    small = states(0, {"g": [1.0, 2.0]})
    assert states(0, {"g": [0.5, 1.0, 2.0, 3.0]})[1:3] == small
    assert states(0, {"g": [2.0, 1.0]}) == small[::-1]
    assert states(0, {"g": [1.0], "n": [3, 4]}) == states(0, {"n": [3, 4], "g": [1.0]})
    assert states(0, {"g": [1.0]}, samples=3)[:2] == states(0, {"g": [1.0]}, samples=2)
    assert states(0, {"g": [1.0]}, samples=3) == states(0, {"g": [1.0], "sample": [0, 1, 2]})
    assert states(0, {"g": [1]}) != states(0, {"g": [1.0]})  # the value's type counts (documented)
    assert states(1, {"g": [1.0, 2.0]})[0] not in small
    everything = states(0, {"g": [0.5, 1.0, 2.0], "n": [3, 4]}, samples=5)
    assert len({tuple(s) for s in everything}) == 30


def test_extended_grid_reuses_computed_points(tmp_path):
    def run(gains, samples, cache_dir=tmp_path):
        return run_sweep(noisy_sum, {"a": gains}, fixed={"b": 1.0}, samples=samples, seed=2, cache_dir=cache_dir)
    small = run([1.0, 2.0], 2)
    assert small.attrs["n_computed"] == 4
    big = run([0.5, 1.0, 2.0, 3.0], 3)
    assert big.attrs["n_cached"] == 4 and big.attrs["n_computed"] == 12 - 4
    assert big.sel(a=[1.0, 2.0], sample=[0, 1]).drop_attrs().identical(small.drop_attrs())
    assert big.drop_attrs().identical(run([0.5, 1.0, 2.0, 3.0], 3, cache_dir=None).drop_attrs())
    assert len(list(tmp_path.iterdir())) == 1


def test_point_values_independent_of_grid_order(tmp_path):
    ref = run_sweep(noisy_sum, GRID, seed=7, cache_dir=tmp_path)
    flipped_grid = {"b": GRID["b"][::-1], "a": [2.0, 0.0, 1.0]}
    flipped = run_sweep(noisy_sum, flipped_grid, seed=7)
    back = flipped.transpose("a", "b", ...).sel(a=GRID["a"], b=GRID["b"])
    assert back.drop_attrs().identical(ref.drop_attrs())
    assert run_sweep(noisy_sum, flipped_grid, seed=7, cache_dir=tmp_path).attrs["n_cached"] == 6


def _affine(x, seed, slope=1.0, shift=0.0):
    return slope * x + shift


def _scaled(scale):
    def task(x, seed):
        return scale * x
    return task


def _with_default(c):
    def task(x, seed, c=c):
        return c * x
    return task


def _with_kwdefault(c):
    def task(x, seed, *, c=c):
        return c * x
    return task


def _with_module():
    import math

    def task(x, seed):
        return math.floor(x)
    return task


def _recursive():
    def task(x, seed):
        return x if x <= 2 else task(x - 1, seed)
    return task


def test_function_hash_tells_lambdas_closures_defaults_and_partials_apart(tmp_path):
    first, second = (lambda x, seed: x), (lambda x, seed: -x)
    inner_one, inner_two = (lambda x, seed: (lambda: x + 1)()), (lambda x, seed: (lambda: x + 2)())
    variants = [first, second, inner_one, inner_two, _scaled(2.0), _scaled(3.0),
                _scaled(np.array([1.0, 2.0])), _scaled(np.array([1.0, 3.0])), _with_default(4.0),
                _with_default(5.0), _with_kwdefault(6.0), _with_kwdefault(7.0), _with_module(), _recursive(),
                functools.partial(_affine, slope=2.0), functools.partial(_affine, shift=2.0)]
    grid = {"x": [1.0, 3.0]}
    folders = set()
    for func in variants:
        ds = run_sweep(func, grid, cache_dir=tmp_path)
        assert ds.attrs["n_computed"] == 2, func
        expected = np.stack([np.asarray(func(x=x, seed=None)) for x in grid["x"]])
        np.testing.assert_array_equal(ds.result.values, expected)
        assert run_sweep(func, grid, cache_dir=tmp_path).attrs["n_cached"] == 2
        folders.add(ds.attrs["cache"])
    assert len(folders) == len(variants)
    assert sweep.cache_key(_scaled(2.0), grid) == sweep.cache_key(_scaled(2.0), grid)  # stable


def test_function_hash_same_in_every_interpreter():
    """A set literal compiles to a frozenset constant, whose order changes with PYTHONHASHSEED."""
    script = textwrap.dedent("""
        from criticality import sweep
        def task(x, seed):
            return 1.0 if x in {"a", "b", "c", "d", "e"} else 0.0
        print(sweep.cache_key(task, {"x": ["a"]})["function"]["code"])
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script], env={**os.environ, "PYTHONHASHSEED": str(h)},
                              stdout=subprocess.PIPE, text=True) for h in (1, 2, 3)]
    hashes = {p.communicate(timeout=60)[0] for p in procs}
    assert all(p.returncode == 0 for p in procs) and len(hashes) == 1


class _Doubler:
    def __call__(self, x, seed):
        return 2 * x


def test_unhashable_function_needs_key(tmp_path):
    opaque = object()

    def closure(x, seed):
        return x if opaque is not None else 0.0
    for func in [closure, _Doubler(), _Doubler().__call__, np.negative]:
        with pytest.raises(TypeError, match=r"pass key='\.\.\.' to run_sweep"):
            run_sweep(func, {"x": [1.0]}, cache_dir=tmp_path)
    assert run_sweep(closure, {"x": [1.0]}).result.item() == 1.0  # no cache, no key needed
    assert run_sweep(closure, {"x": [1.0, 2.0]}, cache_dir=tmp_path, key="v1").attrs["n_computed"] == 2
    assert run_sweep(closure, {"x": [1.0, 2.0]}, cache_dir=tmp_path, key="v1").attrs["n_cached"] == 2
    assert run_sweep(_Doubler(), {"x": [1.0, 2.0]}, cache_dir=tmp_path, key="v1").attrs["n_cached"] == 0
    assert run_sweep(closure, {"x": [1.0, 2.0]}, cache_dir=tmp_path, key="v2").attrs["n_cached"] == 0


@pytest.mark.parametrize("damage", ["package", "seed", "not json", "no layout"])
def test_foreign_manifest_recomputes(tmp_path, damage):
    ref = run_sweep(noisy_sum, GRID, seed=3, cache_dir=tmp_path)
    manifest = Path(ref.attrs["cache"]) / "sweep.json"
    found = json.loads(manifest.read_text())
    text = {"package": json.dumps({**found, "package": "0.0.1+other"}), "seed": json.dumps({**found, "seed": 4}),
            "not json": "{", "no layout": json.dumps({k: v for k, v in found.items() if k != "layout"})}[damage]
    manifest.write_text(text)
    with pytest.warns(CacheWarning, match="manifest"):
        again = run_sweep(noisy_sum, GRID, seed=3, cache_dir=tmp_path)
    assert again.attrs["n_cached"] == 0 and again.drop_attrs().identical(ref.drop_attrs())
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        assert run_sweep(noisy_sum, GRID, seed=3, cache_dir=tmp_path).attrs["n_cached"] == 6  # manifest rewritten


def test_package_version_in_key(tmp_path, monkeypatch):
    run_sweep(noisy_sum, GRID, cache_dir=tmp_path)
    monkeypatch.setattr(sweep, "_package_digest", lambda: "9.9.9+other")
    assert run_sweep(noisy_sum, GRID, cache_dir=tmp_path).attrs["n_cached"] == 0


def _damage(kind, victim: Path, other: Path):
    task = np.load(victim)["__task__"]
    good = {"total": np.array(1.0), "draws": np.zeros(3)}
    if kind == "not a zip file":
        victim.write_bytes(b"not a zip file")
    elif kind == "empty":
        victim.write_bytes(b"")
    elif kind == "truncated":
        victim.write_bytes(victim.read_bytes()[:-40])
    elif kind == "another task's file":
        victim.write_bytes(other.read_bytes())
    elif kind == "npy, not npz":
        np.save(victim.with_suffix(".npy"), np.zeros(3))
        os.replace(victim.with_suffix(".npy"), victim)
    elif kind == "object npy":  # must not be unpickled
        np.save(victim.with_suffix(".npy"), np.array([{"evil": 1}], dtype=object), allow_pickle=True)
        os.replace(victim.with_suffix(".npy"), victim)
    else:
        arrays = {"wrong shape": {**good, "draws": np.zeros(4)},
                  "wrong dtype": {**good, "draws": np.zeros(3, dtype=np.float32)},
                  "text output": {**good, "draws": np.array(["a", "b", "c"])},
                  "object output": {**good, "draws": np.array([None, 1, 2], dtype=object)},
                  "missing output": {"total": np.array(1.0)},
                  "extra output": {**good, "more": np.array(1.0)}}[kind]
        np.savez(victim, __task__=task, **arrays)


@pytest.mark.parametrize("kind", ["not a zip file", "empty", "truncated", "another task's file", "npy, not npz",
                                  "object npy", "wrong shape", "wrong dtype", "text output", "object output",
                                  "missing output", "extra output"])
def test_damaged_file_warns_and_is_recomputed(tmp_path, kind):
    ref = run_sweep(noisy_sum, GRID, seed=3, cache_dir=tmp_path)
    victim, other = sorted(Path(ref.attrs["cache"]).glob("task-*.npz"))[:2]
    _damage(kind, victim, other)
    with pytest.warns(CacheWarning) as record:
        again = run_sweep(noisy_sum, GRID, seed=3, cache_dir=tmp_path)
    assert len(record) == 1 and str(victim) in str(record[0].message)
    assert again.attrs["n_cached"] == 5 and again.attrs["n_computed"] == 1
    assert ref.drop_attrs().identical(again.drop_attrs())
    assert run_sweep(noisy_sum, GRID, seed=3, cache_dir=tmp_path).attrs["n_cached"] == 6  # file rewritten


def test_only_stale_temporary_files_removed(tmp_path):
    """Another process's temporary file may be about to be renamed: only old ones are debris."""
    folder = Path(run_sweep(noisy_sum, GRID, cache_dir=tmp_path).attrs["cache"])
    old, fresh = folder / "task-x.abc.tmp", folder / "task-y.def.tmp"
    old.write_bytes(b"left by a killed writer")
    fresh.write_bytes(b"being written")
    os.utime(old, (time.time() - 7200,) * 2)
    run_sweep(noisy_sum, GRID, cache_dir=tmp_path)
    assert not old.exists() and fresh.exists()


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
    # at most the killed writer's temporary file is left (removed once it is an hour old)
    assert len(list((tmp_path / "cache").glob("*/*.tmp"))) <= 1


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
    ({"key": 3}, TypeError, "key must be a string or None"),
    ({"key": ""}, ValueError, "key must be a non-empty string"),
    ({"cache_dir": "unused", "fixed": {"scale": object()}}, TypeError, "fixed arguments are part of the cache key"),
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
    with pytest.raises(TypeError, match="pass key="):
        run_sweep(sweep_tasks.noisy_sum.__call__, {"a": [1.0]}, fixed={"b": 0}, cache_dir="unused")


def test_process_pool_workers_use_the_requested_blas_threads():
    """sweep.process_pool: each worker limits its BLAS to blas_threads (the chapters' pool); bad sizes are named."""
    from criticality.sweep import process_pool

    with process_pool(2, blas_threads=1) as pool:
        threads = list(pool.map(engine_blas_threads, range(4)))
    assert threads == [1, 1, 1, 1]
    with pytest.raises(ValueError, match="workers"):
        process_pool(0)
    with pytest.raises(ValueError, match="blas_threads"):
        process_pool(2, blas_threads=0)


def test_process_pool_size_from_the_environment(monkeypatch):
    """sweep.process_pool() without a size: $CRITICALITY_WORKERS, else 2; a bad value is named."""
    from criticality.sweep import WORKERS_VAR, process_pool

    monkeypatch.delenv(WORKERS_VAR, raising=False)
    with process_pool() as pool:
        assert pool._max_workers == 2
    monkeypatch.setenv(WORKERS_VAR, "1")
    with process_pool() as pool:
        assert pool._max_workers == 1
    with process_pool(3) as pool:  # an explicit size wins
        assert pool._max_workers == 3
    for bad in ("0", "two", "-1", "2000"):
        monkeypatch.setenv(WORKERS_VAR, bad)
        with pytest.raises(ValueError, match=WORKERS_VAR):
            process_pool()

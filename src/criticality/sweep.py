"""Parameter sweeps: labelled results, reproducible per-task seeds, a resumable on-disk cache, any executor.

>>> ds = run_sweep(models.sample_lyapunov, {"n": [100, 200], "g": [1.0, 2.0, 3.0]},
...                fixed={"arch": "gru", "steps": 500, "transient": 200}, seed=0)   # doctest: +SKIP

``func`` is called once per grid point as ``func(**point, **fixed, seed=seed_sequence)`` and returns a
mapping ``name -> number or array`` (or a single number/array, stored as ``"result"``). The results
come back as an :class:`xarray.Dataset` with one dimension per grid parameter (in the order given,
tasks enumerated in C order, the last parameter fastest) plus the outputs' own dimensions.

Seeds
    Task ``i`` (its flat C-order index) gets child ``i`` of ``SeedSequence(seed).spawn(n_tasks)``:
    a result depends on ``seed``, the grid and the task, never on the executor, the number of workers
    or the order in which tasks finish. A grid parameter named ``sample`` (or any name) with values
    0, 1, ... is the usual way to ask for independent disorder realisations.
Cache
    With ``cache_dir``, every finished task is written at once (``.npz`` written to a temporary file,
    ``fsync``-ed and atomically renamed) to a folder keyed by the function (module, name and a hash
    of its source), the grid, ``fixed``, ``seed``, the output layout and the package version together
    with a hash of the package's source files. A finished sweep is read back, not recomputed; an
    interrupted one (an exception, Ctrl-C, a killed process) resumes with the tasks still missing.
    Files are read with ``allow_pickle=False``; an unreadable or foreign file is reported with a
    :class:`CacheWarning` and recomputed. Code outside this package that ``func`` calls is not
    hashed: delete the folder (``ds.attrs["cache"]``) when you change it.
Executors
    ``executor=None`` runs the tasks in this process. Any :class:`concurrent.futures.Executor` works
    (``ProcessPoolExecutor`` for the cores of one machine); a ``dask.distributed.Client`` is used
    through ``client.get_executor()``. Results travel back to this process, which alone writes the
    cache, so the workers need no shared file system.
Progress
    A tqdm bar on standard error when ``progress=True``; by default only when standard error is a
    terminal and no test is running.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import inspect
import json
import numbers
import os
import sys
import tempfile
import warnings
import zipfile
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np

from ._validate import as_positive_int

__all__ = ["run_sweep", "task_seeds", "cache_key", "CacheWarning"]

_FORMAT = 1  # bump when the on-disk layout changes


class CacheWarning(UserWarning):
    """A cache file could not be used and its task is recomputed."""


# -- validation ------------------------------------------------------------------------------
def _check_grid(grid) -> dict:
    if not isinstance(grid, Mapping) or not grid:
        raise TypeError(f"grid must be a non-empty mapping name -> 1-d sequence of values, got {grid!r}")
    out = {}
    for name, values in grid.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"grid names must be Python identifiers (they become keyword arguments), got {name!r}")
        if name == "seed":
            raise ValueError("grid may not contain 'seed': run_sweep passes each task its own seed")
        arr = np.asarray(values)
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(f"grid[{name!r}] must be a non-empty 1-d sequence, got shape {arr.shape}")
        if arr.dtype.kind not in "biufU":
            raise TypeError(f"grid[{name!r}] must hold numbers, booleans or strings, got dtype {arr.dtype}")
        if len(set(arr.tolist())) != arr.size:
            raise ValueError(f"grid[{name!r}] has repeated values: {arr.tolist()}")
        out[name] = arr
    return out


def _check_seed(seed) -> int:
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer or None, got {seed!r}")
    return int(seed)


def _check_executor(executor):
    if executor is None:
        return None
    if hasattr(executor, "get_executor"):  # a dask.distributed.Client
        executor = executor.get_executor()
    if not isinstance(executor, cf.Executor):
        raise TypeError("executor must be None, a concurrent.futures.Executor or a dask.distributed.Client, "
                        f"got {type(executor).__name__}")
    return executor


def task_seeds(seed: int, n_tasks: int) -> list:
    """The ``SeedSequence`` of every task: children of ``SeedSequence(seed)`` in C order."""
    return np.random.SeedSequence(_check_seed(seed)).spawn(n_tasks)


# -- cache key -------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _package_digest() -> str:
    from . import __version__
    h = hashlib.sha256(__version__.encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return f"{__version__}+{h.hexdigest()[:12]}"


def _function_name(func) -> str:
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', type(func).__name__)}"


def _function_identity(func) -> dict:
    name = _function_name(func)
    try:
        source = inspect.getsource(func)
    except (OSError, TypeError):
        code = getattr(func, "__code__", None)
        if code is None:
            raise TypeError(f"cache_dir needs a plain function whose source or code can be hashed; got {func!r}. "
                            "Pass varying arguments through grid= and fixed= instead of functools.partial.") from None
        source = code.co_code.hex() + repr(code.co_consts)
    return {"name": name, "source": hashlib.sha256(source.encode()).hexdigest()}


def _jsonable(value):
    if isinstance(value, np.ndarray):
        return {"ndarray": hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest(),
                "dtype": str(value.dtype), "shape": list(value.shape)}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in sorted(value.items())}
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Number):
        return repr(value)  # keeps 1 and 1.0 apart, and every digit of a float
    if isinstance(value, type):
        return f"{value.__module__}.{value.__qualname__}"
    raise TypeError(f"fixed arguments must be numbers, strings, None, arrays, types or lists/dicts of these "
                    f"to be part of the cache key; got {type(value).__name__}")


def cache_key(func, grid, fixed=None, seed=0, dims=None) -> dict:
    """The description a sweep's cache folder is keyed by (its SHA-256 names the folder)."""
    grid = _check_grid(grid)
    return {"format": _FORMAT, "function": _function_identity(func),
            "grid": {k: [_jsonable(x) for x in v.tolist()] for k, v in grid.items()},
            "fixed": _jsonable(dict(fixed or {})), "seed": _check_seed(seed),
            "dims": _jsonable({k: list(v) for k, v in (dims or {}).items()}),
            "package": _package_digest()}


# -- tasks -----------------------------------------------------------------------------------
def _call(func, params, fixed, seed):
    """Run one task (in a worker) and return its outputs as a dict of numeric arrays."""
    out = func(**params, **fixed, seed=seed)
    if not isinstance(out, Mapping):
        out = {"result": out}
    arrays = {}
    for name, value in out.items():
        arr = np.asarray(value)
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("__"):
            raise ValueError(f"output names must be identifiers not starting with '__', got {name!r}")
        if arr.dtype.kind not in "biufc":
            raise TypeError(f"output {name!r} must be numeric, got dtype {arr.dtype}")
        arrays[name] = arr
    return arrays


def _atomic_write(path: Path, write):
    """``write(file)`` into a temporary file beside ``path``, fsync it, then rename it onto ``path``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.stem + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _save(path: Path, arrays: dict, task_key: str):
    _atomic_write(path, lambda fh: np.savez(fh, __task__=np.array(task_key), **arrays))


def _load(path: Path, task_key: str):
    """The task's arrays, or None (with a CacheWarning) if the file is missing, unreadable or foreign."""
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["__task__"]) != task_key:
                raise ValueError("file belongs to another task")
            return {k: data[k] for k in data.files if k != "__task__"}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        warnings.warn(f"ignoring cache file {path} ({exc}); recomputing its task", CacheWarning, stacklevel=3)
        path.unlink(missing_ok=True)
        return None


def _progress_enabled(progress) -> bool:
    if progress is None:
        return sys.stderr.isatty() and "PYTEST_CURRENT_TEST" not in os.environ
    return bool(progress)


# -- the sweep -------------------------------------------------------------------------------
def run_sweep(func, grid: Mapping, *, fixed: Mapping | None = None, seed: int | None = 0,
              samples: int | None = None, cache_dir=None, executor=None, dims: Mapping | None = None,
              coords: Mapping | None = None, progress: bool | None = None):
    """Run ``func`` on every point of ``grid`` and return the results as an ``xarray.Dataset``.

    Parameters
    ----------
    func : callable
        ``func(**point, **fixed, seed=numpy.random.SeedSequence)`` -> mapping of numeric outputs
        (each of the same shape at every point) or one numeric output. Must be picklable (defined at
        module level) for process pools and Dask.
    grid : mapping name -> 1-d sequence
        The parameters to sweep; the Dataset's leading dimensions, in this order.
    fixed : mapping, optional
        Keyword arguments passed unchanged to every task (part of the cache key).
    samples : int, optional
        Repeat every grid point this many times with independent seeds: a last dimension
        ``sample`` (0, 1, ...) that is not passed to ``func`` (disorder realisations).
    seed : int >= 0 or None
        Root of the per-task seeds; None draws fresh entropy (recorded in ``attrs["seed"]``).
    cache_dir : path, optional
        Where finished tasks are kept; see the module docstring.
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Where tasks run; None runs them here, one after another.
    dims, coords : mappings, optional
        Names of each output's own axes (default ``<name>_dim_<k>``) and coordinates for them.
    progress : bool or None
        Show a tqdm progress bar (None: only on an interactive terminal outside tests).
    """
    import xarray as xr

    if not callable(func):
        raise TypeError(f"func must be callable, got {func!r}")
    grid = _check_grid(grid)
    if samples is not None:
        if "sample" in grid:
            raise ValueError("grid may not contain 'sample' when samples= is given")
        grid["sample"] = np.arange(as_positive_int("samples", samples))
    fixed = dict(fixed or {})
    clash = (set(fixed) & set(grid)) | ({"seed"} & set(fixed))
    if clash:
        raise ValueError(f"fixed may not repeat grid names or 'seed': {sorted(clash)}")
    seed = _check_seed(seed)
    executor = _check_executor(executor)
    dims = {k: tuple(v) for k, v in (dims or {}).items()}
    names = list(grid)
    shape = tuple(v.size for v in grid.values())
    passed = [k for k in names if not (samples is not None and k == "sample")]
    points = [{k: grid[k][idx[names.index(k)]].item() for k in passed} for idx in np.ndindex(shape)]
    seeds = task_seeds(seed, len(points))

    folder = None
    if cache_dir is not None:
        key = cache_key(func, grid, fixed, seed, dims)
        digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()
        short = key["function"]["name"].rsplit(".", 1)[-1].replace("<", "").replace(">", "")
        folder = Path(cache_dir) / f"{short}-{digest[:16]}"
        folder.mkdir(parents=True, exist_ok=True)
        manifest = folder / "sweep.json"
        if not manifest.exists():
            _atomic_write(manifest, lambda fh: fh.write(json.dumps(key, indent=1, sort_keys=True).encode()))
        for stale in folder.glob("*.tmp"):  # left by a killed writer
            stale.unlink(missing_ok=True)
        task_keys = [f"{digest}/{i}" for i in range(len(points))]

    results = [None] * len(points)
    if folder is not None:
        for i in range(len(points)):
            results[i] = _load(folder / f"task-{i:07d}.npz", task_keys[i])
    todo = [i for i, r in enumerate(results) if r is None]
    n_cached = len(points) - len(todo)

    from tqdm.auto import tqdm
    bar = tqdm(total=len(points), initial=n_cached, disable=not _progress_enabled(progress),
               desc=getattr(func, "__name__", "sweep"), file=sys.stderr)

    def finish(i, arrays):
        results[i] = arrays
        if folder is not None:
            _save(folder / f"task-{i:07d}.npz", arrays, task_keys[i])
        bar.update()

    try:
        if executor is None:
            for i in todo:
                finish(i, _noted(points[i], lambda: _call(func, points[i], fixed, seeds[i])))
        else:
            futures = {executor.submit(_call, func, points[i], fixed, seeds[i]): i for i in todo}
            try:
                for fut in cf.as_completed(futures):
                    i = futures[fut]
                    finish(i, _noted(points[i], fut.result))
            finally:
                for fut in futures:
                    fut.cancel()
    finally:
        bar.close()

    return _dataset(xr, results, grid, shape, dims, coords or {}, attrs={
        "function": _function_name(func), "seed": seed, "criticality_version": _package_digest(),
        "n_tasks": len(points), "n_cached": n_cached, "n_computed": len(todo),
        "cache": str(folder) if folder is not None else "", "fixed": json.dumps(_jsonable(fixed))})


def _noted(point, compute):
    """``compute()``, with the task's parameters added to any exception it raises."""
    try:
        return compute()
    except Exception as exc:
        exc.add_note(f"in sweep task {point}")
        raise


def _dataset(xr, results, grid, shape, dims, coords, attrs):
    first = results[0]
    data_vars = {}
    for name, arr0 in first.items():
        for i, r in enumerate(results):
            if set(r) != set(first):
                raise ValueError(f"task {i} returned outputs {sorted(r)}, task 0 returned {sorted(first)}")
            if r[name].shape != arr0.shape:
                raise ValueError(f"output {name!r} has shape {r[name].shape} in task {i} "
                                 f"but {arr0.shape} in task 0; outputs must have one shape")
        extra = dims.get(name, tuple(f"{name}_dim_{k}" for k in range(arr0.ndim)))
        if len(extra) != arr0.ndim:
            raise ValueError(f"dims[{name!r}] names {len(extra)} axes but the output has {arr0.ndim}")
        stacked = np.stack([r[name] for r in results]).reshape(shape + arr0.shape)
        data_vars[name] = (tuple(grid) + tuple(extra), stacked)
    all_coords = {k: v for k, v in grid.items()}
    all_coords.update({k: np.asarray(v) for k, v in coords.items()})
    return xr.Dataset(data_vars, coords=all_coords, attrs=attrs)

"""Parameter sweeps: labelled results, reproducible per-point seeds, a resumable on-disk cache, any executor.

>>> ds = run_sweep(lyapunov.sample_max_exponent, {"n": [100, 200], "g": [1.0, 2.0, 3.0]},
...                fixed={"arch": "gru", "steps": 500, "transient": 200}, seed=0)   # doctest: +SKIP

``func`` is called once per grid point as ``func(**point, **fixed, seed=seed_sequence)`` and returns a
mapping ``name -> number or array`` (or a single number/array, stored as ``"result"``). The results
come back as an :class:`xarray.Dataset` with one dimension per grid parameter (in the order given,
tasks enumerated in C order, the last parameter fastest) plus the outputs' own dimensions.

Seeds
    A point's seed is ``SeedSequence(seed, spawn_key=k)``, where ``k`` is four 32-bit words of the
    SHA-256 of the point's coordinates: its ``(name, repr(value))`` pairs, sorted by name, including
    ``sample``. A result therefore depends on ``seed`` and the point alone, not on the executor, the
    number of workers, the order of tasks, nor on the other values or the order of the grid: extending
    a grid (more gains, more samples) leaves the points already there unchanged. Values count with
    their type, as the task receives them: ``1`` and ``1.0`` are different points (and numpy turns a
    list mixing ints and floats into floats, so write gains as floats from the start).
    :func:`task_seeds` lists the seeds of a grid.
Cache
    With ``cache_dir``, every finished task is written at once (``.npz`` written to a uniquely named
    temporary file, ``fsync``-ed and atomically renamed) to a file named after the point's coordinates,
    in a folder keyed by the function, the *names* of the grid's parameters, ``fixed``, ``seed``, the
    output dimensions, the file format and the package version together with a hash of the package's
    source files (:func:`cache_key`; ``sweep.json`` in the folder records it and the outputs' names,
    shapes and dtypes). A finished sweep is read back, not recomputed; an interrupted one (an
    exception, Ctrl-C, a killed process) resumes with the tasks still missing; an extended grid
    computes only its new points. Several processes may share a cache folder.
    The function enters the key through what determines its result: its bytecode and constants
    (nested functions included), its default arguments, the values its closure holds and, for a
    :func:`functools.partial`, the wrapped function and arguments. Module-level globals it reads and
    code outside this package that it calls are *not* hashed: delete the folder (``ds.attrs["cache"]``)
    or pass a new ``key=`` when you change them. A function that cannot be hashed (a builtin, a
    callable object, a closure over an arbitrary object) needs ``key=``, a string you change whenever
    the function's behaviour changes.
    Files are read with ``allow_pickle=False``; a file that is unreadable, written for another task or
    not of the recorded names, shapes and dtypes, and a manifest that does not match the sweep, are
    reported with a :class:`CacheWarning` and their tasks recomputed. Temporary files are removed
    only by their writer or, as left behind by a killed writer, once they are an hour old.
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
import contextlib
import functools
import hashlib
import json
import numbers
import os
import sys
import tempfile
import time
import types
import warnings
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np

from ._validate import as_positive_int

__all__ = ["run_sweep", "task_seeds", "cache_key", "process_pool", "WORKERS_VAR", "CacheWarning"]

_FORMAT = 2  # bump when the on-disk layout changes
_STALE_SECONDS = 3600  # a temporary file this old was left by a killed writer


class CacheWarning(UserWarning):
    """A cache file could not be used and its task is recomputed."""


# -- validation ------------------------------------------------------------------------------
def _check_grid(grid, samples=None) -> dict:
    """The grid as name -> 1-d array, with ``sample`` = 0, 1, ... appended when ``samples`` is given."""
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
    if samples is not None:
        if "sample" in out:
            raise ValueError("grid may not contain 'sample' when samples= is given")
        out["sample"] = np.arange(as_positive_int("samples", samples))
    return out


def _check_seed(seed) -> int:
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer or None, got {seed!r}")
    return int(seed)


def _check_key(key):
    if key is not None and not isinstance(key, str):
        raise TypeError(f"key must be a string or None, got {type(key).__name__}")
    if key == "":
        raise ValueError("key must be a non-empty string or None")
    return key


WORKERS_VAR = "CRITICALITY_WORKERS"


def process_pool(workers: int | None = None, blas_threads: int = 1) -> cf.ProcessPoolExecutor:
    """A ``concurrent.futures.ProcessPoolExecutor`` of ``workers`` processes, each limiting its BLAS to
    ``blas_threads`` threads (threadpoolctl): two one-thread workers use two cores without the
    oversubscription of two busy BLAS threads per process. The chapters' pool for sweeps, eigenvalues
    and root searches. ``workers=None`` reads ``$CRITICALITY_WORKERS`` (default 2, for the two-core
    machines that build the book: set it to use more cores in every chapter)."""
    if workers is None:
        text = os.environ.get(WORKERS_VAR, "").strip() or "2"
        if not (text.isdigit() and 1 <= int(text) <= 1024):
            raise ValueError(f"${WORKERS_VAR} must be an integer in [1, 1024], got {text!r}")
        workers = int(text)
    workers = as_positive_int("workers", workers, maximum=1024)
    blas_threads = as_positive_int("blas_threads", blas_threads, maximum=1024)
    from threadpoolctl import threadpool_limits

    return cf.ProcessPoolExecutor(workers, initializer=threadpool_limits, initargs=(blas_threads,))


def _check_executor(executor):
    if executor is None:
        return None
    if hasattr(executor, "get_executor"):  # a dask.distributed.Client
        executor = executor.get_executor()
    if not isinstance(executor, cf.Executor):
        raise TypeError("executor must be None, a concurrent.futures.Executor or a dask.distributed.Client, "
                        f"got {type(executor).__name__}")
    return executor


# -- points and their seeds ------------------------------------------------------------------
def _points(grid: dict) -> list:
    """Every grid point as ``{name: Python scalar}``, in C order (the last name fastest)."""
    return [{name: values[i].item() for (name, values), i in zip(grid.items(), idx)}
            for idx in np.ndindex(*(v.size for v in grid.values()))]


def _point_id(point: dict) -> str:
    """The canonical text of a point, ``{"name": "repr(value)", ...}`` sorted by name: it names the
    point's cache file and seeds it, whatever the rest or the order of the grid."""
    return json.dumps(_jsonable(point), sort_keys=True)


def _point_seed(seed: int, point_id: str):
    digest = hashlib.sha256(point_id.encode()).digest()
    return np.random.SeedSequence(seed, spawn_key=tuple(int.from_bytes(digest[i:i + 4], "little")
                                                        for i in range(0, 16, 4)))


def task_seeds(seed: int, grid: Mapping, *, samples: int | None = None) -> list:
    """The ``SeedSequence`` that :func:`run_sweep` gives each point of ``grid`` (and ``samples``), in C order."""
    seed = _check_seed(seed)
    return [_point_seed(seed, _point_id(p)) for p in _points(_check_grid(grid, samples))]


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


def _code_json(code: types.CodeType) -> dict:
    """Bytecode, constants (nested code objects recursively) and names of a code object."""
    def const(c):
        if isinstance(c, types.CodeType):
            return _code_json(c)
        if isinstance(c, tuple):
            return [const(x) for x in c]
        if isinstance(c, frozenset):  # its iteration order varies between interpreters
            return {"frozenset": sorted(json.dumps(const(x), sort_keys=True) for x in c)}
        return repr(c)
    return {"bytecode": code.co_code.hex(), "consts": [const(c) for c in code.co_consts],
            "names": code.co_names, "varnames": code.co_varnames, "freevars": code.co_freevars,
            "args": [code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount, code.co_flags]}


def _function_json(func, seen: frozenset) -> dict | str:
    """What determines ``func``'s result apart from the globals it reads; TypeError if that can't be hashed."""
    if isinstance(func, functools.partial):
        return {"partial": _function_json(func.func, seen), "args": _jsonable(func.args, seen),
                "keywords": _jsonable(func.keywords, seen)}
    if isinstance(func, types.MethodType):
        return {"method": _function_json(func.__func__, seen), "self": _jsonable(func.__self__, seen)}
    if not isinstance(func, types.FunctionType):
        raise TypeError(f"cannot hash the code of {type(func).__name__} {func!r}")
    if id(func) in seen:  # a closure that refers to itself
        return "<recursive>"
    seen = seen | {id(func)}
    closure = []
    for cell in func.__closure__ or ():
        try:
            closure.append(_jsonable(cell.cell_contents, seen))
        except ValueError:  # a cell not yet assigned
            closure.append({"empty cell": True})
    return {"code": _code_json(func.__code__), "closure": closure,
            "defaults": _jsonable(func.__defaults__ or (), seen),
            "kwdefaults": _jsonable(func.__kwdefaults__ or {}, seen)}


def _function_hash(func, seen: frozenset = frozenset()) -> str:
    return hashlib.sha256(json.dumps(_function_json(func, seen), sort_keys=True).encode()).hexdigest()


def _function_identity(func, key: str | None) -> dict:
    name = _function_name(func)
    if key is not None:
        return {"name": name, "key": key}
    try:
        return {"name": name, "code": _function_hash(func)}
    except TypeError as exc:
        raise TypeError(f"cache_dir needs func's code and the values it holds to be hashable, but {exc}; pass "
                        f"key='...' to run_sweep, a string you change whenever {name} changes") from None


def _jsonable(value, seen: frozenset = frozenset()):
    """A JSON description of ``value`` that identifies it (arrays and functions by a hash)."""
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise TypeError("cannot hash an object array")
        return {"ndarray": hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest(),
                "dtype": value.dtype.str, "shape": list(value.shape)}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, seen) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v, seen) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (types.FunctionType, types.MethodType, functools.partial)):
        return {"function": _function_name(value), "code": _function_hash(value, seen)}
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (str, numbers.Number)):
        return repr(value)  # keeps 1, 1.0 and "1" apart, and every digit of a float
    if isinstance(value, type):  # by name, like a module: their code is not hashed
        return f"{value.__module__}.{value.__qualname__}"
    if isinstance(value, types.ModuleType):
        return f"module {value.__name__}"
    raise TypeError(f"cannot hash {type(value).__name__} (only numbers, strings, None, arrays, types, "
                    "modules, functions and lists/dicts of these)")


def cache_key(func, grid, fixed=None, seed=0, dims=None, *, samples=None, key=None) -> dict:
    """The description a sweep's cache folder is keyed by (its SHA-256 names the folder).

    It takes :func:`run_sweep`'s arguments; of ``grid`` only the parameter names count, so a sweep over
    more values shares the folder (each point has its own file).
    """
    grid = _check_grid(grid, samples)
    try:
        fixed = _jsonable(dict(fixed or {}))
    except TypeError as exc:
        raise TypeError(f"fixed arguments are part of the cache key, but {exc}") from None
    return {"format": _FORMAT, "function": _function_identity(func, _check_key(key)),
            "grid": sorted(grid), "samples": samples is not None, "fixed": fixed, "seed": _check_seed(seed),
            "dims": _jsonable({k: list(v) for k, v in (dims or {}).items()}), "package": _package_digest()}


# -- tasks and files -------------------------------------------------------------------------
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


def _layout(arrays: dict) -> dict:
    """Outputs' names, shapes and dtypes, as JSON (recorded in the manifest, checked on every load)."""
    return {name: [list(arr.shape), arr.dtype.str] for name, arr in sorted(arrays.items())}


def _atomic_write(path: Path, write):
    """``write(file)`` into a uniquely named temporary file beside ``path``, fsync it, rename it onto ``path``.

    Concurrent writers of one path each rename a complete file; readers see one of them, whole.
    """
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


def _remove_stale_temporaries(folder: Path):
    """Remove temporary files left by killed writers; a live writer's (younger) ones are left alone."""
    now = time.time()
    for tmp in folder.glob("*.tmp"):
        with contextlib.suppress(FileNotFoundError):  # renamed by its writer meanwhile
            if now - tmp.stat().st_mtime > _STALE_SECONDS:
                tmp.unlink()


def _read_manifest(path: Path, key: dict):
    """The output layout recorded in ``sweep.json`` if the file describes this sweep, else None
    (nothing in the folder is reused; with a CacheWarning if the file exists but doesn't match)."""
    try:
        found = json.loads(path.read_text())
        layout = found.pop("layout")
        if json.dumps(found, sort_keys=True) != json.dumps(key, sort_keys=True):
            raise ValueError("it describes another sweep")
        return layout
    except FileNotFoundError:
        return None
    except Exception as exc:
        warnings.warn(f"ignoring cache manifest {path} ({exc!r}); recomputing every task", CacheWarning,
                      stacklevel=3)
        return None


def _load(path: Path, task_key: str, layout: dict):
    """The task's arrays; None if the file is missing or (with a CacheWarning) unusable: unreadable,
    written for another task, or with other names, shapes or dtypes than ``layout``."""
    try:
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as data:  # fh: closed even if np.load fails
            if str(data["__task__"]) != task_key:
                raise ValueError("written for another task")
            arrays = {k: data[k] for k in data.files if k != "__task__"}
        if _layout(arrays) != layout:
            raise ValueError(f"outputs {_layout(arrays)}, expected {layout}")
        return arrays
    except FileNotFoundError:
        return None
    except Exception as exc:  # whatever a damaged or crafted file raises, it is only a cache miss
        warnings.warn(f"ignoring cache file {path} ({exc!r}); recomputing its task", CacheWarning, stacklevel=3)
        return None


def _progress_enabled(progress) -> bool:
    if progress is None:
        return sys.stderr.isatty() and "PYTEST_CURRENT_TEST" not in os.environ
    return bool(progress)


# -- the sweep -------------------------------------------------------------------------------
def run_sweep(func, grid: Mapping, *, fixed: Mapping | None = None, seed: int | None = 0,
              samples: int | None = None, cache_dir=None, key: str | None = None, executor=None,
              dims: Mapping | None = None, coords: Mapping | None = None, progress: bool | None = None):
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
        Root of the per-point seeds; None draws fresh entropy (recorded in ``attrs["seed"]``).
    cache_dir : path, optional
        Where finished tasks are kept; see the module docstring.
    key : str, optional
        Stands for ``func`` in the cache key instead of the hash of its code and the values it holds;
        required with ``cache_dir`` when those cannot be hashed. Change it whenever ``func`` changes.
        Module-level globals that ``func`` reads and code outside this package are never hashed.
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
    full = _check_grid(grid, samples)
    fixed = dict(fixed or {})
    clash = (set(fixed) & set(full)) | ({"seed"} & set(fixed))
    if clash:
        raise ValueError(f"fixed may not repeat grid names or 'seed': {sorted(clash)}")
    seed = _check_seed(seed)
    _check_key(key)
    executor = _check_executor(executor)
    dims = {k: tuple(v) for k, v in (dims or {}).items()}
    coordinates = _points(full)
    point_ids = [_point_id(p) for p in coordinates]
    seeds = [_point_seed(seed, pid) for pid in point_ids]
    points = [{k: v for k, v in p.items() if not (samples is not None and k == "sample")} for p in coordinates]

    folder = layout = None
    if cache_dir is not None:
        description = cache_key(func, grid, fixed, seed, dims, samples=samples, key=key)
        digest = hashlib.sha256(json.dumps(description, sort_keys=True).encode()).hexdigest()
        short = description["function"]["name"].rsplit(".", 1)[-1].replace("<", "").replace(">", "")
        folder = Path(cache_dir) / f"{short}-{digest[:16]}"
        folder.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporaries(folder)
        layout = _read_manifest(folder / "sweep.json", description)
        files = [folder / f"task-{hashlib.sha256(pid.encode()).hexdigest()[:32]}.npz" for pid in point_ids]
        task_keys = [f"{digest}/{pid}" for pid in point_ids]

    results = [None] * len(points)
    if layout is not None:
        for i in range(len(points)):
            results[i] = _load(files[i], task_keys[i], layout)
    todo = [i for i, r in enumerate(results) if r is None]
    n_cached = len(points) - len(todo)

    from tqdm.auto import tqdm
    bar = tqdm(total=len(points), initial=n_cached, disable=not _progress_enabled(progress),
               desc=getattr(func, "__name__", "sweep"), file=sys.stderr)

    def finish(i, arrays):
        nonlocal layout
        results[i] = arrays
        if folder is not None:
            if layout is None:  # the manifest goes first: a task file is only read with it
                layout = _layout(arrays)
                manifest = json.dumps({**description, "layout": layout}, indent=1, sort_keys=True).encode()
                _atomic_write(folder / "sweep.json", lambda fh: fh.write(manifest))
            _atomic_write(files[i], lambda fh: np.savez(fh, __task__=np.array(task_keys[i]), **arrays))
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

    return _dataset(xr, results, full, dims, coords or {}, attrs={
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


def _dataset(xr, results, grid, dims, coords, attrs):
    shape = tuple(v.size for v in grid.values())
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

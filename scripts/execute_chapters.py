"""Execute every chapter of the book afresh into a jupyter-cache, two at a time, so that the build
that follows only renders them. Used by scripts/build.sh:

    python scripts/execute_chapters.py CACHE CONFIG [--jobs 2] [--alone book/performance]
    jupyter-book build . --config CONFIG

CONFIG is written: _config.yml with ``execute_notebooks: cache`` and this cache (and the local
extensions' folders made absolute, since jupyter-book reads them relative to the config's folder).
_config.yml itself keeps ``force``, so that a build by hand never renders stale outputs.

The chapters are the notebooks of _toc.yml, read as myst-nb reads them, so that the build finds each
one in the cache (same code cells, same hash). They run ``--jobs`` at a time in the order of the
table of contents, each kernel with one BLAS thread (two kernels on two cores: a second busy thread
each would only oversubscribe them; the chapters' process pools keep their two one-thread workers,
so that the last chapter running still has both cores). The pages of ``--alone`` (the performance
appendix, which measures the machine) then run by themselves, with every thread. A chapter that
raises fails the script (its traceback printed, no configuration written), as it would fail the
strict build.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import shutil
import sys
import time
from pathlib import Path

import yaml
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from jupyter_cache.executors.utils import single_nb_execution
from myst_nb.core.read import is_myst_markdown_notebook, myst_nb_reader_plugin

ROOT = Path(__file__).resolve().parent.parent
ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def chapters(toc: dict) -> list[Path]:
    """The pages of the table of contents that are MyST notebooks, in its order."""
    files = [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part.get("chapters", [])]
    paths = [ROOT / f"{f}.md" for f in files]
    return [p for p in paths if is_myst_markdown_notebook(p.read_text(encoding="utf-8"))]


def execute(path: Path, timeout: int, threads: int | None):
    """``(path, executed notebook, seconds, traceback or None)``; the kernel inherits ``threads``."""
    if threads is not None:  # in a pool's worker process, whose kernels inherit its environment
        os.environ.update({var: str(threads) for var in ONE_THREAD})
    nb = myst_nb_reader_plugin(str(path))
    result = single_nb_execution(nb, cwd=str(path.parent), timeout=timeout, allow_errors=False)
    return path, nb, result.time, result.exc_string


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("cache", type=Path, help="the jupyter-cache folder (emptied first)")
    p.add_argument("config", type=Path, help="the configuration to write, for jupyter-book build --config")
    p.add_argument("--jobs", type=int, default=2, help="chapters executed at a time (default 2)")
    p.add_argument("--alone", nargs="*", default=["book/performance"],
                   help="pages executed afterwards by themselves, with all threads")
    args = p.parse_args()
    if args.jobs < 1:
        p.error(f"--jobs must be at least 1, got {args.jobs}")
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    timeout = int(config.get("execute", {}).get("timeout", 1200))
    pages = chapters(yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8")))
    alone = [ROOT / f"{a}.md" for a in args.alone]
    unknown = [str(a) for a in alone if a not in pages]
    if unknown:
        p.error(f"--alone names pages that are not notebooks of _toc.yml: {unknown}")
    shutil.rmtree(args.cache, ignore_errors=True)
    cache = get_cache(str(args.cache))
    start = time.perf_counter()

    def store(path, nb, seconds, error):
        name = path.relative_to(ROOT)
        if error is not None:
            print(f"{name}: failed after {seconds:.0f} s\n{error}", file=sys.stderr)
            return False
        cache.cache_notebook_bundle(CacheBundleIn(nb, str(path), data={"execution_seconds": seconds}),
                                    check_validity=False, overwrite=True)
        print(f"{name}: {seconds:.0f} s (at {time.perf_counter() - start:.0f} s)", flush=True)
        return True

    together = [page for page in pages if page not in alone]
    with cf.ProcessPoolExecutor(max_workers=args.jobs) as pool:
        jobs = [pool.submit(execute, page, timeout, 1 if args.jobs > 1 else None) for page in together]
        ok = all([store(*job.result()) for job in jobs])
    ok = all([store(*execute(page, timeout, None)) for page in alone]) and ok
    print(f"{len(pages)} chapters executed in {time.perf_counter() - start:.0f} s, {args.jobs} at a time")
    if ok:
        write_config(config, args.cache, args.config)
    return 0 if ok else 1


def write_config(config: dict, cache: Path, path: Path):
    """_config.yml, to render from ``cache`` instead of executing (see the module docstring)."""
    config["execute"] = {**config.get("execute", {}), "execute_notebooks": "cache", "cache": str(cache.resolve())}
    local = config.get("sphinx", {}).get("local_extensions", {})
    for name, folder in local.items():
        local[name] = str((ROOT / folder).resolve())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# written by scripts/execute_chapters.py from _config.yml\n"
                    + yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())

"""scripts/execute_chapters.py: the chapters it executes, that the build finds them in the cache (the
same hash as myst-nb's own reading of the page), the kernels' one BLAS thread, a failing chapter, and
the configuration it writes."""

import concurrent.futures as cf
import importlib.util
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
_SPEC = importlib.util.spec_from_file_location("execute_chapters", ROOT / "scripts" / "execute_chapters.py")
execute_chapters = sys.modules.setdefault("execute_chapters", importlib.util.module_from_spec(_SPEC))
_SPEC.loader.exec_module(execute_chapters)

PAGE = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# A page

```{code-cell} ipython3
:tags: [hide-input]

import os
print(os.environ.get("OPENBLAS_NUM_THREADS"))
```

Some text, then a cell that {BODY}.

```{code-cell} ipython3
x = 6 * 7
{RAISE}x
```
"""


def _page(tmp_path, name, fails=False):
    path = tmp_path / f"{name}.md"
    body = PAGE.replace("{BODY}", "raises" if fails else "does not")
    path.write_text(body.replace("{RAISE}", "1 / 0\n" if fails else ""), encoding="utf-8")
    return path


def test_chapters_are_the_paired_notebooks_of_the_toc():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = execute_chapters.chapters(toc)
    assert len(pages) == len(set(pages))
    assert set(pages) == {p.with_suffix(".md") for p in (ROOT / "book").glob("*.ipynb")}
    assert pages[-1] == ROOT / "book" / "reproducibility.md"  # the order of the table of contents


def test_an_executed_page_is_found_by_the_build(tmp_path):
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from myst_nb.core.config import NbParserConfig
    from myst_nb.core.read import create_nb_reader
    from myst_parser.config.main import MdParserConfig

    path = _page(tmp_path, "page")
    with cf.ProcessPoolExecutor(1) as pool:  # as in the script: the worker's environment changes
        done, nb, seconds, error = pool.submit(execute_chapters.execute, path, 60, 1).result()
    assert error is None and done == path and seconds > 0
    cells = [c for c in nb.cells if c.cell_type == "code"]
    assert cells[0].outputs[0]["text"].strip() == "1"  # the kernel had one BLAS thread
    assert cells[1].outputs[0]["data"]["text/plain"] == "42"
    cache = get_cache(str(tmp_path / "cache"))
    cache.cache_notebook_bundle(CacheBundleIn(nb, str(path)), check_validity=False)
    text = path.read_text(encoding="utf-8")  # read as the build reads a page
    reader = create_nb_reader(str(path), MdParserConfig(), NbParserConfig(), text)
    merged = cache.merge_match_into_notebook(reader.read(text))[1]
    assert [c.outputs for c in merged.cells if c.cell_type == "code"] == [c.outputs for c in cells]
    _, nb, _, _ = execute_chapters.execute(path, 60, None)  # in this process, its threads as they are
    changed = [c for c in nb.cells if c.cell_type == "code"][1]
    changed.source = "x = 6 * 9\nx"  # other code: no match, the build would not use stale outputs
    with pytest.raises(KeyError):
        cache.match_cache_notebook(nb)


def test_a_failing_page_is_reported(tmp_path):
    _, _, _, error = execute_chapters.execute(_page(tmp_path, "bad", fails=True), 60, None)
    assert error is not None and "ZeroDivisionError" in error


def test_written_config_renders_from_the_cache(tmp_path):
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["execute"]["execute_notebooks"] == "force"  # a build by hand executes afresh
    out = tmp_path / "config.yml"
    execute_chapters.write_config(yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8")),
                                  tmp_path / "cache", out)
    written = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert written["execute"]["execute_notebooks"] == "cache"
    assert written["execute"]["cache"] == str((tmp_path / "cache").resolve())
    for name, folder in written["sphinx"]["local_extensions"].items():
        assert Path(folder).is_absolute() and (Path(folder) / f"{name}.py").is_file()
    for key in ("execute", "sphinx"):
        written.pop(key), config.pop(key)
    assert written == config


def test_build_writes_the_cached_notebooks_with_outputs(tmp_path):
    """book/_ext/book_assets.py: in cache mode myst-nb writes the notebook it read, without outputs, to
    jupyter_execute (what nbval reads in test.sh); the extension writes the cached, executed one there."""
    from types import SimpleNamespace

    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    spec = importlib.util.spec_from_file_location("book_assets", ROOT / "book" / "_ext" / "book_assets.py")
    book_assets = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(book_assets)
    path = _page(tmp_path, "page")
    _, nb, _, _ = execute_chapters.execute(path, 60, None)
    cache = get_cache(str(tmp_path / "cache"))
    cache.cache_notebook_bundle(CacheBundleIn(nb, str(path)), check_validity=False)
    out = tmp_path / "jupyter_execute"

    def app(mode):
        config = SimpleNamespace(execution_mode=mode, execution_cache_path=str(tmp_path / "cache"),
                                 output_folder=str(out))
        docs = {str(path): "book/page"}
        return SimpleNamespace(env=SimpleNamespace(mystnb_config=config, path2doc=docs.get))

    book_assets._write_cached_notebooks(app("force"), None)  # executed in the build: nothing to do
    assert not out.exists()
    book_assets._write_cached_notebooks(app("cache"), None)
    written = nbformat.read(out / "book" / "page.ipynb", as_version=4)
    code = [c for c in written.cells if c.cell_type == "code"]
    assert code[1].outputs[0]["data"]["text/plain"] == "42"

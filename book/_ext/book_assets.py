"""Sphinx extension of this book: which scripts a page loads.

Loaded through ``sphinx: local_extensions`` in ``_config.yml``. It

1. loads MathJax (the bundled copy, ``mathjax_path``) on *every* page. Sphinx adds it only to pages
   whose body has math, but every page's sidebar shows the chapter titles, some of which contain
   math (``$g_c = 1$``), as do link texts and the search page. The asset policy ``always`` makes
   ``sphinx.ext.mathjax`` add it unconditionally;
2. removes sphinx-thebe's page assets. jupyter-book always loads the ``sphinx_thebe`` extension,
   which, even with ``launch_buttons: thebe: false``, writes ``const THEBE_JS_URL = "https://unpkg..."``
   into every page (twice: once from the extension registry and once from the builder, which the
   browser reports as "THEBE_JS_URL has already been declared"), loads ``sphinx-thebe.js`` and
   appends a Binder configuration for an unrelated repository. This book runs no code in the
   browser, so none of it is wanted;
3. writes the executed notebooks to ``_build/jupyter_execute`` when the chapters were rendered from a
   jupyter-cache (``execute_notebooks: cache``, as ``scripts/build.sh`` does after executing them with
   ``scripts/execute_chapters.py``). myst-nb 1.x renders such a page from the cached outputs, but writes
   the notebook it read, without any output, to that folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

_THEBE_HANDLERS = {"init_thebe_core", "update_thebe_context"}
_THEBE_FILES = {"sphinx-thebe.js", "sphinx-thebe.css"}


def _is_thebe_asset(filename: Any, attributes: dict) -> bool:
    name = str(filename or "").rsplit("/", 1)[-1].split("?", 1)[0]
    return name in _THEBE_FILES or "THEBE_JS_URL" in str(attributes.get("body", ""))


def _drop_thebe(app) -> None:
    """Disconnect sphinx-thebe's handlers that add scripts and per-page configuration."""
    for listeners in app.events.listeners.values():
        for listener in list(listeners):
            handler = listener.handler
            if (getattr(handler, "__module__", "").startswith("sphinx_thebe")
                    and getattr(handler, "__name__", "") in _THEBE_HANDLERS):
                app.disconnect(listener.id)
    app.registry.css_files[:] = [(f, a) for f, a in app.registry.css_files if not _is_thebe_asset(f, a)]
    app.registry.js_files[:] = [(f, a) for f, a in app.registry.js_files if not _is_thebe_asset(f, a)]


def _drop_thebe_from_builder(app) -> None:
    """Also clean the builder's asset lists, filled from the registry when the builder started."""
    builder = app.builder
    for attr in ("_css_files", "_js_files"):
        assets = getattr(builder, attr, None)
        if assets is not None:
            assets[:] = [a for a in assets if not _is_thebe_asset(a.filename, a.attributes)]


def _write_cached_notebooks(app, exception) -> None:
    """Item 3: each cached notebook of a page of this build, with its outputs, in ``jupyter_execute``."""
    config = getattr(app.env, "mystnb_config", None)
    if exception is not None or config is None or config.execution_mode != "cache":
        return
    import nbformat
    from jupyter_cache import get_cache

    cache = get_cache(config.execution_cache_path)
    for record in cache.list_cache_records():
        docname = app.env.path2doc(record.uri)
        if docname is not None:
            target = Path(config.output_folder, f"{docname}.ipynb")
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(cache.get_cache_bundle(record.pk).nb, target)


def setup(app):
    # sphinx_thebe is set up before local extensions (jupyter-book lists it among its defaults)
    _drop_thebe(app)
    app.connect("builder-inited", _drop_thebe_from_builder)
    app.set_html_assets_policy("always")
    app.connect("build-finished", _write_cached_notebooks)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

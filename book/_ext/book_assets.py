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
   browser, so none of it is wanted.
"""

from __future__ import annotations

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


def setup(app):
    # sphinx_thebe is set up before local extensions (jupyter-book lists it among its defaults)
    _drop_thebe(app)
    app.connect("builder-inited", _drop_thebe_from_builder)
    app.set_html_assets_policy("always")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

"""Reproduction tables and a record of how a chapter was computed."""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass, field
from importlib import metadata

from .profiles import profile


@dataclass
class Row:
    claim: str
    source: str  # where the claim is made, e.g. "thesis Fig. 2"
    expected: str  # the source's value, as text
    ours: str  # our value, as text
    agree: bool
    tolerance: str = ""
    exact: bool = False  # True when ``ours`` does not depend on the profile (quadrature, algebra)
    sized: bool = False  # True when the verdict itself depends on the run sizes (finite-size trends)


@dataclass
class ReproductionTable:
    """The reproduction table that closes every chapter.

    ``display()`` (or the notebook's rich repr) shows every number; :meth:`check` prints only what
    does not depend on the run size -- claims, exact values and agreement -- so nbval can compare
    it across profiles. Rows added with ``sized=True`` (finite-size trends whose verdict changes
    with the sizes of the run) are listed there without a verdict.
    """

    rows: list[Row] = field(default_factory=list)

    def add(self, claim, source, expected, ours, agree, tolerance="", exact=False, sized=False):
        self.rows.append(Row(claim, source, str(expected), str(ours), bool(agree), tolerance, exact, sized))
        return self

    def _repr_markdown_(self):
        lines = ["| claim | source | source's value | ours | tolerance | reproduced |",
                 "|---|---|---|---|---|---|"]
        def cell(text):  # a literal "|" would end the table cell
            return str(text).replace("|", "\\|")

        for r in self.rows:
            lines.append(f"| {cell(r.claim)} | {cell(r.source)} | {cell(r.expected)} | {cell(r.ours)} | "
                         f"{cell(r.tolerance)} | {'yes' if r.agree else '**no**'} |")
        return "\n".join(lines)

    def check(self) -> str:
        out = []
        for r in self.rows:
            if r.sized:  # the verdict depends on the sizes of the run: shown in the table, not compared
                out.append(f"  ~ | {r.claim} (verdict depends on the run size; see the table)")
                continue
            value = f" = {r.ours}" if r.exact else ""
            out.append(f"{'yes' if r.agree else 'NO '} | {r.claim}{value}")
        return "\n".join(out)

    @property
    def all_agree(self) -> bool:
        return all(r.agree for r in self.rows)


def environment() -> dict:
    """Versions, profile and BLAS threads behind a run, for the reproducibility page."""
    info = {"python": sys.version.split()[0], "platform": platform.platform(), "profile": profile().name}
    for pkg in ("criticality", "numpy", "scipy", "matplotlib", "jupyter-book", "myst-nb", "sphinx",
                "jupytext", "nbval", "ipywidgets"):
        try:
            info[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            info[pkg] = "not installed"
    try:
        from threadpoolctl import threadpool_info

        info["blas"] = ", ".join(f"{d.get('internal_api')} {d.get('version')} ({d.get('num_threads')} threads)"
                                 for d in threadpool_info() if d.get("user_api") == "blas")
    except ImportError:
        import numpy as np

        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        info["blas"] = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    return info

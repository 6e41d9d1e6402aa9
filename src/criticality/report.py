"""Reproduction tables and a record of how a chapter was computed."""

from __future__ import annotations

import platform
import re
import sys
from dataclasses import dataclass, field
from importlib import metadata

from .profiles import profile


_ROLE = re.compile(r"\{([A-Za-z][\w:-]*)\}`([^`]*)`")  # {role}`content`
_EXPLICIT = re.compile(r"^(.*?)\s*<([^<>]+)>$", re.S)  # "text <label>"
_KIND = {"eq": "Eq. ", "fig": "Fig. ", "tab": "Table ", "sec": "", "ch": ""}  # label prefixes


def _plain_role(match: re.Match) -> str:
    role, content = match.group(1), match.group(2).strip()
    explicit = _EXPLICIT.match(content)
    label = explicit.group(2).strip() if explicit else content
    kind, _, rest = label.partition("-")
    short = rest if kind in _KIND and rest else label
    if explicit:  # {numref}`Fig. %s <fig-x>`, {ref}`text <label>`
        return explicit.group(1).replace("%s", short)
    if role in ("eq", "numref"):
        return ("Eq. " if role == "eq" else _KIND.get(kind, "")) + short
    return content  # {ref}`label`, {cite:p}`key`, ...


_SYMBOLS = {
    **{name: chr(0x3B1 + i) for i, name in enumerate(
        "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
        "varsigma sigma tau upsilon phi chi psi omega".split())},
    **{name: chr(0x391 + i) for i, name in enumerate(
        "Alpha Beta Gamma Delta Epsilon Zeta Eta Theta Iota Kappa Lambda Mu Nu Xi Omicron Pi Rho "
        "Varsigma Sigma Tau Upsilon Phi Chi Psi Omega".split())},
    "varepsilon": "ε", "varphi": "φ", "geq": "≥", "ge": "≥", "leq": "≤", "le": "≤", "neq": "≠",
    "approx": "≈", "sim": "~", "simeq": "≃", "propto": "∝", "to": "→", "infty": "∞", "pm": "±",
    "times": "×", "cdot": "·", "dots": "…", "ldots": "…", "cdots": "…", "langle": "⟨", "rangle": "⟩",
    "lVert": "‖", "rVert": "‖", "Vert": "‖", "lvert": "|", "rvert": "|", "Leftrightarrow": "⇔",
    "Rightarrow": "⇒", "in": "∈", "partial": "∂", "nabla": "∇", "sum": "Σ", "prod": "Π", "int": "∫",
    ",": " ", ";": " ", ":": " ", "!": "", "quad": " ", "qquad": " ", "{": "{", "}": "}", "|": "‖",
}
_FONT = re.compile(r"\\(?:mathbb|mathcal|mathrm|mathbf|mathit|operatorname|text|textrm|boldsymbol)\{([^{}]*)\}")
_SQRT = re.compile(r"\\sqrt\{([^{}]*)\}")
_FRAC = re.compile(r"\\t?d?frac\{([^{}]*)\}\{([^{}]*)\}")
_FRAC_DIGITS = re.compile(r"\\t?d?frac\s*(\d)\s*(\d)\s*")  # \tfrac12 -> "(1/2) "
_GROUP = re.compile(r"([_^])\{([^{}]*)\}")
_COMMAND = re.compile(r"\\([A-Za-z]+|[,;:!{}|])( ?)")
_OPENING = {"langle", "lVert", "lvert"}  # a space after these is dropped: "\\lVert U" -> "‖U"


def _plain_command(match: re.Match) -> str:
    name, space = match.group(1), match.group(2)
    if name in _SYMBOLS:
        return _SYMBOLS[name] + ("" if name in _OPENING else space)
    rest = match.string[match.end():match.end() + 1]
    return name + (" " if space or rest.isalpha() or rest == "\\" else "")  # \ln\chi -> "ln χ"


def _plain_math(tex: str) -> str:
    """A LaTeX formula as readable text: Greek letters and relations as Unicode, ``\\sqrt{x}`` ->
    ``√(x)``, ``x^{1/3}`` -> ``x^(1/3)``, ``T_{\\max}`` -> ``T_max``; unknown commands lose the backslash."""
    for _ in range(3):  # innermost groups first, a few levels deep
        tex = _FONT.sub(r"\1", tex)
        tex = _SQRT.sub(lambda m: "√" + m.group(1) if re.fullmatch(r"\\[A-Za-z]+|\w", m.group(1))
                        else f"√({m.group(1)})", tex)
        tex = re.sub(r"\\sqrt\s*(\\[A-Za-z]+|\w)", r"√\1", tex)
        tex = _FRAC.sub(r"(\1)/(\2)", tex)
        tex = _FRAC_DIGITS.sub(r"(\1/\2) ", tex)
    tex = _COMMAND.sub(_plain_command, tex)
    tex = _GROUP.sub(lambda m: m.group(1) + (m.group(2) if len(m.group(2)) == 1 or m.group(1) == "_"
                                             else f"({m.group(2)})"), tex)
    return tex.replace("^*", "*").replace("{", "").replace("}", "")


def plain_text(markup: str) -> str:
    """MyST inline markup of a table cell as readable plain text (for :meth:`ReproductionTable.check`).

    ``$...$`` math becomes text (``$\\sigma_b \\leq 2$`` -> ``σ_b ≤ 2``) and references lose their
    role syntax: ``{eq}`eq-mlp-small-bias``` -> ``Eq. mlp-small-bias``, ``{numref}`fig-gl-hist``` ->
    ``Fig. gl-hist``, ``{ref}`text <label>``` -> ``text``; any other ``{role}`content``` -> ``content``.
    """
    text = _ROLE.sub(_plain_role, str(markup))
    return re.sub(r"\$([^$]+)\$", lambda m: _plain_math(m.group(1)), text)


@dataclass
class Row:
    claim: str  # MyST inline markup: $...$ math, {eq}`label`/{numref}`label` references
    source: str  # where the claim is made, e.g. "thesis Fig. 2" or "this book, {eq}`eq-mlp-small-bias`"
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

    Cells are MyST inline markup: the table is a Markdown output parsed with MyST
    (``nb_render_markdown_format: myst``), so ``$g_c = 1$`` renders as math and
    ``{eq}`eq-label``` / ``{numref}`fig-label``` as numbered links. :meth:`check` prints the
    same text with the references reduced to plain words (:func:`plain_text`).
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
                out.append(f"  ~ | {plain_text(r.claim)} (verdict depends on the run size; see the table)")
                continue
            value = f" = {plain_text(r.ours)}" if r.exact else ""
            out.append(f"{'yes' if r.agree else 'NO '} | {plain_text(r.claim)}{value}")
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

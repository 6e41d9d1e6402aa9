#!/usr/bin/env python3
"""Scan the built book for presentation bugs that a successful Sphinx build does not report.

Usage: python scripts/check_html.py [BUILD_HTML_DIR]   (default: _build/html)

Every page (``*.html`` outside ``_static``) is parsed with :mod:`html.parser` and fails the check if
it contains

- a doubled reference prefix in its text: "Eq. Eq.", "Eqs. Eq.", "Fig. Fig." (a prefix written in the
  text before a role that prints its own);
- MyST syntax printed as text: a role (``{eq}`...```, ``{numref}`...```, ``{glue:text}`...```, ...) or
  a label such as ``(eq-...)`` / ``(fig-...)``;
- raw LaTeX outside a math element: a backslash command or ``\\(``, ``_{``, ``^{``, ``$``, or an
  ASCII subscript such as ``g_c``, ``sigma_b`` -- in body text, titles, the sidebar, link texts
  and table cells alike (text inside ``<script>``, ``<style>``, ``<pre>``, ``<code>`` and elements
  of class ``math`` is skipped);
- a script or stylesheet loaded from the network (``http://``, ``https://``, ``//``), or a local one
  that is missing from the build;
- math (an element of class ``math``) without a MathJax script on the page.

Exit status 1 lists every problem as ``page:line: problem: snippet``; 0 prints a one-line summary.
Standard library only.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
        "track", "wbr"}
SKIP_TAGS = {"script", "style", "pre", "code", "kbd", "samp", "textarea", "template", "svg", "math"}
MATH_CLASSES = {"math", "MathJax", "MathJax_Display", "MathJax_Preview"}
BLOCK = {"p", "div", "li", "td", "th", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "nav",
         "title", "dt", "dd", "figcaption", "caption", "blockquote", "table", "ul", "ol", "header",
         "footer", "main", "article", "aside", "details", "summary", "label", "button", "option"}

DOUBLED = re.compile(r"\b(?:Eqs?|Figs?)\.\s+(?:Eq|Fig)\.|\bTables?\s+Table\b")
MYST_ROLE = re.compile(r"\{[A-Za-z][\w.:+-]*\}`")
MYST_LABEL = re.compile(r"\((?:eq|fig|sec|ch|tab|exercise)-[\w-]+\)")
LATEX = [
    (re.compile(r"\\[A-Za-z]+"), "backslash command"),
    (re.compile(r"\\[()\[\]]"), "math delimiter"),
    (re.compile(r"[_^]\{"), "LaTeX sub/superscript"),
    (re.compile(r"\$"), "dollar sign"),
    (re.compile(r"(?<![\w./-])(?:[A-Za-z]|alpha|beta|gamma|delta|epsilon|eta|theta|kappa|lambda|mu|nu|"
                r"xi|pi|rho|sigma|tau|phi|chi|psi|omega|Gamma|Delta|Lambda|Sigma|Phi|Psi|Omega)"
                r"_(?:[A-Za-z0-9]{1,4}|\{)(?![\w])"), "ASCII subscript"),
]
REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)
STYLESHEET_RELS = {"stylesheet", "preload", "modulepreload"}


@dataclass
class Problem:
    page: str
    line: int
    kind: str
    snippet: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.kind}: {self.snippet}"


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped) of open elements
        self.skip = 0  # number of open elements whose text is not prose
        self.chunks: list[tuple[int, str]] = []  # prose text with its source line
        self.flow: list[tuple[int, str]] = []  # prose text and block separators, for cross-tag patterns
        self.scripts: list[tuple[int, str]] = []  # src of <script>
        self.styles: list[tuple[int, str]] = []  # href of <link rel=stylesheet|preload>
        self.inline_css: list[tuple[int, str]] = []
        self.has_math = False
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        line = self.getpos()[0]
        classes = set((a.get("class") or "").split())
        if tag == "script" and a.get("src"):
            self.scripts.append((line, a["src"]))
        if tag == "link" and a.get("href"):
            rel = set((a.get("rel") or "").lower().split())
            if rel & STYLESHEET_RELS and (not rel & {"preload", "modulepreload"}
                                           or (a.get("as") or "") in ("script", "style", "font", "")):
                self.styles.append((line, a["href"]))
        if classes & MATH_CLASSES or tag == "math":
            self.has_math = True
        if tag in VOID:
            return
        skipped = tag in SKIP_TAGS or bool(classes & MATH_CLASSES) or tag.startswith("mjx-")
        self._in_style = tag == "style"
        self.stack.append((tag, skipped))
        self.skip += skipped
        if tag in BLOCK:
            self.flow.append((line, "\n"))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        for i in range(len(self.stack) - 1, -1, -1):  # close up to the matching element
            if self.stack[i][0] == tag:
                for _, skipped in self.stack[i:]:
                    self.skip -= skipped
                del self.stack[i:]
                break
        if tag in BLOCK:
            self.flow.append((self.getpos()[0], "\n"))
        self._in_style = False

    def handle_data(self, data):
        line = self.getpos()[0]
        if self._in_style:
            self.inline_css.append((line, data))
        if self.skip or not data.strip():
            if self.skip == 0:
                self.flow.append((line, data))
            return
        self.chunks.append((line, data))
        self.flow.append((line, data))


def _snippet(text: str, start: int, end: int, width: int = 40) -> str:
    return " ".join(text[max(0, start - width):end + width].split())


def _local_path(page: Path, root: Path, url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    base = root if parts.path.startswith("/") else page.parent
    return (base / unquote(parts.path.lstrip("/"))).resolve()


def check_page(html: str, name: str = "<page>", page: Path | None = None, root: Path | None = None
               ) -> list[Problem]:
    """All problems of one page. ``page``/``root`` (paths on disk) enable the missing-asset check."""
    p = _PageParser()
    p.feed(html)
    p.close()
    problems: list[Problem] = []

    for line, text in p.chunks:
        for m in MYST_ROLE.finditer(text):
            problems.append(Problem(name, line, "MyST role printed as text", _snippet(text, m.start(), m.end())))
        for m in MYST_LABEL.finditer(text):
            problems.append(Problem(name, line, "label printed as text", _snippet(text, m.start(), m.end())))
        for pattern, what in LATEX:
            for m in pattern.finditer(text):
                problems.append(Problem(name, line, f"raw LaTeX outside math ({what})",
                                        _snippet(text, m.start(), m.end())))
                break  # one report per pattern and text node

    # patterns that can straddle inline tags: "Eq. <a>Eq. (3)</a>"
    flow = "".join(t for _, t in p.flow)
    starts, pos = [], 0
    for line, t in p.flow:
        starts.append((pos, line))
        pos += len(t)
    for m in DOUBLED.finditer(flow):
        line = next((ln for s, ln in reversed(starts) if s <= m.start()), 0)
        problems.append(Problem(name, line, "doubled reference prefix", _snippet(flow, m.start(), m.end())))

    assets = [(line, url, "script") for line, url in p.scripts] + [(line, url, "stylesheet") for line, url in p.styles]
    for line, css in p.inline_css:
        for m in re.finditer(r"@import\s+(?:url\()?['\"]?([^'\")\s;]+)", css):
            assets.append((line, m.group(1), "stylesheet"))
    for line, url, what in assets:
        if REMOTE.match(url.strip()):
            problems.append(Problem(name, line, f"{what} loaded from the network", url))
        elif page is not None and root is not None:
            local = _local_path(page, root, url)
            if local is not None and not local.exists():
                problems.append(Problem(name, line, f"{what} missing from the build", url))

    if p.has_math and not any("mathjax" in url.lower() and not REMOTE.match(url) for _, url in p.scripts):
        problems.append(Problem(name, 1, "math on the page but no (local) MathJax script", ""))
    return problems


def check_tree(root: Path) -> tuple[list[Problem], int]:
    pages = sorted(f for f in root.rglob("*.html") if "_static" not in f.relative_to(root).parts)
    problems: list[Problem] = []
    for f in pages:
        problems += check_page(f.read_text(encoding="utf-8", errors="replace"),
                               str(f.relative_to(root)), f, root)
    return problems, len(pages)


def main(argv: list[str]) -> int:
    root = Path(argv[1] if len(argv) > 1 else "_build/html")
    if not root.is_dir():
        print(f"check_html: no such directory: {root} (build the book first)", file=sys.stderr)
        return 2
    problems, n = check_tree(root)
    if n == 0:
        print(f"check_html: no HTML pages under {root}", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem)
    if problems:
        print(f"check_html: {len(problems)} problem(s) in {len({p.page for p in problems})} of {n} pages")
        return 1
    print(f"check_html: {n} pages, no raw markup, no network assets, MathJax wherever there is math")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

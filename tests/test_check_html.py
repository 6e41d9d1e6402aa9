"""The HTML checker of scripts/check_html.py on synthetic pages: a good page passes, every bad
pattern is caught (so the checker cannot silently pass everything)."""

import importlib.util
import sys
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location(
    "check_html", Path(__file__).resolve().parents[1] / "scripts" / "check_html.py")
check_html = sys.modules.setdefault("check_html", importlib.util.module_from_spec(_SPEC))
_SPEC.loader.exec_module(check_html)

HEAD = """<html><head><title>{title}</title>
<link rel="stylesheet" href="_static/styles/theme.css?digest=abc" />
<script defer="defer" src="_static/mathjax/tex-chtml-full.js"></script>
{extra}</head><body>
<nav class="bd-links"><ul><li><a href="sompolinsky.html">The Sompolinsky model:
<span class="math notranslate nohighlight">\\(g_c = 1\\)</span></a></li></ul></nav>
<section class="tex2jax_ignore mathjax_ignore">{body}</section></body></html>"""

GOOD_BODY = """<h1>Chaos and order</h1>
<p>The gain <span class="math notranslate nohighlight">\\(g_c = 1\\)</span> of
<a class="reference internal" href="#equation-eq-somp-chi">Eq. (3)</a> and
<a class="reference internal" href="#fig-x"><span class="std std-numref">Fig. 2</span></a>.</p>
<div class="math notranslate nohighlight" id="equation-eq-somp-chi">
\\[\\chi(g) = g^2 \\langle \\mathrm{sech}^4(\\sqrt{q} z) \\rangle\\]</div>
<table><tr><td><p><span class="math notranslate nohighlight">\\(\\sigma_b\\)</span> and
<span class="math notranslate nohighlight">\\(\\lvert x \\rvert\\)</span></p></td>
<td><p>this book, <a class="reference internal" href="#equation-eq-somp-chi">Eq. (3)</a></p></td></tr></table>
<div class="cell_input"><pre><span>table</span>.add(r"$g_c = 1$", "this book, {eq}`eq-mlp-small-bias`")
label = "(eq-mlp-small-bias)"; x = sigma_b ** 2; y = a_p</pre></div>
<div class="output stream"><pre>yes | $g_c = 1$ without biases = 1.000000</pre></div>
<p>Inline code <code>crit.critical_gain("lstm", sigma_b=1.0)</code> and T_MAX_STEPS = 3.</p>
<script>var s = "$x_{1}$ \\\\sigma {eq}`a`";</script>
<style>.x::after { content: "\\\\sigma"; }</style>"""


def page(body=GOOD_BODY, title="Chaos and order", extra=""):
    return HEAD.format(title=title, body=body, extra=extra)


def kinds(html):
    return [p.kind for p in check_html.check_page(html)]


def test_good_page_passes():
    assert check_html.check_page(page()) == []


def test_page_without_math_needs_no_mathjax():
    html = "<html><head><title>t</title></head><body><p>No math here.</p></body></html>"
    assert check_html.check_page(html) == []


@pytest.mark.parametrize("body, kind", [
    ('<p>Eq. <a href="#e">Eq. (3)</a></p>', "doubled reference prefix"),
    ('<p>Eqs. <a href="#e">Eq. (3)</a> and (4)</p>', "doubled reference prefix"),
    ('<p>see Fig. <span>Fig. 2</span></p>', "doubled reference prefix"),
    ("<p>as in {eq}`eq-somp-chi`</p>", "MyST role printed as text"),
    ("<td><p>{numref}`fig-gl-hist`</p></td>", "MyST role printed as text"),
    ("<p>predicted {glue:text}`crit-pred:.3f`</p>", "MyST role printed as text"),
    ("<td><p>this book, Eq. (eq-mlp-small-bias)</p></td>", "label printed as text"),
    ("<p>see (fig-crit-radius)</p>", "label printed as text"),
    ("<td><p>g_c = 1 without biases</p></td>", "raw LaTeX outside math (ASCII subscript)"),
    ("<td><p>a bias raises g_c (increasing in sigma_b)</p></td>", "raw LaTeX outside math (ASCII subscript)"),
    ("<p>the width \\sigma of the biases</p>", "raw LaTeX outside math (backslash command)"),
    ("<p>unrendered \\(x\\) delimiters</p>", "raw LaTeX outside math (math delimiter)"),
    ("<p>the limit T_{max} of the range</p>", "raw LaTeX outside math (LaTeX sub/superscript)"),
    ("<p>x^{2} grows</p>", "raw LaTeX outside math (LaTeX sub/superscript)"),
    ("<p>unparsed $q^*$ math</p>", "raw LaTeX outside math (dollar sign)"),
])
def test_each_bad_pattern_in_the_body_fails(body, kind):
    assert kind in kinds(page(GOOD_BODY + body))


def test_raw_latex_in_title_sidebar_and_link_text_fails():
    assert "raw LaTeX outside math (ASCII subscript)" in kinds(page(title="Order, chaos and g_c = 1"))
    assert "raw LaTeX outside math (math delimiter)" in kinds(page(title="Order and \\(g_c\\)"))
    nav = '<nav><a href="x.html">The critical gain \\(\\sigma_b\\)</a></nav>'
    assert "raw LaTeX outside math (backslash command)" in kinds(page(GOOD_BODY + nav))


@pytest.mark.parametrize("extra, kind", [
    ('<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>',
     "script loaded from the network"),
    ('<script src="//unpkg.com/thebe@0.8.2/lib/index.js"></script>', "script loaded from the network"),
    ('<script src="http://example.org/require.min.js" crossorigin="anonymous"></script>',
     "script loaded from the network"),
    ('<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto" />',
     "stylesheet loaded from the network"),
    ("<style>@import url('https://fonts.googleapis.com/css?family=Roboto+Mono');</style>",
     "stylesheet loaded from the network"),
])
def test_network_assets_fail(extra, kind):
    assert kind in kinds(page(extra=extra))


def test_math_without_mathjax_fails():
    html = page().replace('<script defer="defer" src="_static/mathjax/tex-chtml-full.js"></script>', "")
    assert "math on the page but no (local) MathJax script" in kinds(html)
    cdn = html.replace("</head>", '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"></script></head>')
    assert "math on the page but no (local) MathJax script" in kinds(cdn)


def test_tree_scan_reports_missing_local_assets_and_exit_status(tmp_path, capsys):
    (tmp_path / "_static" / "mathjax").mkdir(parents=True)
    (tmp_path / "_static" / "styles").mkdir()
    (tmp_path / "_static" / "mathjax" / "tex-chtml-full.js").write_text("")
    (tmp_path / "_static" / "styles" / "theme.css").write_text("")
    (tmp_path / "_static" / "ignored.html").write_text("<p>$not a page of the book$</p>")
    (tmp_path / "index.html").write_text(page())
    assert check_html.main(["check_html", str(tmp_path)]) == 0
    (tmp_path / "book").mkdir()
    bad = page().replace("_static/", "../_static/").replace(
        "</head>", '<script src="../_static/widgets/require.js"></script></head>')
    (tmp_path / "book" / "criterion.html").write_text(bad)
    assert check_html.main(["check_html", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "book/criterion.html" in out and "script missing from the build: ../_static/widgets/require.js" in out
    assert check_html.main(["check_html", str(tmp_path / "nowhere")]) == 2

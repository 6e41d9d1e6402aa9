"""conftest.py: ``pytest --nbval-executed DIR`` compares the committed notebooks with already
executed ones by nbval's rules, and fails where nbval would (and where the executed twin is missing or
stale)."""

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[1]


def _notebook(checked: str, unchecked: str = "1\n", code: str = "print(x)") -> nbformat.NotebookNode:
    cells = [new_code_cell("x = 2", execution_count=1),
             new_code_cell(code, execution_count=2, metadata={"tags": ["nbval-check-output"]},
                           outputs=[new_output("stream", name="stdout", text=checked)]),
             new_code_cell("print(1)", execution_count=3, outputs=[new_output("stream", name="stdout", text=unchecked)])]
    return new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                              "language": "python"}})


def _run(tmp_path, executed) -> subprocess.CompletedProcess:
    book, done = tmp_path / "book", tmp_path / "executed"
    book.mkdir()
    done.mkdir()
    shutil.copy(ROOT / "conftest.py", tmp_path / "conftest.py")
    nbformat.write(_notebook("g_c = 2\n"), book / "chapter.ipynb")
    if executed is not None:
        nbformat.write(executed, done / "chapter.ipynb")
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
                           "--rootdir", str(tmp_path), str(book), "--nbval-executed", str(done)],
                          capture_output=True, text=True, cwd=tmp_path)


def test_same_checked_output_passes_and_unchecked_cells_are_not_compared(tmp_path):
    out = _run(tmp_path, _notebook("g_c = 2\n", unchecked="something else\n"))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "3 passed" in out.stdout


@pytest.mark.parametrize("executed, message", [
    (_notebook("g_c = 2.1\n"), "Cell outputs differ"),
    (_notebook("g_c = 2\n", code="print(x + 0)"), "executed from other code"),
    (None, "no executed notebook"),
])
def test_what_nbval_would_reject_fails(tmp_path, executed, message):
    out = _run(tmp_path, executed)
    assert out.returncode != 0
    assert message in out.stdout + out.stderr


def test_an_exception_in_the_executed_notebook_fails(tmp_path):
    nb = _notebook("g_c = 2\n")
    nb.cells[2].outputs = [new_output("error", ename="ValueError", evalue="boom", traceback=["ValueError: boom"])]
    out = _run(tmp_path, nb)
    assert out.returncode != 0
    assert "Cell execution caused an exception" in out.stdout

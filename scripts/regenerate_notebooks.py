"""Regenerate the paired .ipynb of every MyST chapter by executing it.

The .md file is the source; the .ipynb beside it only stores the reference outputs that nbval
compares (cells tagged ``nbval-check-output``). For each chapter this script
1. reads the .md with jupytext and executes it with nbclient (in ``book/``, current profile),
2. keeps the outputs of the tagged cells only (no images: the .ipynb stays small),
3. writes the .ipynb and lets ``jupytext --update`` rewrite it from the .md, so the result is
   exactly what the pair check in ``scripts/test.sh`` regenerates.

Usage: python scripts/regenerate_notebooks.py [book/chapter.md ...]   (default: all chapters)
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
TAG = "nbval-check-output"


def chapters(args: list[str]) -> list[Path]:
    paths = [Path(a).resolve() for a in args] or sorted((ROOT / "book").glob("*.md"))
    return [p for p in paths if "kernelspec" in jupytext.read(p).metadata]


def regenerate(md: Path) -> None:
    start = time.perf_counter()
    nb = jupytext.read(md)
    NotebookClient(nb, timeout=1800, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": str(md.parent)}}).execute()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if TAG not in cell.metadata.get("tags", []):
            # nbval treats a cell with outputs but no execution count as "unrun": counts are kept
            # only where outputs are
            cell.outputs = []
            cell.execution_count = None
    ipynb = md.with_suffix(".ipynb")
    nbformat.write(nb, ipynb)
    subprocess.run([sys.executable, "-m", "jupytext", "--quiet", "--to", "ipynb", "--update", str(md)],
                   check=True, cwd=ROOT)
    print(f"{md.relative_to(ROOT)} -> {ipynb.name} in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    for path in chapters(sys.argv[1:]):
        regenerate(path)

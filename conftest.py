"""nbval on the book build's own execution: ``pytest --nbval-executed DIR``.

``scripts/test.sh`` executes every chapter once, in the strict book build, and checks those outputs; it
does not execute them again for nbval. With ``--nbval-executed DIR`` (the build's
``_build/jupyter_execute/book``) each committed ``book/*.ipynb`` is collected by nbval as usual (its
cells, tags and sanitisers, lax mode: only cells tagged ``nbval-check-output`` are compared) and
compared with nbval's own comparison, but the outputs come from ``DIR/<chapter>.ipynb``, the notebook the
build executed, instead of from a new kernel. A chapter missing from ``DIR``, or executed from other
code than the committed notebook's, fails; a cell whose execution raised fails as in nbval.

Without the option nothing changes: ``pytest --nbval-lax --nbval-current-env book/`` executes the
chapters afresh with nbval's kernel.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest
from nbval.plugin import IPyNbCell, IPyNbFile, coalesce_streams

OPTION = "--nbval-executed"


def pytest_addoption(parser):
    parser.addoption(OPTION, metavar="DIR", default=None,
                     help="nbval-lax on the notebooks already executed in DIR (the book build's "
                          "_build/jupyter_execute/book) instead of executing them again")


def pytest_collect_file(file_path, parent):
    folder = parent.config.getoption(OPTION)
    if folder and file_path.suffix == ".ipynb" and not (parent.config.option.nbval or parent.config.option.nbval_lax):
        return ExecutedNbFile.from_parent(parent, path=file_path)
    return None


def _code(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


class ExecutedNbFile(IPyNbFile):
    """A committed notebook, checked against its executed twin in the ``--nbval-executed`` folder."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.compare_outputs = False  # lax: only the tagged cells are compared

    def setup(self):
        executed = Path(self.config.getoption(OPTION)) / self.path.name
        if not executed.is_file():
            raise FileNotFoundError(f"{self.path.name}: no executed notebook {executed} (build the book first)")
        self.executed = nbformat.read(executed, as_version=4)
        if _code(self.executed) != _code(self.nb):
            raise ValueError(f"{executed} was executed from other code than {self.path}: rebuild the book")
        self.executed_cells = [c for c in self.executed.cells if c.cell_type == "code"]
        self.setup_sanitize_files()

    def collect(self):
        for item in super().collect():
            yield ExecutedNbCell.from_parent(self, name=item.name, cell_num=item.cell_num, cell=item.cell,
                                             options=item.options)


class ExecutedNbCell(IPyNbCell):
    """nbval's cell check (IPyNbCell.runtest after the kernel), with the outputs of the executed twin."""

    def runtest(self):
        if self.options["skip"]:
            pytest.skip()
        outs = coalesce_streams(copy.deepcopy(self.parent.executed_cells[self.cell_num].outputs))
        errors = [o for o in outs if o.output_type == "error"]
        if errors and not self.options["check_exception"]:
            self.raise_cell_error("Cell execution caused an exception", "\n".join(errors[0].traceback))
        if self.cell.execution_count is None:
            if self.cell.outputs:
                self.raise_cell_error("Unrun reference cell has outputs")
            return
        if self.options["check"] and not self.compare_outputs(outs, coalesce_streams(self.cell.outputs)):
            self.raise_cell_error("Cell outputs differ", "\n".join(self.comparison_traceback))

#!/usr/bin/env bash
# Quick start, command 2: set up .venv and run every check, executing every chapter once (quick profile):
#   1. the strict book build (fresh execution, two chapters at a time as in build.sh, zero warnings
#      allowed) into _build/quick, so that the book of build.sh in _build/html is left alone;
#   2. the HTML check of those pages (scripts/check_html.py: no raw LaTeX or MyST markup in the
#      rendered text, no "Eq. Eq.", no script or stylesheet from the network, MathJax wherever
#      there is math);
#   3. the pair check (each .ipynb regenerated from its .md leaves git clean);
#   4. pytest: the package's unit tests, and nbval on every chapter, on the notebooks the strict build
#      executed (--nbval-executed, conftest.py): nbval compares the cells tagged
#      nbval-check-output with the committed reference outputs without executing the chapters again.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh
export PATH="$PWD/.venv/bin:$PATH"
export PYDEVD_DISABLE_FILE_VALIDATION=1 CRITICALITY_PROFILE=quick
start=$SECONDS
rm -rf _build/quick
python scripts/execute_chapters.py _build/quick/.jupyter_cache _build/quick/cached_config.yml
jupyter-book build . -W -n --keep-going --path-output _build/quick --config _build/quick/cached_config.yml
echo "strict build (quick profile): $((SECONDS - start)) s"
python scripts/check_html.py _build/quick/_build/html
bash scripts/check_pairs.sh
python -m pytest -p no:randomly --nbval-executed _build/quick/_build/jupyter_execute/book
echo "all checks: $((SECONDS - start)) s"

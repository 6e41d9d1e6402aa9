#!/usr/bin/env bash
# Quick start, command 2: set up .venv and run every check:
#   1. the strict book build (fresh execution, zero warnings allowed, book profile);
#   2. the HTML check of the built pages (scripts/check_html.py: no raw LaTeX or MyST markup in the
#      rendered text, no "Eq. Eq.", no script or stylesheet from the network, MathJax wherever
#      there is math);
#   3. the pair check (each .ipynb regenerated from its .md leaves git clean);
#   4. pytest: the package's unit tests and nbval on every chapter (quick profile,
#      comparing the cells tagged nbval-check-output with the committed reference outputs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh
export PATH="$PWD/.venv/bin:$PATH"
export PYDEVD_DISABLE_FILE_VALIDATION=1
start=$SECONDS
rm -rf _build
jupyter-book build . -W -n --keep-going
echo "strict build: $((SECONDS - start)) s"
python scripts/check_html.py _build/html
bash scripts/check_pairs.sh
CRITICALITY_PROFILE=quick python -m pytest --nbval-lax --nbval-current-env -p no:randomly
echo "all checks: $((SECONDS - start)) s"

#!/usr/bin/env bash
# Pair check: every chapter's .ipynb must be what jupytext regenerates from its .md.
# Never `jupytext --sync` here: it picks a side by modification time and can overwrite the .md.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t md < <(grep -l '^kernelspec:' book/*.md)
for f in "${md[@]}"; do
  [ -f "${f%.md}.ipynb" ] || { echo "pair check: ${f%.md}.ipynb is missing (run scripts/regenerate_notebooks.py)"; exit 1; }
done
python -m jupytext --quiet --to ipynb --update "${md[@]}"
if ! git diff --quiet -- book/ || [ -n "$(git ls-files --others --exclude-standard -- book/)" ]; then
  git --no-pager diff --stat -- book/
  echo "pair check FAILED: a paired .ipynb differs from its .md; run python scripts/regenerate_notebooks.py and commit"
  exit 1
fi
echo "pair check: ${#md[@]} notebooks match their MyST sources"

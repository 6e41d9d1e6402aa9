#!/usr/bin/env bash
# Quick start, command 1: set up .venv and build the book into _build/html/index.html.
# Every chapter is executed afresh with the profile in $CRITICALITY_PROFILE (default: book).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh
export PATH="$PWD/.venv/bin:$PATH"
jupyter-book build . -W -n --keep-going
echo "book: $PWD/_build/html/index.html"

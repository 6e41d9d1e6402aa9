#!/usr/bin/env bash
# Quick start, command 1: set up .venv and build the book into _build/html/index.html.
# Every chapter is executed afresh with the profile in $CRITICALITY_PROFILE (default: book), two at a
# time (scripts/execute_chapters.py; the performance appendix afterwards, alone), into a jupyter-cache
# from which the strict build renders the pages.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh
export PATH="$PWD/.venv/bin:$PATH"
start=$SECONDS
python scripts/execute_chapters.py _build/.jupyter_cache _build/cached_config.yml
jupyter-book build . -W -n --keep-going --config _build/cached_config.yml
echo "book built in $((SECONDS - start)) s"
echo "book: $PWD/_build/html/index.html"

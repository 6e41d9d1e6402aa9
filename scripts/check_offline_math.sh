#!/usr/bin/env bash
# Check that a built page renders its math with no network: load it from file:// in headless
# Chromium (network features off) and count the MathJax output elements in the rendered DOM.
# Usage: scripts/check_offline_math.sh [PAGE.html] [--screenshot OUT.png]
# Needs Debian's chromium (apt-get install chromium); not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
page=_build/html/book/sompolinsky.html
shot=""
while [ $# -gt 0 ]; do
  case "$1" in
    --screenshot) shot=$2; shift 2 ;;
    *) page=$1; shift ;;
  esac
done
[ -f "$page" ] || { echo "no such page: $page (build the book first)"; exit 2; }
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "chromium not found: apt-get install chromium"; exit 2; }
profile=$(mktemp -d)
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$profile" --virtual-time-budget=15000)
url="file://$(realpath "$page")"
n=$("$browser" "${flags[@]}" --dump-dom "$url" 2>/dev/null | grep -o '<mjx-container' | wc -l)
math=$(grep -c 'class="math' "$page" || true)
echo "$page: $math math elements in the source, $n rendered by MathJax"
if [ -n "$shot" ]; then
  "$browser" "${flags[@]}" --window-size=1200,1600 --screenshot="$shot" "$url" 2>/dev/null
  echo "screenshot: $shot"
fi
rm -rf "$profile"
[ "$math" -eq 0 ] || [ "$n" -gt 0 ]

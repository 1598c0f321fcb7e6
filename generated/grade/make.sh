#!/bin/sh
# Regenerates report.png, the README's screenshot of `groundwork grade`'s report.html, from the
# committed inputs here: spec.toml, candidates.csv and answers/ (dennis has no answers file, and
# radia's line 4, `3 B`, reads as part 3b, which question 3 does not have: the report shows a
# missing candidate and a problem). Run from the
# repository root after `cargo build`: sh generated/grade/make.sh
set -eu
here=generated/grade
gw=${GROUNDWORK:-target/debug/groundwork}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$gw" batch --candidates "$here/candidates.csv" --spec "$here/spec.toml" --out "$tmp/round" --format json --quiet
"$gw" grade "$tmp/round" "$here/answers" --out "$tmp/results"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,1600 \
  --screenshot="$PWD/$here/report.png" "file://$tmp/results/report.html"

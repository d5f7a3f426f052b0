#!/usr/bin/env bash
# Measures `compare`: N voices should take about as long as the slowest
# one, not the sum. Part 1 is the Go benchmark against fake providers with
# 100/150/200/250 ms to first byte (N = 1, 4, 8, plus 8 entries on one
# provider limited to 2 requests at a time). Part 2 times the real CLI with
# the local espeak-ng voices, one voice alone versus 4 and 8 together.
# Usage: scripts/bench-compare.sh [benchtime, default 10x]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
benchtime=${1:-10x}

echo "== go test -run '^\$' -bench BenchmarkRender -benchtime $benchtime ./compare/"
go test -run '^$' -bench BenchmarkRender -benchtime "$benchtime" ./compare/

if ! command -v espeak-ng >/dev/null; then
  echo "espeak-ng is not installed: skipping the CLI part" >&2
  exit 0
fi
# A CLI-only main (the same commands as chorus, without the GUI), so the
# benchmark needs neither cgo nor a display.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bin=$tmp/chorus
cat >"$tmp/main.go" <<'GO'
package main

import (
	"context"
	"os"

	"chorus/cli"
	"chorus/core"
	_ "chorus/providers/all"
)

func main() {
	os.Exit(cli.Run(context.Background(), cli.DefaultEnv(&core.Engine{}), os.Args[1:]))
}
GO
go build -o "$bin" "$tmp/main.go"
text="The quick brown fox jumps over the lazy dog, and then it runs away into the forest."
voices=(en-us en-gb de fr es it pt nl)
for n in 1 4 8; do
  args=()
  for v in "${voices[@]:0:$n}"; do args+=(--voice "local::$v"); done
  for run in 1 2 3; do
    start=$(date +%s%N)
    "$bin" compare "$text" "${args[@]}" --json 2>/dev/null >"$bin.json"
    end=$(date +%s%N)
    wall=$(( (end - start) / 1000000 ))
    python3 - "$n" "$run" "$wall" "$bin.json" <<'PY'
import json, sys
n, run, wall, path = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
rows = json.load(open(path))["entries"]
totals = [r["total_ms"] for r in rows]
print(f"CLI local espeak-ng N={n} run {run}: wall {wall} ms (whole process), "
      f"slowest entry {max(totals):.0f} ms, sum of entries {sum(totals):.0f} ms")
PY
  done
done

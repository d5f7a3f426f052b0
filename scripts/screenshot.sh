#!/usr/bin/env bash
# Takes the README screenshot: opens Chorus in the private headless desktop,
# types a line, speaks it, and captures the window with its waveform.
# Usage: scripts/screenshot.sh [OUT.png]   (default docs/screenshot.png)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
out=$(realpath -m "${1:-docs/screenshot.png}")
go build -tags migrated_fynedo -o bin/chorus .
OUT="$out" scripts/desktop.sh bash -c '
  bin/chorus >/dev/null 2>&1 &
  app=$!
  for _ in $(seq 100); do id=$(xdotool search --name "^Chorus$" 2>/dev/null | head -1); [ -n "$id" ] && break; sleep 0.1; done
  sleep 2
  # A new profile is first offered a natural voice: "Not now".
  xdotool mousemove --window "$id" 405 385 click 1
  sleep 0.5
  xdotool mousemove --window "$id" 640 250 click 1
  xdotool type --delay 5 "Chorus reads what you type, live, in any voice. Compare voices side by side, then export the audio."
  xdotool key ctrl+Return
  sleep 4
  import -window "$id" "$OUT"
  kill $app
' 2>/dev/null
echo "saved $out"

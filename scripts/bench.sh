#!/usr/bin/env bash
# Reproduces the figures in BENCHMARKS.md: Go benchmarks for codecs, the
# pipeline and hour-long export, then the real binary on the real device
# (inside the private headless desktop of scripts/desktop.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
scripts/deps.sh test >/dev/null

echo "## Go benchmarks"
go test -run '^$' -bench . -benchtime 2s ./audio/codec/ ./audio/resample/ | grep -E '^Benchmark|^ok'
go test -run '^$' -bench 'FirstByteToSink' -benchtime 50x ./core/ | grep -E '^Benchmark'
go test -run '^$' -bench 'HourLongExport' -benchtime 1x ./core/ | grep -E '^Benchmark'

go build -tags migrated_fynedo -o bin/chorus .
text=$(printf 'This paragraph is read aloud to measure Chorus while it plays. %.0s' $(seq 1 12))
export BENCH_TEXT="$text"
scripts/desktop.sh bash -c '
  echo
  echo "## Real device: first byte to first sample at the device (local provider, 5 runs)"
  for i in 1 2 3 4 5; do bin/chorus speak "Measuring the time to first audio." --no-cache --stats 2>&1 >/dev/null | grep ttfb_ms; done
  echo
  echo "## CPU while playing about 40 s of speech through oto (user+sys seconds / wall seconds)"
  TIMEFORMAT="wall %R s, user %U s, sys %S s"
  time bin/chorus speak "$BENCH_TEXT" --no-cache --stats 2>&1 >/dev/null | grep -o "\"audio_seconds\":[0-9.]*"
' 2>&1 | grep -v -i 'alsa lib\|jack\|server socket\|request channel\|dbus-daemon\|^$'

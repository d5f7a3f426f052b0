#!/usr/bin/env bash
# Measures the app-added latency of playback: first audio byte of an HTTP
# response → first sample heard at the PulseAudio null sink of the private
# desktop (scripts/desktop.sh), for PCM and MP3, with player.DeviceBuffer
# (oto's BufferSize) swept over the values given: idle, and with a busy Go
# loop on every core in another process. Each combination runs in its own
# process (the device opens once per process), all in one run of this
# script so the figures compare. Dropouts are counted twice: underruns the
# sink's ring saw, and gaps heard in the captured tone.
#
# The sound server runs as a desktop session runs it, at real-time priority
# (rtkit gives PulseAudio and PipeWire that); CHORUS_BENCH_SERVER_RT=0 leaves
# it at normal priority. Figures: bench/latency.md and BENCHMARKS.md.
# Usage: scripts/bench-latency.sh [buffer ms ...]   (default: 80 40 30)
#        CHORUS_BENCH_RUNS=N (default 10), CHORUS_BENCH_LOADS="idle busy"
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
buffers=("$@")
[ ${#buffers[@]} -gt 0 ] || buffers=(80 40 30)
runs=${CHORUS_BENCH_RUNS:-10}
loads=${CHORUS_BENCH_LOADS:-idle busy}
server_rt=${CHORUS_BENCH_SERVER_RT:-1}

tmp=$(mktemp -d)
load_pids=()
stop_load() {
  for p in "${load_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  load_pids=()
}
trap 'stop_load; rm -rf "$tmp"' EXIT

# The load: one busy Go loop per core, in its own process.
cat >"$tmp/busy.go" <<'GO'
package main

import "runtime"

func main() {
	for i := 1; i < runtime.NumCPU(); i++ {
		go func() {
			for x := 0; ; x++ {
			}
		}()
	}
	for x := 0; ; x++ {
	}
}
GO
go build -o "$tmp/busy" "$tmp/busy.go"
go test -c -tags migrated_fynedo -o "$tmp/player.test" ./player/

run() {
  CHORUS_BENCH_DEVICE_BUFFER=$1 CHORUS_BENCH_PLAYER_BUFFER=${CHORUS_BENCH_PLAYER_BUFFER:-} CHORUS_BENCH_RUNS=$runs CHORUS_BENCH_DEBUG=${CHORUS_BENCH_DEBUG:-} \
    SERVER_RT=$server_rt BENCH="$tmp/player.test" scripts/desktop.sh bash -c '
      if [ "$SERVER_RT" = 1 ]; then
        chrt -a -f -p 10 "$(cat "$XDG_RUNTIME_DIR/pulse/pid")" >/dev/null ||
          echo "could not raise the sound server to real-time priority (needs root or rtkit)" >&2
      fi
      "$BENCH" -test.run "^\$" -test.bench "^BenchmarkFirstSampleHeard\$" -test.benchtime 1x -test.v' 2>&1 |
    grep -E 'first sample heard|gap at|real-time' | sed "s/^ *[a-z_]*\.go:[0-9]*: /$2 /"
}

echo "nproc $(nproc), $runs runs each, server real-time priority: $server_rt, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
for load in $loads; do
  for ms in "${buffers[@]}"; do
    if [ "$load" = busy ]; then
      "$tmp/busy" &
      load_pids+=($!)
      sleep 0.5
    fi
    run "$ms" "$load"
    stop_load
  done
done
echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# Measures the natural (Piper) engine on this machine with the real Jenny
# voice: model load, Speak to first audio once loaded, real-time factor and
# peak RSS, for 1 and 2 threads. The voice comes from the Go module cache
# (the test-only module github.com/amitybell/piper-voice-jenny) through a
# local catalog, so nothing is fetched from the voice host.
# Usage: scripts/bench-piper.sh [RUNS]   (default 3 runs per thread count)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
runs=${1:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -tags migrated_fynedo -o "$work/chorus" .
dir=$(go mod download -json github.com/amitybell/piper-voice-jenny | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
command -v zstd >/dev/null || { echo "bench-piper.sh needs zstd (sudo apt install zstd)" >&2; exit 1; }
mkdir -p "$work/mirror"
tar --zstd -xf "$dir/dist.tar.zst" -C "$work/mirror"
size() { stat -c %s "$1"; }
md5() { md5sum "$1" | cut -d' ' -f1; }
cat >"$work/mirror/catalog.json" <<JSON
{"voices":[{"id":"en_GB-jenny_dioco-medium","name":"Jenny","language":"en-GB","quality":"medium","sample_rate":22050,"speakers":1,
"license":"Jenny TTS dataset licence","attribution":"Jenny (Dioco)","files":[
{"name":"model.onnx","url":"voice.onnx","size":$(size "$work/mirror/voice.onnx"),"md5":"$(md5 "$work/mirror/voice.onnx")"},
{"name":"model.onnx.json","url":"voice.json","size":$(size "$work/mirror/voice.json"),"md5":"$(md5 "$work/mirror/voice.json")"}]}]}
JSON
export CHORUS_VOICE_CATALOG="$work/mirror/catalog.json" CHORUS_VOICES_DIR="$work/voices"
"$work/chorus" voices install --quiet en_GB-jenny_dioco-medium >/dev/null
text="The rainbow is a meteorological phenomenon. It appears when sunlight meets drops of rain. Light is refracted, reflected and dispersed inside each drop, and a spectrum of colours appears in the sky. Have you ever seen a double one?"
echo "threads run load_ms first_audio_after_load_ms audio_s synth_ms rtf peak_rss_mb"
for threads in 1 2; do
  for run in $(seq "$runs"); do
    CHORUS_PIPER_THREADS=$threads /usr/bin/time -f '%M' -o "$work/rss" \
      "$work/chorus" speak --provider piper --no-cache --stats --force --out "$work/out.wav" "$text" 2>"$work/stats" >/dev/null
    python3 - "$threads" "$run" "$work/stats" "$work/rss" <<'PY'
import json, sys
threads, run, stats, rss = sys.argv[1:]
s = next(json.loads(l) for l in open(stats) if l.startswith("{"))
synth = s["total_ms"] - s["load_ms"]
print(threads, run, round(s["load_ms"]), round(s["ttfb_ms"] - s["load_ms"]), round(s["audio_seconds"], 2),
      round(synth), round(synth / 1000 / s["audio_seconds"], 3), round(int(open(rss).read().split()[-1]) / 1024))
PY
  done
done

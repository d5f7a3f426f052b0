#!/usr/bin/env bash
# Runs every Chorus test on real parts, headless: installs what is missing,
# then runs `go vet` and `go test -race` inside a private desktop (Xvfb,
# a PulseAudio null sink that the audio tests record, and a gnome-keyring
# Secret Service). Extra arguments go to `go test` (e.g. -run TestSpeak ./core).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
scripts/deps.sh test

tags=migrated_fynedo
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "These files need gofmt -w: $unformatted" >&2
  exit 1
fi
go vet -tags "$tags" ./...

args=("$@")
[ ${#args[@]} -eq 0 ] && args=(./...)
CHORUS_TEST_REAL=1 scripts/desktop.sh go test -race -tags "$tags" -count=1 -timeout 20m "${args[@]}"

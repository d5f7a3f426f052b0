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
if ! go mod tidy -diff >/dev/null 2>&1; then
  echo "go.mod or go.sum is not tidy: run go mod tidy" >&2
  go mod tidy -diff >&2 || true
  exit 1
fi
go vet -tags "$tags" ./...

export CHORUS_TEST_REAL=1
# The installable package: built, installed, run and removed (root only).
[ "$(id -u)" -eq 0 ] && [ $# -eq 0 ] && scripts/package-test.sh
if [ $# -gt 0 ]; then
  exec scripts/desktop.sh go test -race -tags "$tags" -count=1 -timeout 20m "$@"
fi
# Everything but the end-to-end tests first, in parallel; then the end-to-end
# tests alone, so that recording real audio does not compete with the rest
# for the CPU.
scripts/desktop.sh bash -c '
  go test -race -tags "$0" -count=1 -timeout 20m $(go list ./... | grep -v /e2e$) &&
  go test -race -tags "$0" -count=1 -timeout 10m ./e2e/' "$tags"

#!/usr/bin/env bash
# Builds Chorus (installing what is missing) and opens it. Any arguments are
# passed to chorus, so `scripts/run.sh speak "Hello"` uses the CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
scripts/deps.sh run
go build -tags migrated_fynedo -o bin/chorus .
exec bin/chorus "$@"

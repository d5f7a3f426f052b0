#!/bin/sh
# Long-text pipeline figures for bench/longtext.md: a fake provider with a
# realistic latency model (first byte after 300 ms, audio at 10x real time,
# 1000 characters per request, 3 requests at once), a 20,000-character text
# fresh and again from the cache, against a 100-character text.
set -eu
cd "$(dirname "$0")/.."
go test -count=1 -run '^$' -bench '^BenchmarkLongTextScenario$' -benchtime 1x -v ./core/ | grep -E 'model:|\||peak'
go test -count=1 -run '^$' -bench 'LongTextCached' -benchmem ./core/ | grep -E '^Benchmark'
go test -count=1 -run '^$' -bench 'Split' -benchmem ./longtext/ | grep -E '^Benchmark'

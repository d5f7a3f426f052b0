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
# First audio under issue 12's model (200 ms + 2 ms per character to the
# first byte, OpenAI's 4,096-character cap): the real pipeline, then the
# simulated clock over many lengths.
go test -tags migrated_fynedo -count=1 -run '^$' -bench '^BenchmarkFirstAudio$' -benchtime 1x -v ./core/ | grep -E 'model:|text:|\|'
go test -tags migrated_fynedo -count=1 -run '^$' -bench '^BenchmarkGrowthSchedule$' -benchmem -v ./longtext/ | grep -E 'model:|\||^Benchmark'

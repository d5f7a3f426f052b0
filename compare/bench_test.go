package compare

import (
	"context"
	"fmt"
	"testing"
	"time"

	"chorus/pricing"
)

// benchLatencies are the fakes' times to first byte: four providers, each
// slower than the last. Entry i uses provider i%4.
var benchLatencies = []time.Duration{100 * time.Millisecond, 150 * time.Millisecond, 200 * time.Millisecond, 250 * time.Millisecond}

// BenchmarkRender renders N entries spread over four fake providers with
// different latencies. If entries run concurrently, a comparison takes
// about as long as its slowest entry (250 ms once N >= 4), not the sum.
// The metrics: ms/compare (wall time), slowest-ms and sum-ms (of the
// fakes' latencies) and x-slowest (wall / slowest).
func BenchmarkRender(b *testing.B) {
	for i, d := range benchLatencies {
		fake(b, fmt.Sprintf("bench-%d", i), d, 0, nil)
	}
	// A provider that takes 2 requests at a time, to show the limit at work.
	fake(b, "bench-lim", 100*time.Millisecond, 2, nil)
	cases := []struct {
		name    string
		n       int
		limited bool
	}{{"N=1", 1, false}, {"N=4", 4, false}, {"N=8", 8, false}, {"N=8,one-provider-limit-2", 8, true}}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var entries []Entry
			var slowest, sum time.Duration
			for i := range c.n {
				id, d := fmt.Sprintf("bench-%d", i%4), benchLatencies[i%4]
				if c.limited {
					id, d = "bench-lim", 100*time.Millisecond
				}
				entries = append(entries, Entry{Provider: id, Voice: fmt.Sprintf("v%d", i%2+1)})
				slowest, sum = max(slowest, d), sum+d
			}
			if c.limited {
				slowest = time.Duration((c.n+1)/2) * 100 * time.Millisecond // 4 waves of 2
			}
			eng := engine()
			opts := Options{Dir: b.TempDir(), Prices: &pricing.Table{}}
			b.ResetTimer()
			start := time.Now()
			for b.Loop() {
				s, err := Render(context.Background(), eng, "The quick brown fox jumps over the lazy dog.", entries, opts)
				if err != nil || s.Succeeded() != c.n {
					b.Fatalf("render: %v (%d ok)", err, s.Succeeded())
				}
			}
			wall := time.Since(start) / time.Duration(b.N)
			b.ReportMetric(float64(wall.Microseconds())/1000, "ms/compare")
			b.ReportMetric(float64(slowest.Milliseconds()), "slowest-ms")
			b.ReportMetric(float64(sum.Milliseconds()), "sum-ms")
			b.ReportMetric(float64(wall)/float64(slowest), "x-slowest")
		})
	}
}

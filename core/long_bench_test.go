package core

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"chorus/audio"
	"chorus/cache"
	"chorus/internal/scripted"
	"chorus/player"
	"chorus/providers"
)

// The latency model of the benchmark provider (see bench/longtext.md).
const (
	benchFirstByte   = 300 * time.Millisecond // request to first byte
	benchSpeedup     = 10                     // audio arrives at 10× real time
	benchAudioPerCh  = 4 * time.Millisecond   // audio per character (time-scaled: real speech is ~65 ms)
	benchRate        = 24000
	benchCap         = 1000 // characters per request
	benchConcurrency = 3
)

// pacedBody streams a chunk's WAV at benchSpeedup× real time after the
// first-byte delay, failing with ctx's error when stopped.
type pacedBody struct {
	ctx   context.Context
	data  []byte
	pos   int
	start time.Time
}

func (p *pacedBody) Read(b []byte) (int, error) {
	if p.pos >= len(p.data) {
		return 0, io.EOF
	}
	// Bytes due by now: header at once, then 2 bytes per frame at 10× speed.
	elapsed := time.Since(p.start) - benchFirstByte
	if elapsed < 0 {
		select {
		case <-time.After(-elapsed):
		case <-p.ctx.Done():
			return 0, p.ctx.Err()
		}
		elapsed = 0
	}
	due := 44 + int(elapsed.Seconds()*benchRate*benchSpeedup)*2
	for due <= p.pos {
		select {
		case <-time.After(5 * time.Millisecond):
		case <-p.ctx.Done():
			return 0, p.ctx.Err()
		}
		due = 44 + int((time.Since(p.start)-benchFirstByte).Seconds()*benchRate*benchSpeedup)*2
	}
	n := copy(b, p.data[p.pos:min(due, len(p.data))])
	p.pos += n
	return n, nil
}

func (p *pacedBody) Close() error { return nil }

// benchWAV is a chunk's audio: benchAudioPerCh per character, never silent.
func benchWAV(text string) []byte {
	h := fnv.New32a()
	h.Write([]byte(text))
	seed := h.Sum32()
	n := int(benchAudioPerCh.Seconds()*benchRate) * len([]rune(text))
	pcm := make([]byte, 2*n)
	for i := range n {
		v := int16(int32((seed+uint32(i)*7919)%50000) - 25000)
		if v == 0 {
			v = 1
		}
		binary.LittleEndian.PutUint16(pcm[2*i:], uint16(v))
	}
	return append(scripted.WAVHeader(benchRate, uint32(len(pcm))), pcm...)
}

func registerBenchProvider(tb testing.TB, id string) (*scripted.Provider, *atomic.Int32) {
	var inflight, peak atomic.Int32
	p := &scripted.Provider{ID: id, Caps: providers.Capabilities{
		Models: []providers.Model{{ID: "m1"}}, Formats: []string{"wav"}, Speed: providers.Range{Min: 0.5, Max: 2, Default: 1},
		MaxChars: benchCap, Concurrency: benchConcurrency, Streaming: true,
	}}
	p.Respond = func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
		n := inflight.Add(1)
		for m := peak.Load(); n > m && !peak.CompareAndSwap(m, n); m = peak.Load() {
		}
		body := &pacedBody{ctx: ctx, data: benchWAV(req.Text), start: time.Now()}
		return &providers.Audio{Body: &doneReader{r: body, done: func() { inflight.Add(-1) }}, Encoding: audio.WAV, Requests: 1}, nil
	}
	scripted.Register(tbCleanup{tb}, p)
	return p, &peak
}

type tbCleanup struct{ testing.TB }

func benchText(chars int) string {
	s := ""
	for i := 0; len(s) < chars; i++ {
		s += fmt.Sprintf("This is sentence number %d of the long benchmark text, read aloud. ", i)
		if i%6 == 5 {
			s += "\n\n"
		}
	}
	return s[:chars]
}

// peakHeap samples the heap until stop is closed.
func peakHeap(stop <-chan struct{}) func() uint64 {
	var mu sync.Mutex
	var peak uint64
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			mu.Lock()
			peak = max(peak, ms.HeapAlloc)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { <-done; mu.Lock(); defer mu.Unlock(); return peak }
}

type benchRun struct {
	wall       time.Duration
	firstAudio float64
	res        *Result
	heapMB     float64
	extra      int // samples at joins beyond the chunks' own
}

func runBench(tb testing.TB, e *Engine, id, text string) benchRun {
	sink := player.NewMemorySink(audio.Format{SampleRate: benchRate, Channels: 1})
	sink.Discard = true
	runtime.GC()
	stop := make(chan struct{})
	peak := peakHeap(stop)
	start := time.Now()
	var heard int64
	counting := &countSink{MemorySink: sink, n: &heard}
	res, err := e.Speak(context.Background(), Job{Provider: id, Request: providers.Request{Text: text}, Play: true, Sink: counting})
	wall := time.Since(start)
	close(stop)
	if err != nil {
		tb.Fatal(err)
	}
	want := int64(0)
	for _, c := range res.Chunks {
		want += int64(len(benchWAV(text[c.Start:c.End]))-44) / 2
	}
	return benchRun{wall: wall, firstAudio: res.Stats.FirstAudioMs, res: res, heapMB: float64(peak()) / (1 << 20), extra: int(heard - want)}
}

// countSink counts samples without keeping them.
type countSink struct {
	*player.MemorySink
	n *int64
}

func (c *countSink) Write(ctx context.Context, s []float32) error {
	for _, v := range s {
		if v == 0 {
			return fmt.Errorf("a silent sample was inserted")
		}
	}
	*c.n += int64(len(s))
	return c.MemorySink.Write(ctx, s)
}

// BenchmarkLongTextScenario prints the figures of bench/longtext.md (run
// it once: scripts/bench-longtext.sh). It takes about 15 s.
func BenchmarkLongTextScenario(b *testing.B) {
	t := b
	p, peak := registerBenchProvider(t, "bench-long")
	st, err := cache.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	e := &Engine{Getenv: func(string) string { return "" }, Cache: st}
	short := runBench(t, e, "bench-long", benchText(100))
	text := benchText(20000)
	fresh := runBench(t, e, "bench-long", text)
	reqs := len(p.Requests())
	cached := runBench(t, e, "bench-long", text)

	// Ideal for the cap: every chunk's synthesis (first byte + audio/10)
	// spread perfectly over the concurrency limit.
	var synth time.Duration
	for _, c := range fresh.res.Chunks {
		synth += benchFirstByte + time.Duration(float64(c.RuneEnd-c.RuneStart)*float64(benchAudioPerCh)/benchSpeedup)
	}
	ideal := synth / benchConcurrency
	t.Logf("model: first byte %v, audio %d× real time, %v of audio per character, cap %d chars, concurrency %d",
		benchFirstByte, benchSpeedup, benchAudioPerCh, benchCap, benchConcurrency)
	t.Logf("| run | chars | chunks | requests | cache hits | wall | ideal | first audio | audio | extra samples at joins | peak heap |")
	row := func(name string, chars int, r benchRun, ideal string) {
		t.Logf("| %s | %d | %d | %d | %d | %.2f s | %s | %.0f ms | %.1f s | %d | %.1f MB |", name, chars, r.res.Stats.Chunks,
			r.res.Stats.Requests, r.res.Stats.CacheHits, r.wall.Seconds(), ideal, r.firstAudio, r.res.Stats.AudioSeconds, r.extra, r.heapMB)
	}
	row("100 chars, fresh", 100, short, "-")
	row("20,000 chars, fresh", 20000, fresh, fmt.Sprintf("%.2f s", ideal.Seconds()))
	row("20,000 chars, again (cache)", 20000, cached, "0 s")
	t.Logf("peak requests in flight: %d (cap %d); requests on the cached run: %d", peak.Load(), benchConcurrency, len(p.Requests())-reqs)
	if fresh.extra != 0 || cached.extra != 0 || cached.res.Stats.Requests != 0 || peak.Load() > benchConcurrency {
		t.Errorf("gaps, requests or concurrency out of bounds")
	}
}

// BenchmarkLongTextCached replays a 20,000-character text from the cache
// (no requests): the cost of splitting, cache reads, decoding and joining.
func BenchmarkLongTextCached(b *testing.B) {
	registerBenchProvider(b, "bench-cached")
	st, _ := cache.Open(b.TempDir(), 0)
	e := &Engine{Getenv: func(string) string { return "" }, Cache: st}
	text := benchText(20000)
	runBench(b, e, "bench-cached", text)
	b.ResetTimer()
	for b.Loop() {
		if r := runBench(b, e, "bench-cached", text); r.res.Stats.Requests != 0 {
			b.Fatal("cached run sent requests")
		}
	}
}

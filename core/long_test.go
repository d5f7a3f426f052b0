package core

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"chorus/audio"
	"chorus/audio/codec"
	"chorus/cache"
	"chorus/export"
	"chorus/internal/scripted"
	"chorus/player"
	"chorus/providers"
)

// chunkWAV is deterministic audio for a text: 20 samples per character of
// a pattern that depends on the text, so joins can be checked exactly.
func chunkWAV(text string) []byte {
	h := fnv.New32a()
	h.Write([]byte(text))
	seed := h.Sum32()
	n := 20 * len([]rune(text))
	pcm := make([]byte, 2*n)
	for i := range n {
		v := int16(int32((seed+uint32(i)*7919)%50000) - 25000)
		if v == 0 {
			v = 1 // no silent samples: a gap would show as zeros
		}
		binary.LittleEndian.PutUint16(pcm[2*i:], uint16(v))
	}
	return append(scripted.WAVHeader(24000, uint32(len(pcm))), pcm...)
}

func decodeAll(t *testing.T, b []byte, enc audio.Encoding) []float32 {
	t.Helper()
	d, err := codec.NewDecoder(bytes.NewReader(b), enc, audio.Format{SampleRate: 24000, Channels: 1})
	if err != nil {
		t.Fatal(err)
	}
	var out []float32
	buf := make([]float32, 4096)
	for {
		n, err := d.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// fakeLong registers a provider with a per-request cap and a concurrency
// cap whose answers arrive after a random delay (so later chunks often
// finish first) and which counts requests in flight.
type fakeLong struct {
	*scripted.Provider
	inFlight, maxInFlight, started atomic.Int32
	delay                          func(req providers.Request) time.Duration
}

func newFakeLong(t *testing.T, id string, maxChars, conc int) *fakeLong {
	f := &fakeLong{}
	r := rand.New(rand.NewPCG(1, 2))
	var mu sync.Mutex
	f.delay = func(providers.Request) time.Duration {
		mu.Lock()
		defer mu.Unlock()
		return time.Duration(r.IntN(15)) * time.Millisecond
	}
	f.Provider = scripted.Register(t, &scripted.Provider{ID: id, Caps: providers.Capabilities{
		Models: []providers.Model{{ID: "m1"}}, Formats: []string{"wav"}, Speed: providers.Range{Min: 0.5, Max: 2, Default: 1},
		MaxChars: maxChars, Concurrency: conc, Streaming: true,
	}})
	f.Respond = func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
		n := f.inFlight.Add(1)
		f.started.Add(1)
		for {
			m := f.maxInFlight.Load()
			if n <= m || f.maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		select {
		case <-time.After(f.delay(req)):
		case <-ctx.Done():
			f.inFlight.Add(-1)
			return nil, ctx.Err()
		}
		body := &doneReader{r: bytes.NewReader(chunkWAV(req.Text)), done: func() { f.inFlight.Add(-1) }}
		return &providers.Audio{Body: body, Encoding: audio.WAV, Requests: 1}, nil
	}
	return f
}

// doneReader calls done once, when the body ends or is closed.
type doneReader struct {
	r    io.Reader
	once sync.Once
	done func()
}

func (d *doneReader) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if err != nil {
		d.once.Do(d.done)
	}
	return n, err
}

func (d *doneReader) Close() error { d.once.Do(d.done); return nil }

func longText(sentences int) string {
	var b strings.Builder
	for i := range sentences {
		fmt.Fprintf(&b, "Sentence number %d says something. ", i)
		if i%7 == 6 {
			b.WriteString("\n\n")
		}
	}
	return b.String()
}

func monoEngine() (*Engine, *player.MemorySink) {
	sink := player.NewMemorySink(audio.Format{SampleRate: 24000, Channels: 1})
	return &Engine{OpenSink: func() (player.Sink, error) { return sink, nil }, Getenv: func(string) string { return "" }}, sink
}

// The chunks play in order as one stream: sample for sample, what reaches
// the sink is the chunks' audio back to back, with nothing added at joins.
func TestLongPlaysGaplessInOrder(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	f := newFakeLong(t, "l-gapless", 120, 3)
	e, sink := monoEngine()
	text := longText(40)
	var events []Progress
	var mu sync.Mutex
	res, err := e.Speak(context.Background(), Job{Provider: "l-gapless", Request: providers.Request{Text: text}, Play: true,
		OnProgress: func(p Progress) { mu.Lock(); events = append(events, p); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	reqs := f.Requests()
	if len(reqs) < 10 || res.Stats.Chunks != len(reqs) || res.Stats.Requests != len(reqs) {
		t.Fatalf("%d requests, stats %+v", len(reqs), res.Stats)
	}
	var want []float32
	for i, c := range res.Chunks {
		chunk := text[c.Start:c.End]
		if len([]rune(chunk)) > 120 {
			t.Errorf("chunk %d has %d characters", i, len([]rune(chunk)))
		}
		want = append(want, decodeAll(t, chunkWAV(chunk), audio.WAV)...)
	}
	got := sink.Samples()
	if len(got) != len(want) {
		t.Fatalf("played %d samples, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sample %d differs: %v, want %v", i, got[i], want[i])
		}
	}
	if f.maxInFlight.Load() > 3 {
		t.Errorf("%d requests at once, the provider allows 3", f.maxInFlight.Load())
	}
	mu.Lock()
	defer mu.Unlock()
	last := events[len(events)-1]
	if last.Done != last.Total || last.Total != len(reqs) {
		t.Errorf("last progress %+v", last)
	}
	for _, p := range events {
		if p.Start < p.ChunkStart || p.End > p.ChunkEnd || p.Start >= p.End || p.End > len(text) {
			t.Fatalf("progress offsets out of range: %+v", p)
		}
	}
}

// blockingSink accepts samples only when the test lets it.
type blockingSink struct {
	*player.MemorySink
	gate chan struct{}
}

func (b *blockingSink) Write(ctx context.Context, s []float32) error {
	select {
	case <-b.gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	return b.MemorySink.Write(ctx, s)
}

// While playback is stalled, synthesis runs ahead only so far: the
// look-ahead is bounded, so memory stays bounded however long the text.
func TestLookAheadIsBounded(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	f := newFakeLong(t, "l-bounded", 60, 2)
	f.delay = func(providers.Request) time.Duration { return 0 }
	sink := &blockingSink{MemorySink: player.NewMemorySink(audio.Format{SampleRate: 24000, Channels: 1}), gate: make(chan struct{})}
	e := &Engine{Getenv: func(string) string { return "" }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := e.Speak(ctx, Job{Provider: "l-bounded", Request: providers.Request{Text: longText(60)}, Play: true, Sink: sink})
		done <- err
	}()
	time.Sleep(300 * time.Millisecond)
	// Chunk 0 is being played (stalled); at most 2 more may be fetched.
	if n := f.started.Load(); n > 3 {
		t.Errorf("%d chunks requested while the first one is still playing; the look-ahead is 2", n)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("want canceled, got %v", err)
	}
}

// Stop cancels everything at once and leaves no goroutine or file behind.
func TestLongStopCancelsAll(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	f := newFakeLong(t, "l-stop", 80, 3)
	f.delay = func(providers.Request) time.Duration { return time.Hour }
	e, _ := monoEngine()
	out := filepath.Join(t.TempDir(), "x.wav")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := e.Speak(ctx, Job{Provider: "l-stop", Request: providers.Request{Text: longText(30)}, Play: true, Out: out})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want canceled, got %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("stop took %v", time.Since(start))
	}
	if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 0 {
		t.Errorf("files left: %v", entries)
	}
}

// A chunk's retries (by the provider's HTTP policy) show up in the stats
// and as a notice; a failing chunk names itself and keeps its error kind.
func TestRetriesAndFailuresSurface(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	f := newFakeLong(t, "l-retry", 80, 2)
	inner := f.Respond
	var calls atomic.Int32
	f.Respond = func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
		a, err := inner(ctx, req)
		if err == nil && calls.Add(1) == 2 {
			a.Requests = 3
		}
		return a, err
	}
	e, _ := monoEngine()
	var notices []string
	var mu sync.Mutex
	res, err := e.Speak(context.Background(), Job{Provider: "l-retry", Request: providers.Request{Text: longText(10)}, Play: true,
		OnEvent: func(ev Event) {
			if ev.Stage == StageNotice {
				mu.Lock()
				notices = append(notices, ev.Message)
				mu.Unlock()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Requests != res.Stats.Chunks+2 {
		t.Errorf("requests %d for %d chunks with one retried twice", res.Stats.Requests, res.Stats.Chunks)
	}
	mu.Lock()
	if len(notices) != 1 || !strings.Contains(notices[0], "3 attempts") {
		t.Errorf("notices %q", notices)
	}
	mu.Unlock()

	f.Respond = func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
		if strings.Contains(req.Text, "number 5 ") {
			return nil, &providers.Error{Provider: "l-retry", Kind: providers.KindRateLimit, Status: 429, Message: "slow down"}
		}
		return inner(ctx, req)
	}
	out := filepath.Join(t.TempDir(), "x.wav")
	_, err = e.Speak(context.Background(), Job{Provider: "l-retry", Request: providers.Request{Text: longText(10)}, Out: out})
	if providers.KindOf(err) != providers.KindRateLimit || !strings.Contains(err.Error(), "chunk ") {
		t.Fatalf("want a rate-limit error naming the chunk, got %v", err)
	}
	if _, serr := os.Stat(out); serr == nil {
		t.Error("a failed export left a file")
	}
}

func cacheEngine(t *testing.T) (*Engine, *player.MemorySink) {
	e, sink := monoEngine()
	st, err := cache.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	e.Cache = st
	return e, sink
}

// Replaying unchanged text sends no request; editing one sentence sends
// requests only for the chunks that changed.
func TestCacheNeverPaysTwice(t *testing.T) {
	f := newFakeLong(t, "l-cache", 200, 3)
	e, sink := cacheEngine(t)
	text := longText(40)
	first, err := e.Speak(context.Background(), Job{Provider: "l-cache", Request: providers.Request{Text: text}, Play: true})
	if err != nil {
		t.Fatal(err)
	}
	n := len(f.Requests())
	heard := sink.Samples()
	second, err := e.Speak(context.Background(), Job{Provider: "l-cache", Request: providers.Request{Text: text}, Play: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Requests()) != n || second.Stats.Requests != 0 || second.Stats.CacheHits != first.Stats.Chunks {
		t.Fatalf("replay sent %d requests; stats %+v", len(f.Requests())-n, second.Stats)
	}
	if again := sink.Samples()[len(heard):]; !slicesEqual(again, heard) {
		t.Error("the cached replay sounds different")
	}
	edited := strings.Replace(text, "number 20 says", "number 20 SAYS", 1)
	if _, err := e.Speak(context.Background(), Job{Provider: "l-cache", Request: providers.Request{Text: edited}, Play: true}); err != nil {
		t.Fatal(err)
	}
	if d := len(f.Requests()) - n; d != 1 {
		t.Errorf("editing one sentence sent %d requests, want 1", d)
	}
	// --no-cache asks again.
	if _, err := e.Speak(context.Background(), Job{Provider: "l-cache", Request: providers.Request{Text: "Short."}, Play: true, NoCache: true}); err != nil {
		t.Fatal(err)
	}
	clips, _ := e.Cache.Clips()
	if len(clips) != 2 || clips[0].Text != edited {
		t.Fatalf("history %+v", clips)
	}
	// A history clip plays from the cache with no request.
	before := len(f.Requests())
	start := len(sink.Samples())
	if _, err := e.PlayClip(context.Background(), clips[1], nil, "", false); err != nil {
		t.Fatal(err)
	}
	if len(f.Requests()) != before || !slicesEqual(sink.Samples()[start:], heard) {
		t.Error("playing a history clip did not replay the cached audio")
	}
}

func slicesEqual(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The export is the whole text in one file, with subtitles, a sidecar and
// one file per chunk, all timed from the real audio.
func TestLongExportWithSubtitlesSidecarAndChunks(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	newFakeLong(t, "l-export", 150, 3)
	e, _ := monoEngine()
	dir := t.TempDir()
	text := longText(20)
	out := filepath.Join(dir, "book.wav")
	res, err := e.Speak(context.Background(), Job{Provider: "l-export", Request: providers.Request{Text: text},
		Out: out, Subtitles: filepath.Join(dir, "book.srt"), Sidecar: true, PerChunkDir: filepath.Join(dir, "parts")})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(out)
	got := decodeAll(t, data, audio.WAV)
	var want []float32
	for _, c := range res.Chunks {
		want = append(want, decodeAll(t, chunkWAV(text[c.Start:c.End]), audio.WAV)...)
	}
	if !slicesEqual(got, want) {
		t.Fatalf("exported %d samples that differ from the %d of the chunks", len(got), len(want))
	}
	srt, _ := os.ReadFile(filepath.Join(dir, "book.srt"))
	if !strings.HasPrefix(string(srt), "1\n00:00:00,000 --> ") || !strings.Contains(string(srt), "Sentence number 19 says something.") {
		t.Errorf("srt:\n%s", srt)
	}
	var sc struct {
		Provider string `json:"provider"`
		Chunks   []struct {
			StartMs float64 `json:"start_ms"`
			EndMs   float64 `json:"end_ms"`
		} `json:"chunks"`
		AudioSeconds float64 `json:"audio_seconds"`
	}
	b, _ := os.ReadFile(out + ".json")
	if err := json.Unmarshal(b, &sc); err != nil || sc.Provider != "l-export" || len(sc.Chunks) != res.Stats.Chunks {
		t.Fatalf("sidecar %s: %v", b, err)
	}
	if last := sc.Chunks[len(sc.Chunks)-1]; last.EndMs < sc.AudioSeconds*1000-1 {
		t.Errorf("chunk timings end at %v ms, audio is %v s", last.EndMs, sc.AudioSeconds)
	}
	parts, _ := os.ReadDir(filepath.Join(dir, "parts"))
	if len(parts) != res.Stats.Chunks {
		t.Errorf("%d per-chunk files for %d chunks", len(parts), res.Stats.Chunks)
	}
	// Replacing needs Force; nothing is requested before that is clear.
	_, err = e.Speak(context.Background(), Job{Provider: "l-export", Request: providers.Request{Text: text}, Out: filepath.Join(dir, "new.wav"), Subtitles: filepath.Join(dir, "book.srt")})
	if !errors.Is(err, export.ErrExists) {
		t.Errorf("want ErrExists for the subtitles, got %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "new.wav")); err == nil {
		t.Error("audio written although the subtitles could not be")
	}
}

// Short text without a cache keeps the single-request path; with one it
// is one chunk whose export is still the provider's bytes.
func TestShortTextOneChunk(t *testing.T) {
	newFakeLong(t, "l-short", 4096, 0)
	e, _ := cacheEngine(t)
	out := filepath.Join(t.TempDir(), "a.wav")
	res, err := e.Speak(context.Background(), Job{Provider: "l-short", Request: providers.Request{Text: "Hello there."}, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	if !bytes.Equal(b, chunkWAV("Hello there.")) || res.Stats.Chunks != 1 {
		t.Errorf("one-chunk export is not the provider's bytes (%d bytes), stats %+v", len(b), res.Stats)
	}
}

func TestLongValidation(t *testing.T) {
	newFakeLong(t, "l-valid", 100, 1)
	e, _ := monoEngine()
	for _, job := range []Job{
		{ChunkChars: 500},
		{ChunkChars: -1},
		{Concurrency: -2},
		{Sidecar: true},
		{Subtitles: "x.txt"},
	} {
		job.Provider, job.Request, job.Play = "l-valid", providers.Request{Text: "Hi."}, true
		if _, err := e.Speak(context.Background(), job); !providers.IsValidation(err) {
			t.Errorf("%+v: want a validation error, got %v", job, err)
		}
	}
}

// Chunks in different formats are converted to the first chunk's format.
func TestMixedRatesAreConverted(t *testing.T) {
	f := newFakeLong(t, "l-mixed", 60, 2)
	var n atomic.Int32
	f.Respond = func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
		rate := 24000
		if n.Add(1)%2 == 0 {
			rate = 16000
		}
		return &providers.Audio{Body: io.NopCloser(bytes.NewReader(scripted.ToneWAV(rate, 0.1, 440))), Encoding: audio.WAV}, nil
	}
	e, sink := monoEngine()
	res, err := e.Speak(context.Background(), Job{Provider: "l-mixed", Request: providers.Request{Text: longText(6)}, Play: true, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := res.Stats.Chunks * 2400
	if got := len(sink.Samples()); got < want-10*res.Stats.Chunks || got > want+10*res.Stats.Chunks {
		t.Errorf("played %d samples, want about %d", got, want)
	}
}

package core

import (
	"context"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"chorus/audio"
	"chorus/cache"
	"chorus/internal/scripted"
	"chorus/longtext"
	"chorus/player"
	"chorus/providers"
)

// The latency model of issue 12 (see bench/longtext.md, "First audio"):
// the first byte comes 200 ms + 2 ms per character after the request, then
// the audio (4 ms per character, time-scaled) streams at 10× real time;
// OpenAI's 4,096-character cap and no concurrency limit of its own (so
// DefaultConcurrency requests at once).
const (
	fcBase    = 200 * time.Millisecond
	fcPerChar = 2 * time.Millisecond
	fcAudio   = 4 * time.Millisecond // of audio per character
	fcSpeedup = 10
	fcRate    = 24000
	fcCap     = 4096
)

// fcBody streams n samples of audio after the first-byte delay, at
// fcSpeedup× real time.
type fcBody struct {
	ctx       context.Context
	data      []byte
	pos       int
	firstByte time.Time
}

func (b *fcBody) Read(p []byte) (int, error) {
	if b.pos >= len(b.data) {
		return 0, io.EOF
	}
	for {
		due := 44 + 2*int(time.Since(b.firstByte).Seconds()*fcRate*fcSpeedup)
		if since := time.Until(b.firstByte); since <= 0 && due > b.pos {
			n := copy(p, b.data[b.pos:min(due, len(b.data))])
			b.pos += n
			return n, nil
		}
		wait := max(time.Until(b.firstByte), 5*time.Millisecond)
		select {
		case <-time.After(wait):
		case <-b.ctx.Done():
			return 0, b.ctx.Err()
		}
	}
}

func (b *fcBody) Close() error { return nil }

func fcWAV(chars int) []byte {
	n := int(fcAudio.Seconds()*fcRate) * chars
	pcm := make([]byte, 2*n)
	for i := range n {
		pcm[2*i], pcm[2*i+1] = byte(i), 0x10 // never silent
	}
	return append(scripted.WAVHeader(fcRate, uint32(len(pcm))), pcm...)
}

// fcText is prose: sentences of 4 to 24 words, paragraphs of 1 to 7
// sentences, the same for a given length.
func fcText(chars int) string {
	r := rand.New(rand.NewPCG(12, 1))
	words := strings.Fields("the river ran clear under a bright cold sky and the clocks were striking thirteen while winston slipped quickly through the glass doors of victory mansions though not quickly enough to keep a swirl of gritty dust from entering along with him")
	var b strings.Builder
	for b.Len() < chars {
		for range 1 + r.IntN(7) {
			m := 4 + r.IntN(21)
			for j := range m {
				w := words[r.IntN(len(words))]
				if j == 0 {
					w = strings.ToUpper(w[:1]) + w[1:]
				}
				b.WriteString(w)
				switch {
				case j == m-1:
					b.WriteString(". ")
				case r.IntN(8) == 0:
					b.WriteString(", ")
				default:
					b.WriteString(" ")
				}
			}
		}
		b.WriteString("\n\n")
	}
	return strings.TrimSpace(b.String()[:chars])
}

type fcRun struct {
	wall, first time.Duration
	requests    int
	res         *Result
}

func fcSpeak(tb testing.TB, e *Engine, id, text string, noCache bool) fcRun {
	sink := player.NewMemorySink(audio.Format{SampleRate: fcRate, Channels: 1})
	sink.Discard = true
	start := time.Now()
	res, err := e.Speak(context.Background(), Job{Provider: id, Request: providers.Request{Text: text}, Play: true, Sink: sink, NoCache: noCache})
	if err != nil {
		tb.Fatal(err)
	}
	return fcRun{wall: time.Since(start), first: time.Duration(res.Stats.FirstAudioMs * float64(time.Millisecond)),
		requests: res.Stats.Requests, res: res}
}

// fcIdeal is the best any scheduler could do with these chunks: their
// request times spread evenly over the concurrency.
func fcIdeal(res *Result) time.Duration {
	var sum time.Duration
	for _, c := range res.Chunks {
		n := time.Duration(c.RuneEnd - c.RuneStart)
		sum += fcBase + n*(fcPerChar+fcAudio/fcSpeedup)
	}
	return sum / DefaultConcurrency
}

// fcCapIdeal is the bound for the cap and the concurrency, whatever the
// chunking: the fewest requests the cap allows, each paying the base.
func fcCapIdeal(chars int) time.Duration {
	reqs := time.Duration((chars + fcCap - 1) / fcCap)
	return (reqs*fcBase + time.Duration(chars)*(fcPerChar+fcAudio/fcSpeedup)) / DefaultConcurrency
}

// BenchmarkFirstAudio prints the figures of bench/longtext.md, "First
// audio": one sentence against 20,000 characters, packed chunks (before)
// against growing ones, and the requests an edit and an insertion cost.
// Run it once (-benchtime 1x); it takes about a minute and a half.
func BenchmarkFirstAudio(b *testing.B) {
	p := scripted.Register(b, &scripted.Provider{ID: "bench-first", Caps: providers.Capabilities{
		Models: []providers.Model{{ID: "m1"}}, Formats: []string{"wav"}, Speed: providers.Range{Min: 0.5, Max: 2, Default: 1},
		MaxChars: fcCap, Streaming: true,
	}})
	p.Respond = func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
		n := utf8.RuneCountInString(req.Text)
		body := &fcBody{ctx: ctx, data: fcWAV(n), firstByte: time.Now().Add(fcBase + time.Duration(n)*fcPerChar)}
		return &providers.Audio{Body: body, Encoding: audio.WAV, Requests: 1}, nil
	}
	defer func(g *longtext.Growth) { chunkGrowth = g }(chunkGrowth)
	text := fcText(20000)
	chars := utf8.RuneCountInString(text)
	first := text[:strings.Index(text, ". ")+1]
	mid := strings.Index(text[len(text)/2:], ". ") + len(text)/2 + 2
	end := strings.Index(text[mid:], ". ") + mid + 1
	edited := text[:mid] + "This one sentence was rewritten, and it is longer now than it was." + text[end:]
	inserted := text[:mid] + "A sentence nobody had written before. " + text[mid:]

	b.Logf("model: first byte %v + %v per character, audio %v per character at %d× real time, cap %d, %d requests at once",
		fcBase, fcPerChar, fcAudio, fcSpeedup, fcCap, DefaultConcurrency)
	b.Logf("text: %d characters; first sentence %d characters; edit and insertion at character %d", chars, utf8.RuneCountInString(first), utf8.RuneCountInString(text[:mid]))
	b.Logf("| chunking | run | chunks | requests | first audio | × one sentence | wall | ideal for the chunks | ideal for the cap | wall ÷ cap ideal |")
	var one fcRun
	for _, mode := range []struct {
		name string
		g    *longtext.Growth
	}{{"packed (before)", nil}, {"growing", chunkGrowth}} {
		chunkGrowth = mode.g
		st, err := cache.Open(b.TempDir(), 0)
		if err != nil {
			b.Fatal(err)
		}
		e := &Engine{Getenv: func(string) string { return "" }, Cache: st}
		one = fcSpeak(b, e, "bench-first", first, true) // not cached: the long text must not find it
		full := fcSpeak(b, e, "bench-first", text, false)
		ed := fcSpeak(b, e, "bench-first", edited, false)
		ins := fcSpeak(b, e, "bench-first", inserted, false)
		b.Logf("| %s | one sentence | %d | %d | %.0f ms | 1.00 | %.2f s | - | - | - |", mode.name, one.res.Stats.Chunks, one.requests,
			fcMs(one.first), one.wall.Seconds())
		b.Logf("| %s | 20,000 characters | %d | %d | %.0f ms | %.2f | %.2f s | %.2f s | %.2f s | %.3f |", mode.name, full.res.Stats.Chunks, full.requests,
			fcMs(full.first), full.first.Seconds()/one.first.Seconds(), full.wall.Seconds(), fcIdeal(full.res).Seconds(),
			fcCapIdeal(chars).Seconds(), full.wall.Seconds()/fcCapIdeal(chars).Seconds())
		b.Logf("| %s | one sentence edited | %d | %d | | | | | | |", mode.name, ed.res.Stats.Chunks, ed.requests)
		b.Logf("| %s | one sentence inserted | %d | %d | | | | | | |", mode.name, ins.res.Stats.Chunks, ins.requests)
	}
}

func fcMs(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

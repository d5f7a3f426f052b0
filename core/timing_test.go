package core

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"chorus/audio"
	"chorus/internal/scripted"
	"chorus/providers"
)

// wordStep is how far apart timedProvider's words are; each is heard for
// wordLen.
const (
	wordStep = 300 * time.Millisecond
	wordLen  = 250 * time.Millisecond
)

// timedProvider answers each request with wordStep of audio per word and a
// word boundary for each, at known times: the words as sent, punctuation
// kept (ElevenLabs' alignment grouped by white space), or with it stripped
// (AI Refinery's word boundaries).
func timedProvider(t *testing.T, id string, maxChars int, strip bool) *scripted.Provider {
	p := scripted.Register(t, &scripted.Provider{ID: id, Caps: providers.Capabilities{
		Models: []providers.Model{{ID: "m1"}}, Formats: []string{"wav"}, Speed: providers.Range{Min: 0.5, Max: 2, Default: 1},
		MaxChars: maxChars, Concurrency: 2, Streaming: true,
	}})
	p.Respond = func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
		fields := strings.Fields(req.Text)
		ch := make(chan providers.WordBoundary, len(fields))
		for i, f := range fields {
			if strip {
				f = strings.Trim(f, ".,!?;:")
			}
			ch <- providers.WordBoundary{Text: f, Offset: time.Duration(i) * wordStep, Duration: wordLen}
		}
		close(ch)
		wav := scripted.ToneWAV(24000, (time.Duration(len(fields)) * wordStep).Seconds(), 440)
		return &providers.Audio{Body: io.NopCloser(bytes.NewReader(wav)), Encoding: audio.WAV, Words: ch, Requests: 1}, nil
	}
	return p
}

// Both providers' shapes reach the result as one: each word's offsets are
// into the whole text (across chunks) and its times into the whole audio.
func TestWordTimingsAcrossChunksOneShape(t *testing.T) {
	for _, strip := range []bool{false, true} {
		id := "w-kept"
		if strip {
			id = "w-stripped"
		}
		timedProvider(t, id, 60, strip)
		e, _ := monoEngine()
		text := longText(8)
		res, err := e.Speak(context.Background(), Job{Provider: id, Request: providers.Request{Text: text}, Play: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Chunks) < 3 {
			t.Fatalf("%s: %d chunks, want several", id, len(res.Chunks))
		}
		fields := tokens(text)
		if len(res.Words) != len(fields) {
			t.Fatalf("%s: %d word timings for %d words", id, len(res.Words), len(fields))
		}
		ci, k := 0, 0
		for i, w := range res.Words {
			if w.Start != fields[i].start || w.End != fields[i].end || text[w.Start:w.End] != w.Text {
				t.Fatalf("%s: word %d is %q at %d–%d, want %q at %d–%d", id, i, w.Text, w.Start, w.End,
					text[fields[i].start:fields[i].end], fields[i].start, fields[i].end)
			}
			for w.Start >= res.Chunks[ci].End {
				ci, k = ci+1, 0
			}
			want := res.Chunks[ci].AudioStart + time.Duration(k)*wordStep
			if d := w.Offset - want; d < -time.Millisecond || d > time.Millisecond || w.Duration != wordLen {
				t.Fatalf("%s: word %d (%q) at %v for %v, want %v for %v", id, i, w.Text, w.Offset, w.Duration, want, wordLen)
			}
			k++
		}
	}
}

// A boundary is matched to the words that spell it, skipping a word the
// service did not time; one that spells nothing in the text takes the next
// word by position; punctuation-only boundaries are dropped.
func TestAlignWords(t *testing.T) {
	text := "Hello, world — it costs 20 euros."
	got := alignWords(text, []providers.WordBoundary{
		{Text: "hello", Offset: 1}, {Text: ",", Offset: 2}, {Text: "World", Offset: 3}, {Text: "it", Offset: 4},
		{Text: "costs", Offset: 5}, {Text: "twenty", Offset: 6}, {Text: "euros", Offset: 7}, {Text: "extra", Offset: 8},
	})
	want := []string{"Hello,", "world", "it", "costs", "20", "euros."}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	offsets := []time.Duration{1, 3, 4, 5, 6, 7}
	for i, w := range got {
		if w.Text != want[i] || text[w.Start:w.End] != want[i] || w.Offset != offsets[i] {
			t.Errorf("word %d: %+v, want %q at offset %v", i, w, want[i], offsets[i])
		}
	}
	// A local engine's sentence boundary spans the sentence's words.
	s := alignWords("One two. Three four.", []providers.WordBoundary{{Text: "One two."}, {Text: "Three four.", Offset: time.Second}})
	if len(s) != 2 || s[0].Start != 0 || s[0].End != 8 || s[1].Start != 9 || s[1].End != 20 || s[1].Offset != time.Second {
		t.Errorf("sentences: %+v", s)
	}
}

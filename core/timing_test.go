package core

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"chorus/audio"
	"chorus/export"
	"chorus/internal/scripted"
	"chorus/longtext"
	"chorus/player"
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

// Subtitles from word timings, cue by cue: a cue ends at a sentence end or
// before the word that would not fit in two lines of 42 characters, and
// lasts from its first word's start to its last word's end.
func TestSubtitlesFromWordTimings(t *testing.T) {
	timedProvider(t, "w-subs", 0, false)
	e, _ := monoEngine()
	dir := t.TempDir()
	text := "Hi there. This sentence is long enough that it has to be cut into more than one subtitle cue by the rule. End."
	srt := filepath.Join(dir, "x.srt")
	if _, err := e.Speak(context.Background(), Job{Provider: "w-subs", Request: providers.Request{Text: text}, Out: filepath.Join(dir, "x.wav"), Subtitles: srt}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(srt)
	want := "1\n00:00:00,000 --> 00:00:00,550\nHi there.\n\n" +
		"2\n00:00:00,600 --> 00:00:05,650\nThis sentence is long enough that it has\nto be cut into more than one subtitle cue\n\n" +
		"3\n00:00:05,700 --> 00:00:06,550\nby the rule.\n\n" +
		"4\n00:00:06,600 --> 00:00:06,850\nEnd.\n\n"
	if string(got) != want {
		t.Errorf("srt:\n%s\nwant:\n%s", got, want)
	}
}

// Across chunks, every cue starts at its first word and ends at its last
// word's end, in the whole audio; no cue is longer than two lines of 42
// characters and none ends inside a word.
func TestSubtitleCuesFollowWordsAcrossChunks(t *testing.T) {
	timedProvider(t, "w-cues", 90, true)
	e, _ := monoEngine()
	text := longText(12) + "A sentence with enough words in it to need more than a single line of text, and a second line too, and then a third one."
	states, timings, res := speakStates(t, e, "w-cues", text)
	if len(timings) < 3 {
		t.Fatalf("%d chunks", len(timings))
	}
	cues := Cues(text, states, timings)
	wi := 0
	for i, c := range cues {
		if n := utf8.RuneCountInString(c.Text); n > 2*lineChars+1 {
			t.Errorf("cue %d has %d characters: %q", i, n, c.Text)
		}
		first := res.Words[wi]
		n := len(strings.Fields(c.Text))
		last := res.Words[wi+n-1]
		if !strings.HasPrefix(c.Text, first.Text) || !strings.HasSuffix(c.Text, last.Text) {
			t.Fatalf("cue %d %q does not run from word %q to %q", i, c.Text, first.Text, last.Text)
		}
		if c.Start != first.Offset || c.End != last.Offset+last.Duration {
			t.Errorf("cue %d %q at %v–%v, want %v–%v", i, c.Text, c.Start, c.End, first.Offset, last.Offset+last.Duration)
		}
		wi += n
	}
	if wi != len(res.Words) {
		t.Errorf("the cues hold %d words of %d", wi, len(res.Words))
	}
}

// Without word timings the cues keep spreading each chunk's sentences over
// its real duration, back to back.
func TestSubtitlesWithoutTimingsInterpolate(t *testing.T) {
	newFakeLong(t, "w-none", 90, 2)
	e, _ := monoEngine()
	text := longText(6)
	states, timings, _ := speakStates(t, e, "w-none", text)
	cues := Cues(text, states, timings)
	if len(cues) != 6 {
		t.Fatalf("%d cues for 6 sentences: %+v", len(cues), cues)
	}
	for i, c := range cues {
		if i > 0 && c.Start != cues[i-1].End {
			t.Errorf("cue %d starts at %v, the one before ended at %v", i, c.Start, cues[i-1].End)
		}
	}
	if end := cues[len(cues)-1].End; end != timings[len(timings)-1].AudioEnd {
		t.Errorf("cues end at %v, the audio at %v", end, timings[len(timings)-1].AudioEnd)
	}
}

// speakStates plays text and returns the chunk states (with the words the
// provider sends for each) and timings the subtitles are cut from.
func speakStates(t *testing.T, e *Engine, id, text string) ([]*chunkState, []ChunkTiming, *Result) {
	t.Helper()
	job := Job{Provider: id, Request: providers.Request{Text: text}, Play: true}
	res, err := e.Speak(context.Background(), job)
	if err != nil {
		t.Fatal(err)
	}
	p, err := providers.Get(id, providers.Config{})
	if err != nil {
		t.Fatal(err)
	}
	states, err := planChunks(&job, p.Capabilities(), job.Request)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range states {
		a, err := p.Synthesize(context.Background(), st.req)
		if err != nil {
			t.Fatal(err)
		}
		var words []providers.WordBoundary
		if a.Words != nil {
			for w := range a.Words {
				words = append(words, w)
			}
		}
		a.Body.Close()
		st.setWords(words)
	}
	return states, res.Chunks, res
}

// LRC, line by line: the title tag, hundredths of a second (rounded down),
// minutes past the hour, one line per cue with its white space flattened,
// and an empty line where the last cue ends.
func TestFormatLRC(t *testing.T) {
	cues := []export.Cue{
		{Start: 0, End: 1234 * time.Millisecond, Text: "First  line\nwrapped."},
		{Start: 1239 * time.Millisecond, End: 61*time.Minute + 5*time.Second + 678*time.Millisecond, Text: "Second."},
	}
	got := string(formatLRC(" My\n Book ", cues))
	want := "[ti:My Book]\n[00:00.00]First line wrapped.\n[00:01.23]Second.\n[61:05.67]\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := string(formatLRC("", cues[:1])); got != "[00:00.00]First line wrapped.\n[00:01.23]\n" {
		t.Errorf("without a title: %q", got)
	}
}

// With word timings, progress names the word being heard inside its
// sentence (the karaoke highlight); a pause after a word names none.
func TestProgressNamesTheWordHeard(t *testing.T) {
	words := []WordTiming{{Text: "One", Start: 0, End: 3, Offset: 0, Duration: 250 * time.Millisecond},
		{Text: "two", Start: 4, End: 7, Offset: 300 * time.Millisecond, Duration: 250 * time.Millisecond}}
	for into, want := range map[time.Duration]string{0: "One", 200 * time.Millisecond: "One", 320 * time.Millisecond: "two", 2 * time.Second: ""} {
		w, ok := wordAt(words, into)
		if (want == "") == ok || w.Text != want {
			t.Errorf("at %v: %q (%v), want %q", into, w.Text, ok, want)
		}
	}

	// Played at 1.5× real time: each word lasts 200 ms, four progress
	// ticks (every 50 ms).
	timedProvider(t, "w-karaoke", 0, false)
	e, _ := monoEngine()
	inner := e.OpenSink
	e.OpenSink = func() (player.Sink, error) {
		s, err := inner()
		return pacedSink{s, 1.5}, err
	}
	text := "Alpha beta gamma. Delta epsilon."
	var mu sync.Mutex
	named := map[string]bool{}
	_, err := e.Speak(context.Background(), Job{Provider: "w-karaoke", Request: providers.Request{Text: text}, Play: true,
		OnProgress: func(p Progress) {
			mu.Lock()
			defer mu.Unlock()
			if p.WordEnd == 0 {
				return
			}
			if p.WordStart < p.Start || p.WordEnd > p.End {
				t.Errorf("word %d–%d outside its sentence %d–%d", p.WordStart, p.WordEnd, p.Start, p.End)
				return
			}
			named[text[p.WordStart:p.WordEnd]] = true
		}})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, w := range []string{"Alpha", "gamma.", "Delta"} {
		if !named[w] {
			t.Errorf("progress never named %q (named %v)", w, named)
		}
	}
}

// pacedSink plays in real time divided by speed, so progress can be
// watched while audio plays.
type pacedSink struct {
	player.Sink
	speed float64
}

func (s pacedSink) Write(ctx context.Context, samples []float32) error {
	f := s.Format()
	d := time.Duration(float64(len(samples)) / float64(f.SampleRate*f.Channels) / s.speed * float64(time.Second))
	select {
	case <-time.After(d):
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.Sink.Write(ctx, samples)
}

// heldSink plays nothing: every sample waits (Played stays 0), so all the
// audio that arrives is ahead of what is heard.
type heldSink struct{ *player.MemorySink }

func (h heldSink) Stats() player.SinkStats { return player.SinkStats{} }

// Progress tells where the parts not heard yet are in the audio that has
// arrived: every sentence and word of the chunks ahead, words at their
// exact times, so a front end can seek forward to one.
func TestProgressPlacesAhead(t *testing.T) {
	timedProvider(t, "w-ahead", 60, false)
	sink := heldSink{player.NewMemorySink(audio.Format{SampleRate: 24000, Channels: 1})}
	e := &Engine{OpenSink: func() (player.Sink, error) { return sink, nil }, Getenv: func(string) string { return "" }}
	text := longText(8)
	var last Progress
	var mu sync.Mutex
	res, err := e.Speak(context.Background(), Job{Provider: "w-ahead", Request: providers.Request{Text: text}, Play: true,
		OnProgress: func(p Progress) { mu.Lock(); last = p; mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if last.Position != 0 || len(res.Chunks) < 3 {
		t.Fatalf("heard %v of %d chunks, want nothing heard of several", last.Position, len(res.Chunks))
	}
	words := map[int]time.Duration{}
	sentences := 0
	for _, pl := range last.Places {
		if pl.Word {
			words[pl.Start] = pl.At
			if text[pl.Start:pl.End] == "" {
				t.Errorf("an empty word place %+v", pl)
			}
		} else {
			sentences++
		}
	}
	if len(words) != len(res.Words) {
		t.Fatalf("%d word places ahead, want all %d words", len(words), len(res.Words))
	}
	for _, w := range res.Words {
		if at, ok := words[w.Start]; !ok || at != w.Offset {
			t.Errorf("word %q placed at %v, heard at %v", w.Text, at, w.Offset)
		}
	}
	if want := len(longtext.Sentences(text)); sentences != want {
		t.Errorf("%d sentence places, want %d", sentences, want)
	}
}

package local

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"chorus/audio"
	"chorus/audio/codec"
	"chorus/internal/audiotest"
	"chorus/providers"
)

func TestParseVoices(t *testing.T) {
	out := []byte(`Pty Language       Age/Gender VoiceName          File                 Other Languages
 5  af              --/M      Afrikaans          gmw/af
 2  en-us           --/F      English_(America)  gmw/en-US            (en 3)
 5  en-us           --/M      Duplicate          gmw/en-US-x
`)
	v := ParseVoices(out)
	if len(v) != 2 {
		t.Fatalf("got %d voices, want 2 (duplicates dropped): %+v", len(v), v)
	}
	if v[1].ID != "en-us" || v[1].Name != "English (America)" || v[1].Gender != "female" {
		t.Errorf("en-us parsed as %+v", v[1])
	}
	if v[0].Gender != "male" {
		t.Errorf("af gender = %q", v[0].Gender)
	}
}

func TestWPMScalesAndClamps(t *testing.T) {
	for _, c := range []struct {
		speed float64
		want  int
	}{{1, 175}, {2, 350}, {0.5, 88}, {0.1, 80}, {10, 450}, {0, 175}} {
		if got := WPM(c.speed); got != c.want {
			t.Errorf("WPM(%g) = %d, want %d", c.speed, got, c.want)
		}
	}
}

func TestVoicesListsEspeakVoices(t *testing.T) {
	voices, err := (&Engine{}).Voices(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, v := range voices {
		if v.ID == "en-us" {
			found = true
		}
	}
	if !found || len(voices) < 50 {
		t.Fatalf("want en-us among espeak-ng's 100+ voices, got %d voices", len(voices))
	}
}

// The samples Chorus decodes are exactly those espeak-ng writes itself.
func TestSynthesizeMatchesEspeak(t *testing.T) {
	ctx := context.Background()
	text := "Hello world. The quick brown fox jumps over the lazy dog."
	a, err := (&Engine{}).Synthesize(ctx, providers.Request{Text: text, Voice: "en-gb", Speed: 1.2})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Body.Close()
	got := decodeAll(t, a.Body)
	ref := audiotest.Espeak(t, ctx, "en-gb", text, 210)
	want := decodeAll(t, bytes.NewReader(ref))
	if len(got) != len(want) {
		t.Fatalf("got %d samples, espeak-ng gave %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("sample %d differs: %g vs %g", i, got[i], want[i])
		}
	}
}

func decodeAll(t *testing.T, r io.Reader) []float32 {
	t.Helper()
	src, err := codec.NewDecoder(r, audio.WAV, audio.Format{})
	if err != nil {
		t.Fatal(err)
	}
	if f := src.Format(); f.SampleRate != SampleRate || f.Channels != 1 {
		t.Fatalf("format %v, want 22050 Hz mono", f)
	}
	var all []float32
	buf := make([]float32, 4096)
	for {
		n, err := src.Read(buf)
		all = append(all, buf[:n]...)
		if err == io.EOF {
			return all
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// Audio arrives while espeak-ng is still synthesizing a long paragraph.
func TestStreamsBeforeSynthesisEnds(t *testing.T) {
	text := strings.Repeat("This sentence is one of many in a long paragraph that takes espeak a while to say. ", 60)
	start := time.Now()
	a, err := (&Engine{}).Synthesize(context.Background(), providers.Request{Text: text})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Body.Close()
	buf := make([]byte, 4096)
	if _, err := io.ReadFull(a.Body, buf); err != nil {
		t.Fatal(err)
	}
	first := time.Since(start)
	n, err := io.Copy(io.Discard, a.Body)
	if err != nil {
		t.Fatal(err)
	}
	all := time.Since(start)
	t.Logf("first 4 KiB after %v, all %d bytes after %v", first, n, all)
	if first*3 > all {
		t.Errorf("first audio after %v is not well before the end (%v): not streaming", first, all)
	}
}

func TestCancelStopsEspeak(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	a, err := (&Engine{}).Synthesize(ctx, providers.Request{Text: strings.Repeat("A long text to cancel. ", 400)})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	_, err = io.Copy(io.Discard, a.Body)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("after cancel, read error = %v, want context.Canceled", err)
	}
	a.Body.Close()
}

func TestErrorsAreClear(t *testing.T) {
	e := &Engine{}
	ctx := context.Background()
	_, err := providers.Checked(e).Synthesize(ctx, providers.Request{Text: "  "})
	if !providers.IsValidation(err) || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty text: %v", err)
	}
	_, err = providers.Checked(e).Synthesize(ctx, providers.Request{Text: "hi", Speed: 3})
	if !providers.IsValidation(err) || !strings.Contains(err.Error(), "0.5 to 2.5") {
		t.Errorf("speed 3: %v", err)
	}
	_, err = providers.Checked(e).Synthesize(ctx, providers.Request{Text: "hi", Format: "mp3"})
	if !providers.IsValidation(err) || !strings.Contains(err.Error(), "allowed: wav") {
		t.Errorf("mp3: %v", err)
	}
	_, err = providers.Checked(e).Synthesize(ctx, providers.Request{Text: "hi", Voice: "xx-nonexistent"})
	if !providers.IsValidation(err) || !strings.Contains(err.Error(), "xx-nonexistent") {
		t.Errorf("unknown voice: %v", err)
	}
}

func TestMissingEspeak(t *testing.T) {
	old := Program
	Program = "espeak-ng-not-installed-here"
	defer func() { Program = old }()
	e := &Engine{}
	_, err := providers.Checked(e).Synthesize(context.Background(), providers.Request{Text: "hi"})
	if providers.KindOf(err) != providers.KindUnavailable || !strings.Contains(err.Error(), "apt install espeak-ng") {
		t.Errorf("synthesize without espeak-ng: %v", err)
	}
	_, err = e.Voices(context.Background(), "")
	if providers.KindOf(err) != providers.KindUnavailable {
		t.Errorf("voices without espeak-ng: %v", err)
	}
}

package airefinery

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"chorus/audio"
	"chorus/providers"
	"chorus/providers/providertest"
)

const testKey = "air-test-key-0123456789"

func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{New: New, Fake: &fake{key: testKey}, Key: testKey})
}

// server starts f and a provider pointed at it.
func server(t *testing.T, f *fake) (*providertest.Server, providers.Provider) {
	t.Helper()
	return providertest.Start(t, New, f, "", testKey)
}

func TestRegistered(t *testing.T) {
	r, ok := providers.Lookup("airefinery")
	if !ok || r.Name != "Accenture AI Refinery" || r.KeyEnv() != "AIREFINERY_API_KEY" {
		t.Fatalf("registration: %+v", r)
	}
}

func TestRequestShape(t *testing.T) {
	s, p := server(t, &fake{key: testKey})
	a, err := providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "Bonjour", Voice: "fr-FR-DeniseNeural",
		Format: "pcm", SampleRate: 16000, Batch: true})
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(a.Body)
	a.Body.Close()
	if a.Encoding != audio.PCM || a.Format != (audio.Format{SampleRate: 16000, Channels: 1}) {
		t.Errorf("audio %s %v", a.Encoding, a.Format)
	}
	seen := s.Seen()[0]
	var m map[string]any
	json.Unmarshal(seen.Body, &m)
	extra, _ := m["extra_body"].(map[string]any)
	if extra["speech_synthesis_language"] != "fr-FR" || extra["sample_rate"] != 16000.0 {
		t.Errorf("extra_body = %v", extra)
	}
	if m["stream"] != false || m["model"] != Model || m["speed"] != 1.0 || m["response_format"] != "pcm" {
		t.Errorf("body = %v", m)
	}
	if _, top := m["sample_rate"]; top {
		t.Error("sample_rate sent at the top level")
	}
	if seen.Path != "/v1/audio/speech" || seen.Header.Get("Accept") != "application/octet-stream" ||
		seen.Header.Get("sdk_version") == "" {
		t.Errorf("path %s headers %v", seen.Path, seen.Header)
	}
}

func TestWordBoundaries(t *testing.T) {
	for _, batch := range []bool{true, false} {
		_, p := server(t, &fake{key: testKey})
		a, err := providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "Hello, world",
			Batch: batch, Options: map[string]string{OptionWordBoundaries: "on"}})
		if err != nil {
			t.Fatal(err)
		}
		if a.Words == nil {
			t.Fatal("no Words channel")
		}
		data, err := io.ReadAll(a.Body)
		a.Body.Close()
		if err != nil || string(data) != string(providertest.Fixture(audio.WAV)) {
			t.Fatalf("batch=%v: %d bytes, %v", batch, len(data), err)
		}
		var words []providers.WordBoundary
		for w := range a.Words {
			words = append(words, w)
		}
		if len(words) != 2 || words[1].Text != "world" || words[1].Offset != 400*time.Millisecond || words[0].Duration != 312500*time.Microsecond {
			t.Errorf("batch=%v: words = %+v", batch, words)
		}
	}
}

func TestWordsClosedWhenBodyClosedEarly(t *testing.T) {
	_, p := server(t, &fake{key: testKey})
	a, err := providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "Hello",
		Options: map[string]string{OptionWordBoundaries: "on"}})
	if err != nil {
		t.Fatal(err)
	}
	a.Body.Close()
	for range a.Words {
	}
}

func TestHeaderlessWAVStreamIsPCM(t *testing.T) {
	_, p := server(t, &fake{key: testKey, headlessWAV: true})
	a, err := providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "Hello", Format: "wav", SampleRate: 22050})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Body.Close()
	if a.Encoding != audio.PCM || a.Format.SampleRate != 22050 {
		t.Errorf("got %s %v", a.Encoding, a.Format)
	}
}

func TestNormalizeBaseURL(t *testing.T) {
	cases := map[string]bool{
		"https://api.airefinery.accenture.com":                        false,
		"https://api.airefinery.accenture.com/":                       false,
		"https://api.airefinery.accenture.com/inference":              true,
		"https://api.airefinery.accenture.com/inference/":             true,
		"https://api.airefinery.accenture.com/v1":                     true,
		"https://api.airefinery.accenture.com/inference/audio/speech": true,
		" https://api.airefinery.accenture.com/v1/audio/speech ":      true,
	}
	for in, warns := range cases {
		got, warning := NormalizeBaseURL(in)
		if got != "https://api.airefinery.accenture.com" || (warning != "") != warns {
			t.Errorf("%q -> %q, %q", in, got, warning)
		}
	}
}

func TestCatalog(t *testing.T) {
	vs := Catalog()
	if len(vs) < 40 || vs[0].ID != DefaultVoice || vs[0].Language != "en-US" || vs[0].Gender != "female" || vs[0].Name != "Jenny" {
		t.Errorf("catalog starts %+v (%d voices)", vs[0], len(vs))
	}
	if !strings.Contains(vs[0].Label(), "en-US") {
		t.Error(vs[0].Label())
	}
}

func TestAnyTypedVoiceIsSent(t *testing.T) {
	s, p := server(t, &fake{key: testKey})
	a, err := providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "Hi", Voice: "en-US-AmberNeural"})
	if err != nil {
		t.Fatal(err)
	}
	a.Body.Close()
	if !strings.Contains(string(s.Seen()[0].Body), `"voice":"en-US-AmberNeural"`) {
		t.Error(string(s.Seen()[0].Body))
	}
}

func TestWordBoundariesSurviveARetry(t *testing.T) {
	s, p := server(t, &fake{key: testKey})
	s.Set(providertest.FailFirst(1, 503, "busy", ""))
	a, err := providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "Hello, world",
		Options: map[string]string{OptionWordBoundaries: "on"}})
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(a.Body)
	a.Body.Close()
	n := 0
	for range a.Words {
		n++
	}
	if n != 2 || a.Requests != 2 {
		t.Errorf("%d words after %d requests", n, a.Requests)
	}
}

package openai

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"chorus/audio"
	"chorus/providers"
	"chorus/providers/providertest"
)

const testKey = "sk-test-0123456789abcdef"

func openAIFake() *fake {
	return &fake{key: testKey, models: []string{"gpt-4o-mini-tts", "gpt-4o-mini-tts-2025-12-15", "tts-1", "tts-1-hd", "gpt-5-tts-preview"}, sse: openAI.sse}
}

func TestConformanceOpenAI(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		New:      factory(openAI),
		Fake:     openAIFake(),
		Key:      testKey,
		BasePath: "/v1",
		Spec:     providertest.SpecFile(t, specFile),
	})
}

func TestConformanceInfery(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		New:      factory(infery),
		Fake:     &fake{key: "inf_" + testKey, models: []string{"tts-1", "tts-1-hd", "gemini-2-5-tts", "qwen-tts"}},
		Key:      "inf_" + testKey,
		BasePath: "/v1",
		Spec:     providertest.SpecFile(t, specFile),
	})
}

func TestConformanceProfile(t *testing.T) {
	p := Profile{ID: "kokoro", Name: "Kokoro", BaseURL: "http://localhost:8880/v1", Models: []string{"kokoro"}}
	if err := RegisterProfile(p); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { UnregisterProfile(p.ID) })
	providertest.Run(t, providertest.Harness{
		New:      p.New,
		Fake:     &fake{key: testKey, models: []string{"kokoro"}, voices: []string{"af_bella", "am_adam"}},
		Key:      testKey,
		BasePath: "/v1",
		Spec:     providertest.SpecFile(t, specFile),
	})
}

func TestRegistered(t *testing.T) {
	for id, env := range map[string]string{"openai": "OPENAI_API_KEY", "infery": "INFERY_API_KEY"} {
		r, ok := providers.Lookup(id)
		if !ok {
			t.Fatalf("%s is not registered", id)
		}
		if r.KeyEnv() != env {
			t.Errorf("%s key env = %s, want %s", id, r.KeyEnv(), env)
		}
	}
	if r, _ := providers.Lookup("openai"); r.Name != "OpenAI" || r.DefaultBaseURL != "https://api.openai.com/v1" {
		t.Errorf("openai info = %+v", r.Info)
	}
}

// server starts the OpenAI fake and returns a provider pointed at it.
func server(t *testing.T) (*providertest.Server, providers.Provider) {
	t.Helper()
	s, p := providertest.Start(t, factory(openAI), openAIFake(), "/v1", testKey)
	s.Spec = providertest.SpecFile(t, specFile)
	return s, p
}

// specFile is OpenAI's official OpenAPI document, trimmed to the speech
// and model routes (see THIRD_PARTY.md). Infery and custom endpoints claim
// the same contract, so their requests are checked against it too.
const specFile = "testdata/openapi.json"

func sentBody(t *testing.T, s *providertest.Server) map[string]any {
	t.Helper()
	seen := s.Seen()
	if len(seen) == 0 {
		t.Fatal("no request reached the fake")
	}
	var m map[string]any
	if err := json.Unmarshal(seen[len(seen)-1].Body, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func read(t *testing.T, a *providers.Audio, err error) []byte {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Body.Close()
	b, err := io.ReadAll(a.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSSEOnlyWhenStreamingASupportingModel(t *testing.T) {
	s, p := server(t)
	cases := []struct {
		model string
		batch bool
		sse   bool
	}{
		{"gpt-4o-mini-tts", false, true},
		{"gpt-4o-mini-tts", true, false},
		{"tts-1", false, false},
		{"tts-1-hd", false, false},
	}
	for _, c := range cases {
		s.Set(nil)
		a, err := providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "hi", Model: c.model, Batch: c.batch})
		read(t, a, err)
		got, _ := sentBody(t, s)["stream_format"].(string)
		if (got == "sse") != c.sse {
			t.Errorf("%s batch=%v: stream_format = %q, want sse=%v", c.model, c.batch, got, c.sse)
		}
	}
}

func TestRequestBody(t *testing.T) {
	s, p := server(t)
	a, err := providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "hi", Model: "gpt-4o-mini-tts",
		Voice: "coral", Format: "pcm", Speed: 1.5, Instructions: "whisper", Batch: true})
	b := read(t, a, err)
	if a.Encoding != audio.PCM || a.Format != (audio.Format{SampleRate: 24000, Channels: 1}) || len(b) != 48000 {
		t.Errorf("pcm audio = %s %v, %d bytes", a.Encoding, a.Format, len(b))
	}
	m := sentBody(t, s)
	want := map[string]any{"model": "gpt-4o-mini-tts", "input": "hi", "voice": "coral",
		"response_format": "pcm", "speed": 1.5, "instructions": "whisper"}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	h := s.Seen()[0].Header
	if h.Get("Authorization") != "Bearer "+testKey || h.Get("Accept") != "application/octet-stream" {
		t.Errorf("headers: %v", h)
	}
}

func TestEncodings(t *testing.T) {
	want := map[string]audio.Encoding{"mp3": audio.MP3, "opus": audio.Opus, "aac": audio.AAC,
		"flac": audio.FLAC, "wav": audio.WAV, "pcm": audio.PCM}
	for f, enc := range want {
		if got, _ := encoding(f, 24000); got != enc {
			t.Errorf("%s -> %s, want %s", f, got, enc)
		}
	}
}

func TestInstructionsNeedASupportingModel(t *testing.T) {
	s, p := server(t)
	_, err := providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "hi", Model: "tts-1", Instructions: "calm"})
	if !providers.IsValidation(err) || !strings.Contains(err.Error(), "gpt-4o-mini-tts") {
		t.Fatalf("err = %v", err)
	}
	if s.Requests() != 0 {
		t.Error("the request was sent")
	}
}

func TestVoicesPerModel(t *testing.T) {
	_, p := server(t)
	classic, _ := p.Voices(context.Background(), "tts-1")
	all, _ := p.Voices(context.Background(), "gpt-4o-mini-tts")
	if len(classic) != 9 || len(all) != 13 {
		t.Errorf("tts-1 has %d voices, gpt-4o-mini-tts %d", len(classic), len(all))
	}
}

func TestModelsListsOnlyTTS(t *testing.T) {
	_, p := server(t)
	ms, err := p.(providers.ModelLister).Models(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if !strings.Contains(m.ID, "tts") {
			t.Errorf("listed %s", m.ID)
		}
		if m.ID == "gpt-4o-mini-tts" && !m.Instructions {
			t.Error("gpt-4o-mini-tts lost its Instructions flag")
		}
	}
}

func TestSSEErrorEvent(t *testing.T) {
	s, p := server(t)
	s.Set(providertest.Respond(200, "text/event-stream", []byte(
		"event: error\ndata: {\"type\":\"error\",\"error\":{\"message\":\"voice unavailable\",\"code\":\"bad_voice\"}}\n\n")))
	_, err := providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "hi"})
	if providers.KindOf(err) != providers.KindServer || !strings.Contains(err.Error(), "voice unavailable") {
		t.Fatalf("err = %v", err)
	}
}

func TestMissingKey(t *testing.T) {
	p, err := newProvider(openAI, providers.Config{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "hi"})
	if providers.KindOf(err) != providers.KindUnavailable || !strings.Contains(err.Error(), "OPENAI_API_KEY") {
		t.Fatalf("err = %v", err)
	}
}

// TestModelsAreOpen: OpenAI's "model" is an open string, so an ID Chorus
// does not list goes on the wire as typed; every model the spec names is
// offered, the dated snapshot with instructions.
func TestModelsAreOpen(t *testing.T) {
	s, p := server(t)
	a, err := providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "hi", Model: "gpt-5-tts-preview", Voice: "coral"})
	read(t, a, err)
	if got := sentBody(t, s)["model"]; got != "gpt-5-tts-preview" {
		t.Errorf("model sent = %v", got)
	}
	schema := s.Spec.Doc().Components.Schemas["CreateSpeechRequest"].Value.Properties["model"].Value
	var named []string
	for _, alt := range schema.AnyOf {
		named = append(named, providertest.Strings(alt.Value.Enum)...)
	}
	if len(named) == 0 {
		t.Fatal("the spec names no models; has its shape changed?")
	}
	for _, id := range named {
		m, ok := (&provider{flavor: openAI}).model(id)
		if !ok {
			t.Errorf("the spec names %s; Chorus does not offer it", id)
		}
		if strings.HasPrefix(id, "gpt-") && !m.Instructions {
			t.Errorf("%s takes instructions", id)
		}
	}
	s.Set(nil)
	a, err = providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "hi", Model: "gpt-4o-mini-tts-2025-12-15", Instructions: "calm"})
	read(t, a, err)
	if m := sentBody(t, s); m["instructions"] != "calm" || m["stream_format"] != "sse" {
		t.Errorf("the dated model was sent as %v", m)
	}
}

// TestLongInstructionsRefused: the spec caps instructions at 4,096
// characters (counted as characters, not bytes); longer ones are refused
// before sending.
func TestLongInstructionsRefused(t *testing.T) {
	s, p := server(t)
	limit := int(*s.Spec.Doc().Components.Schemas["CreateSpeechRequest"].Value.Properties["instructions"].Value.MaxLength)
	if limit != MaxInstructions {
		t.Fatalf("the spec's limit is %d, Chorus's %d", limit, MaxInstructions)
	}
	s.Set(nil)
	a, err := providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "hi", Model: "gpt-4o-mini-tts", Instructions: strings.Repeat("é", limit)})
	read(t, a, err)
	s.Set(nil)
	_, err = providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "hi", Model: "gpt-4o-mini-tts", Instructions: strings.Repeat("a", limit+1)})
	if !providers.IsValidation(err) || !strings.Contains(err.Error(), "4097") || !strings.Contains(err.Error(), "4096") {
		t.Fatalf("err = %v", err)
	}
	if n := s.Requests(); n != 0 {
		t.Errorf("%d requests were sent", n)
	}
}

// TestCustomVoice: a voice ID starting voice_ goes as {"id": …} (the spec's
// custom voice reference; the server checks it against the spec), a
// built-in name as a string; Infery keeps plain strings.
func TestCustomVoice(t *testing.T) {
	s, p := server(t)
	for voice, want := range map[string]any{"voice_1234": map[string]any{"id": "voice_1234"}, "coral": "coral"} {
		s.Set(nil)
		a, err := providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "hi", Voice: voice})
		read(t, a, err)
		if got := sentBody(t, s)["voice"]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("voice %s sent as %#v, want %#v", voice, got, want)
		}
		if s.Validated() != 1 {
			t.Errorf("voice %s: the request was not checked against the spec", voice)
		}
	}
	si, pi := providertest.Start(t, factory(infery), &fake{key: testKey, models: []string{"tts-1"}}, "/v1", testKey)
	a, err := providers.Checked(pi).Synthesize(context.Background(), providers.Request{Text: "hi", Voice: "voice_1234"})
	read(t, a, err)
	if got := sentBody(t, si)["voice"]; got != "voice_1234" {
		t.Errorf("Infery got voice %#v", got)
	}
}

package smallest

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"chorus/audio"
	"chorus/providers"
	"chorus/providers/providertest"
)

const testKey = "sk_smallest_test_0123456789"

func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{New: New, Fake: newFake(testKey), Key: testKey,
		Spec: providertest.SpecFile(t, specFile), OptionSamples: map[string]map[string]string{OptionPronunciationDicts: {OptionPronunciationDicts: "dict-1"}}})
}

// specFile is Smallest AI's official OpenAPI document, trimmed to the TTS
// paths (see THIRD_PARTY.md).
const specFile = "testdata/openapi.json"

// setup starts the fake and a provider pointed at it.
func setup(t *testing.T) (*providertest.Server, providers.Provider) {
	t.Helper()
	s, p := providertest.Start(t, New, newFake(testKey), "", testKey)
	s.Spec = providertest.SpecFile(t, specFile)
	return s, p
}

func TestRequestOnTheWire(t *testing.T) {
	s, p := setup(t)
	_, _, err := providertest.ReadAll(p, providers.Request{Text: "Hi there.", Voice: "magnus", Format: "mp3", Batch: true,
		SampleRate: 24000, Speed: 1.25, Language: "en", Model: ModelLightningPro,
		Options: map[string]string{OptionPronunciationDicts: " dict-1 "}})
	if err != nil {
		t.Fatal(err)
	}
	seen := s.Seen()[0]
	if seen.Path != "/waves/v1/tts" || seen.Header.Get("Accept") != "audio/wav" {
		t.Errorf("path %s, Accept %q", seen.Path, seen.Header.Get("Accept"))
	}
	var m map[string]any
	json.Unmarshal(seen.Body, &m)
	want := map[string]any{"text": "Hi there.", "voice_id": "magnus", "model": "lightning_v3.1_pro", "sample_rate": 24000.0,
		"speed": 1.25, "language": "en", "output_format": "mp3", "pronunciation_dicts": []any{"dict-1"}}
	for k, v := range want {
		if got, _ := json.Marshal(m[k]); string(got) != mustJSON(v) {
			t.Errorf("%s = %s, want %s", k, got, mustJSON(v))
		}
	}
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestDefaultsAreExplicit(t *testing.T) {
	s, p := setup(t)
	a, data, err := providertest.ReadAll(p, providers.Request{Text: "Hi.", Voice: "avery"})
	if err != nil {
		t.Fatal(err)
	}
	seen := s.Seen()[0]
	if seen.Path != "/waves/v1/tts/live" || seen.Header.Get("Accept") != "text/event-stream" {
		t.Errorf("a streamed request went to %s with Accept %q", seen.Path, seen.Header.Get("Accept"))
	}
	var m map[string]any
	json.Unmarshal(seen.Body, &m)
	if m["output_format"] != "pcm" || m["sample_rate"] != 44100.0 || m["model"] != ModelLightning {
		t.Errorf("defaults not sent explicitly: %s", seen.Body)
	}
	if a.Encoding != audio.PCM || a.Format != (audio.Format{SampleRate: 44100, Channels: 1}) {
		t.Errorf("encoding %s format %v", a.Encoding, a.Format)
	}
	if string(data) != string(providertest.Fixture(audio.PCM)) {
		t.Error("the SSE frames were not decoded into the PCM the fake sent")
	}
}

func TestSSEWithoutDoneIsCut(t *testing.T) {
	s, p := setup(t)
	frame := "event: audio\ndata: {\"audio\": \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\", \"done\": false, \"status\": \"206\"}\n\n"
	s.Set(providertest.Respond(200, "text/event-stream", []byte(frame+frame)))
	_, data, err := providertest.ReadAll(p, providers.Request{Text: "Hi.", Voice: "avery"})
	if providers.KindOf(err) != providers.KindCutStream || len(data) == 0 {
		t.Fatalf("err = %v after %d bytes, want a cut stream", err, len(data))
	}
	if !strings.Contains(err.Error(), "done") {
		t.Errorf("error %q does not say the end was missing", err)
	}
}

func TestDocumentedErrors(t *testing.T) {
	s, p := setup(t)
	cases := []struct {
		status   int
		body     string
		kind     providers.Kind
		mentions []string
	}{
		{400, `{"error":"InvalidRequest","message":"The 'text' field is required."}`, providers.KindValidation, []string{"'text' field is required", "Smallest AI"}},
		{401, `{"error":"Unauthorized","message":"Bearer token is missing or invalid."}`, providers.KindAuth, []string{"Bearer token", "SMALLEST_API_KEY"}},
		{410, `{"status":"error","error_code":"MODEL_DEPRECATED","message":"This model is retired. Please migrate to lightning-v3.1 via …","recommended_endpoint":"…"}`, providers.KindNotFound, []string{"MODEL_DEPRECATED", "retired", ModelLightning}},
		{400, `{"status":false,"errors":["Voice cloning is not available, please upgrade to a higher plan"]}`, providers.KindValidation, []string{"upgrade to a higher plan"}},
		{500, `{"error":"InternalServerError","message":"An unexpected error occurred."}`, providers.KindServer, []string{"unexpected error"}},
	}
	for _, c := range cases {
		s.Set(providertest.Respond(c.status, "application/json", []byte(c.body)))
		_, _, err := providertest.ReadAll(p, providers.Request{Text: "Hi.", Voice: "avery", Batch: true, Format: "wav"})
		if providers.KindOf(err) != c.kind {
			t.Errorf("%d: kind %s, want %s: %v", c.status, providers.KindOf(err), c.kind, err)
			continue
		}
		for _, m := range c.mentions {
			if !strings.Contains(err.Error(), m) {
				t.Errorf("%d: %q does not mention %q", c.status, err, m)
			}
		}
	}
}

func TestVoicesAndSearch(t *testing.T) {
	_, p := setup(t)
	vs, err := p.Voices(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 4 || vs[2].ID != "meher" || vs[2].Language != "english, hindi" || vs[2].Accent != "indian" || vs[2].Gender != "female" {
		t.Errorf("voices = %+v", vs)
	}
	found, err := p.(providers.VoiceSearcher).SearchVoices(context.Background(), "hindi female", "")
	if err != nil || len(found) != 1 || found[0].ID != "meher" {
		t.Errorf("search = %+v, %v", found, err)
	}
}

// TestSecondConcurrentRequestIsRefused checks the fake the way the default
// plan behaves: a second request while one is streaming gets 429 (after
// retries). Core's one limiter keeps Chorus from sending it (core's
// TestOneLimiterAcrossJobs).
func TestSecondConcurrentRequestIsRefused(t *testing.T) {
	s, raw := setup(t)
	n := len(providertest.Fixture(audio.WAV))
	s.Set(providertest.Trickle(n/4+1, 150*time.Millisecond)) // the first takes about 0.6 s
	req := providers.Request{Text: "Hi.", Voice: "avery", Format: "wav", Batch: true}
	a, err := providers.Checked(raw).Synthesize(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err2 := providertest.ReadAll(raw, req)
	io.Copy(io.Discard, a.Body)
	a.Body.Close()
	if providers.KindOf(err2) != providers.KindRateLimit {
		t.Fatalf("the second concurrent request got %v; the fake should refuse it with 429", err2)
	}
	if caps.Concurrency != 1 {
		t.Errorf("Concurrency %d; the default plan takes one request at a time", caps.Concurrency)
	}
}

// TestModelsAreTheSpecs: Chorus offers exactly the spec's closed list, and
// refuses anything else (a retired model too) before sending.
func TestModelsAreTheSpecs(t *testing.T) {
	s, p := setup(t)
	enum := providertest.Strings(s.Spec.Doc().Components.Schemas["TtsRequest"].Value.Properties["model"].Value.Enum)
	var ids []string
	for _, m := range caps.Models {
		ids = append(ids, m.ID)
	}
	slices.Sort(enum)
	slices.Sort(ids)
	if !slices.Equal(ids, enum) {
		t.Errorf("Chorus offers %v, the spec lists %v", ids, enum)
	}
	for _, m := range []string{"lightning-v2", "lightning_v3.1-pro", "LIGHTNING_V3.1"} {
		providertest.RefusesModel(t, s, p, providers.Request{Text: "Hi.", Voice: "magnus", Model: m}, enum)
	}
}

// TestNumberLanguage: the option goes to number_pronunciation_language,
// takes the spec's codes, and is left out when unset.
func TestNumberLanguage(t *testing.T) {
	s, p := setup(t)
	enum := providertest.Strings(s.Spec.Doc().Components.Schemas["TtsRequest"].Value.Properties["number_pronunciation_language"].Value.Enum)
	for _, o := range caps.Options {
		if o.Key == OptionNumberLanguage && !slices.Equal(o.Choices, enum) {
			t.Errorf("choices %v, the spec has %v", o.Choices, enum)
		}
	}
	for _, want := range []string{"hi", ""} {
		s.Set(nil)
		req := providers.Request{Text: "It costs 250 rupees.", Voice: "meher", Language: "en"}
		if want != "" {
			req.Options = map[string]string{OptionNumberLanguage: want}
		}
		if _, _, err := providertest.ReadAll(p, req); err != nil {
			t.Fatal(err)
		}
		m := providertest.Fields(s.Seen()[0].Body)
		var body map[string]any
		json.Unmarshal(s.Seen()[0].Body, &body)
		if want == "" && m["number_pronunciation_language"] {
			t.Error("sent number_pronunciation_language without the option")
		}
		if want != "" && body["number_pronunciation_language"] != want {
			t.Errorf("number_pronunciation_language = %v, want %s", body["number_pronunciation_language"], want)
		}
	}
	s.Set(nil)
	_, err := providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "Hi.", Voice: "meher", Options: map[string]string{OptionNumberLanguage: "xx"}})
	if !providers.IsValidation(err) || !strings.Contains(err.Error(), "hi") || s.Requests() != 0 {
		t.Errorf("an unknown code: %v (%d requests)", err, s.Requests())
	}
}

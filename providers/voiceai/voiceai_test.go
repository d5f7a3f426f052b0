package voiceai

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"chorus/audio"
	"chorus/providers"
	"chorus/providers/providertest"
)

const testKey = "vk_test_0123456789abcdef"

func TestConformance(t *testing.T) {
	for _, tr := range caps.Transports {
		t.Run(tr, func(t *testing.T) {
			providertest.Run(t, providertest.Harness{New: New, Fake: &fake{key: testKey}, Key: testKey,
				Request: func(q *providers.Request) { q.Transport = tr }, Spec: providertest.SpecFile(t, specFile),
				OptionSamples: map[string]map[string]string{OptionDictionaryID: {OptionDictionaryID: "dict_123"}}})
		})
	}
}

// setup starts f and a provider pointed at it.
func setup(t *testing.T, f *fake) (*providertest.Server, providers.Provider) {
	t.Helper()
	s, p := providertest.Start(t, New, f, "", testKey)
	s.Spec = providertest.SpecFile(t, specFile)
	return s, p
}

// specFile is the Voice.ai OpenAPI 1.5.0 excerpt (speech routes only; see
// THIRD_PARTY.md for where it comes from).
const specFile = "testdata/openapi.json"

func TestTransportsAndPaths(t *testing.T) {
	s, p := setup(t, &fake{key: testKey})
	if caps.Transports[0] != TransportWS {
		t.Fatal("the WebSocket must be the default transport")
	}
	for tr, path := range map[string]string{"ws": "/api/v1/tts/stream", "stream": "/api/v1/tts/speech/stream", "http": "/api/v1/tts/speech"} {
		s.Set(nil)
		if _, _, err := providertest.ReadAll(p, providers.Request{Text: "Hola.", Language: "es", Transport: tr, Format: "pcm_24000"}); err != nil {
			t.Fatalf("%s: %v", tr, err)
		}
		seen := s.Seen()
		if len(seen) != 1 || seen[0].Path != path {
			t.Fatalf("%s went to %+v, want %s", tr, seen, path)
		}
		if seen[0].Header.Get("Authorization") != "Bearer "+testKey {
			t.Errorf("%s: no bearer key on the request", tr)
		}
	}
	// Batch without a transport picks the whole-file route.
	s.Set(nil)
	if _, _, err := providertest.ReadAll(p, providers.Request{Text: "Hi.", Batch: true}); err != nil {
		t.Fatal(err)
	}
	if got := s.Seen()[0].Path; got != "/api/v1/tts/speech" {
		t.Errorf("batch went to %s", got)
	}
}

func TestBodyFields(t *testing.T) {
	s, p := setup(t, &fake{key: testKey})
	_, _, err := providertest.ReadAll(p, providers.Request{Text: "Bonjour.", Language: "fr", Transport: "stream", Voice: "v-1",
		Options: map[string]string{OptionTemperature: "0.5", OptionTopP: "0.9"}})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(s.Seen()[0].Body, &m)
	want := map[string]any{"text": "Bonjour.", "voice_id": "v-1", "audio_format": "mp3", "temperature": 0.5, "top_p": 0.9,
		"model": ModelMultilingual, "language": "fr"}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	// English picks the English model; an explicit model wins.
	s.Set(nil)
	providertest.ReadAll(p, providers.Request{Text: "Hi.", Transport: "http"})
	m = nil
	json.Unmarshal(s.Seen()[0].Body, &m)
	if m["model"] != ModelEnglish || m["voice_id"] != nil {
		t.Errorf("default request: %s", s.Seen()[0].Body)
	}
	s.Set(nil)
	providertest.ReadAll(p, providers.Request{Text: "Hej.", Language: "sv", Model: "voiceai-tts-multilingual-v1-2026-02-10", Transport: "http"})
	json.Unmarshal(s.Seen()[0].Body, &m)
	if m["model"] != "voiceai-tts-multilingual-v1-2026-02-10" {
		t.Errorf("explicit model replaced: %v", m["model"])
	}
}

func TestFormats(t *testing.T) {
	cases := map[string]struct {
		enc  audio.Encoding
		rate int
	}{
		"mp3": {audio.MP3, 0}, "pcm": {audio.PCM, 32000}, "pcm_8000": {audio.PCM, 8000}, "pcm_44100": {audio.PCM, 44100},
		"wav_22050": {audio.WAV, 0}, "opus_48000_64": {audio.Opus, 0}, "ulaw_8000": {audio.MuLaw, 8000},
		"alaw_8000": {audio.ALaw, 8000}, "mp3_44100_192": {audio.MP3, 0},
	}
	for name, c := range cases {
		enc, f := Encoding(name)
		if enc != c.enc || f.SampleRate != c.rate {
			t.Errorf("%s → %s %v, want %s %d", name, enc, f, c.enc, c.rate)
		}
	}
}

func TestCloseCodes(t *testing.T) {
	cases := []struct {
		code     websocket.StatusCode
		reason   string
		kind     providers.Kind
		mentions []string
		retried  bool // a passing failure: tried again under the policy
	}{
		{1003, "Expected text message", providers.KindValidation, []string{"1003", "message type", "Expected text message"}, false},
		{1007, "extra inputs are not permitted", providers.KindValidation, []string{"1007", "invalid", "extra inputs"}, false},
		{1008, "Authentication failed", providers.KindAuth, []string{"1008", "VOICEAI_API_KEY"}, false},
		{1008, "Insufficient credits", providers.KindQuota, []string{"1008", "out of credits", "Add credits"}, false},
		{1008, "Text too long", providers.KindValidation, []string{"1008", "Shorten the text"}, false},
		{1011, "TTS generation failed", providers.KindServer, []string{"1011", "failed to generate", "TTS generation failed"}, true},
	}
	for _, c := range cases {
		f := &fake{key: testKey, closeWith: &websocket.CloseError{Code: c.code, Reason: c.reason}}
		s, p := setup(t, f)
		_, _, err := providertest.ReadAll(p, providers.Request{Text: "Hi."})
		if providers.KindOf(err) != c.kind {
			t.Errorf("close %d %q: kind %s, want %s: %v", c.code, c.reason, providers.KindOf(err), c.kind, err)
			continue
		}
		for _, m := range c.mentions {
			if !strings.Contains(err.Error(), m) {
				t.Errorf("close %d: %q does not mention %q", c.code, err, m)
			}
		}
		want := 1
		if c.retried {
			want = providertest.TestPolicy.MaxAttempts
		}
		if n := s.Requests(); n != want {
			t.Errorf("close %d: %d requests, want %d (retried: %v)", c.code, n, want, c.retried)
		}
	}
}

func TestHTTPErrors(t *testing.T) {
	s, p := setup(t, &fake{key: testKey})
	cases := []struct {
		status int
		body   string
		kind   providers.Kind
		want   string
	}{
		{402, `{"error":"Insufficient credits","detail":"Balance is 0","code":"insufficient_credits"}`, providers.KindQuota, "Add credits"},
		{404, `{"error":"Voice not found","detail":null,"code":null}`, providers.KindNotFound, "Voice not found"},
		{422, `{"detail":[{"loc":["body","temperature"],"msg":"ensure this value is less than or equal to 2","type":"value_error"}]}`, providers.KindValidation, "temperature: ensure"},
	}
	for _, c := range cases {
		for _, tr := range []string{"http", "stream", "ws"} {
			s.Set(providertest.Fail(c.status, "", ""))
			s.Set(providertest.Respond(c.status, "application/json", []byte(c.body)))
			_, _, err := providertest.ReadAll(p, providers.Request{Text: "Hi.", Transport: tr})
			if providers.KindOf(err) != c.kind || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s %d: %v (kind %s)", tr, c.status, err, providers.KindOf(err))
			}
		}
	}
}

func TestVoiceShapes(t *testing.T) {
	for _, wrap := range []bool{false, true} {
		_, p := setup(t, &fake{key: testKey, wrapVoices: wrap})
		vs, err := p.Voices(context.Background(), "")
		if err != nil || len(vs) != 2 || vs[1].Language != "ca" {
			t.Errorf("wrapped=%v: %+v %v", wrap, vs, err)
		}
	}
}

func TestValidation(t *testing.T) {
	_, p := setup(t, &fake{key: testKey})
	for _, req := range []providers.Request{
		{Text: "Hi.", Speed: 1.5},
		{Text: "Hi.", Options: map[string]string{OptionTemperature: "3"}},
		{Text: "Hi.", Language: "ja"},
	} {
		if _, err := providers.Checked(p).Synthesize(context.Background(), req); !providers.IsValidation(err) {
			t.Errorf("%+v: %v, want a validation error", req, err)
		}
	}
}

func TestWebSocketCancelLeavesNothing(t *testing.T) {
	leaks := goleak.IgnoreCurrent()
	s, p := setup(t, &fake{key: testKey})
	n := len(providertest.Fixture(audio.MP3))
	s.Set(providertest.Trickle(n/4, 200_000_000))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := providers.Checked(p).Synthesize(ctx, providers.Request{Text: "Hi."})
	if err != nil {
		t.Fatal(err)
	}
	a.Body.Read(make([]byte, 10))
	cancel()
	if _, err := io.ReadAll(a.Body); providers.KindOf(err) != providers.KindCanceled {
		t.Errorf("read after cancel: %v", err)
	}
	a.Body.Close()
	s.Close()
	goleak.VerifyNone(t, leaks)
}

// TestModelsAreTheSpecs: Chorus offers exactly the spec's closed list, and
// refuses anything else (the Lite models the spec lacks too) before
// sending, over every transport.
func TestModelsAreTheSpecs(t *testing.T) {
	s, p := setup(t, &fake{key: testKey})
	enum := providertest.Strings(s.Spec.Doc().Components.Schemas["GenerateSpeechRequest"].Value.Properties["model"].Value.Enum)
	var ids []string
	for _, m := range caps.Models {
		ids = append(ids, m.ID)
	}
	slices.Sort(enum)
	slices.Sort(ids)
	if !slices.Equal(ids, enum) {
		t.Errorf("Chorus offers %v, the spec lists %v", ids, enum)
	}
	for _, tr := range caps.Transports {
		for _, m := range []string{"voiceai-tts-lite-v1-latest", "voiceai-tts-v2-latest"} {
			providertest.RefusesModel(t, s, p, providers.Request{Text: "Hi.", Model: m, Transport: tr}, enum)
		}
	}
}

// TestDictionaryVersion: a whole number from 1 goes to dictionary_version
// on every transport; anything else is refused before sending.
func TestDictionaryVersion(t *testing.T) {
	s, p := setup(t, &fake{key: testKey})
	for _, tr := range []string{TransportStream, TransportHTTP} {
		s.Set(nil)
		opts := map[string]string{OptionDictionaryID: "dict_123", OptionDictionaryVersion: "3"}
		if _, _, err := providertest.ReadAll(p, providers.Request{Text: "Hi.", Transport: tr, Options: opts}); err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		json.Unmarshal(s.Seen()[0].Body, &m)
		if m["dictionary_version"] != 3.0 || m["dictionary_id"] != "dict_123" {
			t.Errorf("%s body %v", tr, m)
		}
	}
	s.Set(nil)
	providertest.ReadAll(p, providers.Request{Text: "Hi.", Transport: TransportHTTP})
	if providertest.Fields(s.Seen()[0].Body)["dictionary_version"] {
		t.Error("dictionary_version sent without the option")
	}
	for _, bad := range []string{"0", "1.5", "two", "-3"} {
		s.Set(nil)
		_, err := providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "Hi.", Options: map[string]string{OptionDictionaryVersion: bad}})
		if !providers.IsValidation(err) || s.Requests() != 0 {
			t.Errorf("version %q: %v (%d requests)", bad, err, s.Requests())
		}
	}
}

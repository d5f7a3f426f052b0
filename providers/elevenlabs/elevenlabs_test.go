package elevenlabs

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"chorus/providers"
	"chorus/providers/providertest"
)

const testKey = "xi_test_0123456789abcdef"

// TestConformance runs the shared suite over every transport: the
// streaming routes with and without timestamps, the whole-answer route
// without them (the suite's cut-stream check needs audio before the cut,
// which one JSON document cannot give; TestWholeWithTimestamps covers it),
// and the WebSocket with and without alignment.
func TestConformance(t *testing.T) {
	variants := []struct{ name, transport, timestamps string }{
		{"stream", TransportStream, "on"},
		{"stream-plain", TransportStream, "off"},
		{"http-plain", TransportHTTP, "off"},
		{"ws", TransportWS, "on"},
		{"ws-plain", TransportWS, "off"},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			providertest.Run(t, providertest.Harness{New: New, Fake: &fake{key: testKey}, Key: testKey,
				Request: func(q *providers.Request) {
					q.Transport = v.transport
					q.Options = map[string]string{OptionTimestamps: v.timestamps}
				}, Spec: mustSpec(t)})
		})
	}
}

func setup(t *testing.T, f *fake) (*providertest.Server, providers.Provider) {
	t.Helper()
	s, p := providertest.Start(t, New, f, "", testKey)
	s.Spec = mustSpec(t)
	return s, p
}

const voiceID = "v0000000000000000000"

// collect reads a whole synthesis and its words.
func collect(t *testing.T, p providers.Provider, req providers.Request) (*providers.Audio, []providers.WordBoundary) {
	t.Helper()
	a, err := providers.Checked(p).Synthesize(context.Background(), req)
	if err != nil {
		t.Fatalf("Synthesize: %v", err)
	}
	var words []providers.WordBoundary
	done := make(chan struct{})
	go func() {
		defer close(done)
		if a.Words != nil {
			for w := range a.Words {
				words = append(words, w)
			}
		}
	}()
	buf := make([]byte, 4096)
	for {
		if _, err := a.Body.Read(buf); err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("reading: %v", err)
			}
			break
		}
	}
	a.Body.Close()
	<-done
	return a, words
}

func TestRoutesHeadersAndBody(t *testing.T) {
	s, p := setup(t, &fake{key: testKey})
	cases := []struct {
		transport, timestamps, path string
	}{
		{TransportStream, "on", "/v1/text-to-speech/" + voiceID + "/stream/with-timestamps"},
		{TransportStream, "off", "/v1/text-to-speech/" + voiceID + "/stream"},
		{TransportHTTP, "on", "/v1/text-to-speech/" + voiceID + "/with-timestamps"},
		{TransportHTTP, "off", "/v1/text-to-speech/" + voiceID},
	}
	for _, c := range cases {
		s.Set(nil)
		a, _ := collect(t, p, providers.Request{Text: "Hallo Welt.", Voice: voiceID, Model: "eleven_flash_v2_5", Language: "de",
			Format: "pcm", SampleRate: 16000, Speed: 1.1, Transport: c.transport,
			Options: map[string]string{OptionTimestamps: c.timestamps, OptionStability: "0.4", OptionSpeakerBoost: "false",
				OptionSeed: "42", OptionNormalization: "off", OptionPreviousText: "Vorher.", OptionPreviousRequest: "req-a, req-b"}})
		seen := s.Seen()
		if len(seen) != 1 {
			t.Fatalf("%d requests", len(seen))
		}
		if seen[0].Path != c.path {
			t.Errorf("%s/%s went to %s, want %s", c.transport, c.timestamps, seen[0].Path, c.path)
		}
		if seen[0].Header.Get("xi-api-key") != testKey || seen[0].Header.Get("Authorization") != "" {
			t.Errorf("auth headers: xi-api-key %q, Authorization %q", seen[0].Header.Get("xi-api-key"), seen[0].Header.Get("Authorization"))
		}
		var body map[string]any
		json.Unmarshal(seen[0].Body, &body)
		vs, _ := body["voice_settings"].(map[string]any)
		if body["model_id"] != "eleven_flash_v2_5" || body["language_code"] != "de" || body["seed"] != float64(42) ||
			body["apply_text_normalization"] != "off" || body["previous_text"] != "Vorher." ||
			vs["stability"] != 0.4 || vs["use_speaker_boost"] != false || vs["speed"] != 1.1 {
			t.Errorf("body %s", seen[0].Body)
		}
		if ids, _ := body["previous_request_ids"].([]any); len(ids) != 2 || ids[1] != "req-b" {
			t.Errorf("previous_request_ids in %s", seen[0].Body)
		}
		if a.Format.SampleRate != 16000 || a.Format.Channels != 1 {
			t.Errorf("format %+v, want 16 kHz mono", a.Format)
		}
		if a.RequestID != "req-11" || a.Characters != 11 {
			t.Errorf("request-id %q, character-cost %d", a.RequestID, a.Characters)
		}
	}
}

func TestServerPathAndQuery(t *testing.T) {
	s, p := setup(t, &fake{key: testKey})
	collect(t, p, providers.Request{Text: "Hi.", Voice: voiceID, Format: "mp3", SampleRate: 22050, Transport: TransportStream})
	// Server.Seen keeps the path only; the fake refused any other format.
	if got := s.Seen()[0].Path; !strings.HasSuffix(got, "/stream/with-timestamps") {
		t.Errorf("path %s", got)
	}
	for _, c := range []struct {
		format        string
		rate, bitrate int
		want          string
	}{
		{"mp3", 0, 0, "mp3_44100_128"}, {"mp3", 22050, 0, "mp3_22050_32"}, {"mp3", 44100, 192, "mp3_44100_192"},
		{"pcm", 0, 0, "pcm_24000"}, {"pcm", 44100, 0, "pcm_44100"}, {"opus", 0, 64, "opus_48000_64"},
		{"ulaw", 0, 0, "ulaw_8000"}, {"alaw", 8000, 0, "alaw_8000"}, {"wav", 0, 0, "wav_44100"},
	} {
		got, err := OutputFormat(c.format, c.rate, c.bitrate)
		if err != nil || got != c.want {
			t.Errorf("OutputFormat(%s, %d, %d) = %q, %v; want %q", c.format, c.rate, c.bitrate, got, err, c.want)
		}
	}
	for _, c := range []struct {
		format        string
		rate, bitrate int
		mention       string
	}{
		{"mp3", 16000, 0, "22050, 24000, 44100"}, {"ulaw", 16000, 0, "8000"}, {"mp3", 22050, 128, "allowed: 32"},
		{"pcm", 0, 64, "no bitrate"}, {"flac", 0, 0, "mp3, pcm"},
	} {
		_, err := OutputFormat(c.format, c.rate, c.bitrate)
		if !providers.IsValidation(err) || !strings.Contains(err.Error(), c.mention) {
			t.Errorf("OutputFormat(%s, %d, %d): %v, want a validation error mentioning %q", c.format, c.rate, c.bitrate, err, c.mention)
		}
	}
}

// wantWords is how the fake times "Hello big world." (60 ms a character).
var wantWords = []providers.WordBoundary{
	{Text: "Hello", Offset: 0, Duration: 300 * time.Millisecond},
	{Text: "big", Offset: 360 * time.Millisecond, Duration: 180 * time.Millisecond},
	{Text: "world.", Offset: 600 * time.Millisecond, Duration: 360 * time.Millisecond},
}

func checkWords(t *testing.T, name string, got []providers.WordBoundary) {
	t.Helper()
	if len(got) != len(wantWords) {
		t.Fatalf("%s: words %+v, want %+v", name, got, wantWords)
	}
	for i := range got {
		if got[i] != wantWords[i] {
			t.Errorf("%s: word %d = %+v, want %+v", name, i, got[i], wantWords[i])
		}
	}
}

func TestWordTimingsEveryTransport(t *testing.T) {
	for _, tr := range caps.Transports {
		_, p := setup(t, &fake{key: testKey})
		_, words := collect(t, p, providers.Request{Text: "Hello big world.", Voice: voiceID, Format: "pcm", Transport: tr})
		checkWords(t, tr, words)
	}
	// The docs' spelling of the socket's durations.
	_, p := setup(t, &fake{key: testKey, altSpelling: true})
	_, words := collect(t, p, providers.Request{Text: "Hello big world.", Voice: voiceID, Format: "pcm", Transport: TransportWS})
	checkWords(t, "ws charsDurationsMs", words)
}

func TestWholeWithTimestamps(t *testing.T) {
	_, p := setup(t, &fake{key: testKey})
	a, words := collect(t, p, providers.Request{Text: "Hello big world.", Voice: voiceID, Batch: true})
	if a.Encoding != "mp3" {
		t.Errorf("encoding %s", a.Encoding)
	}
	checkWords(t, "batch", words)
}

func TestSocketMessages(t *testing.T) {
	f := &fake{key: testKey}
	_, p := setup(t, f)
	collect(t, p, providers.Request{Text: "Hi there.", Voice: voiceID, Model: "eleven_v3", Language: "fr", Format: "ulaw",
		Transport: TransportWS, Options: map[string]string{OptionSimilarity: "0.9", OptionSeed: "7"}})
	q, _ := url.ParseQuery(f.wsQueries[0])
	if q.Get("model_id") != "eleven_v3" || q.Get("output_format") != "ulaw_8000" || q.Get("language_code") != "fr" ||
		q.Get("seed") != "7" || q.Get("sync_alignment") != "true" {
		t.Errorf("query %s", f.wsQueries[0])
	}
	var init struct {
		Text          string         `json:"text"`
		VoiceSettings map[string]any `json:"voice_settings"`
	}
	json.Unmarshal(f.wsInit, &init)
	if init.Text != " " || init.VoiceSettings["similarity_boost"] != 0.9 {
		t.Errorf("init message %s", f.wsInit)
	}
}

func TestSocketErrorMessage(t *testing.T) {
	_, p := setup(t, &fake{key: testKey, wsError: `{"error":"quota_exceeded","message":"You have 0 credits left."}`})
	_, _, err := providertest.ReadAll(p, providers.Request{Text: "Hi.", Voice: voiceID, Transport: TransportWS})
	if err == nil || !strings.Contains(err.Error(), "0 credits") {
		t.Fatalf("error %v", err)
	}
}

func TestErrorCodes(t *testing.T) {
	s, p := setup(t, &fake{key: testKey, starterPlan: true})
	cases := []struct {
		name    string
		req     providers.Request
		kind    providers.Kind
		mention string
	}{
		{"voice_not_found", providers.Request{Text: "Hi.", Voice: "nobody"}, providers.KindNotFound, "Pick another voice"},
		{"language with multilingual v2", providers.Request{Text: "Hi.", Voice: voiceID, Language: "de"}, providers.KindValidation, "eleven_flash_v2_5"},
		{"too long for v3", providers.Request{Text: strings.Repeat("a", 3001), Voice: voiceID, Model: "eleven_v3"}, providers.KindValidation, "3000"},
		{"tier format", providers.Request{Text: "Hi.", Voice: voiceID, Options: map[string]string{OptionBitrate: "192"}}, providers.KindForbidden, "Creator"},
		{"speed", providers.Request{Text: "Hi.", Voice: voiceID, Speed: 1.5}, providers.KindValidation, "0.7 to 1.2"},
		{"stability", providers.Request{Text: "Hi.", Voice: voiceID, Options: map[string]string{OptionStability: "2"}}, providers.KindValidation, "0 to 1"},
	}
	for _, c := range cases {
		s.Set(nil)
		_, _, err := providertest.ReadAll(p, c.req)
		if providers.KindOf(err) != c.kind || !strings.Contains(err.Error(), c.mention) {
			t.Errorf("%s: %v (kind %s), want %s mentioning %q", c.name, err, providers.KindOf(err), c.kind, c.mention)
		}
	}
	// The service's own limit message, when Chorus's limit is not hit first.
	s.Set(providertest.Respond(400, "application/json",
		[]byte(`{"detail":{"status":"max_character_limit_exceeded","message":"This request's text has 627 characters and exceeds the character limit of 333 characters for non signed in accounts."}}`)))
	_, _, err := providertest.ReadAll(p, providers.Request{Text: "Hi.", Voice: voiceID})
	var pe *providers.Error
	if !errors.As(err, &pe) || pe.Kind != providers.KindValidation || pe.Code != "max_character_limit_exceeded" ||
		!strings.Contains(err.Error(), "333 characters") || !strings.Contains(pe.Hint, "model") {
		t.Errorf("limit: %v", err)
	}
	s.Set(providertest.Respond(401, "application/json", []byte(`{"detail":{"status":"quota_exceeded","message":"This request exceeds your quota of 10000."}}`)))
	_, _, err = providertest.ReadAll(p, providers.Request{Text: "Hi.", Voice: voiceID})
	if providers.KindOf(err) != providers.KindQuota || !strings.Contains(err.Error(), "credits") {
		t.Errorf("quota: %v", err)
	}
	s.Set(providertest.Respond(422, "application/json", []byte(`{"detail":[{"loc":["body","text"],"msg":"field required","type":"value_error.missing"}]}`)))
	_, _, err = providertest.ReadAll(p, providers.Request{Text: "Hi.", Voice: voiceID})
	if !providers.IsValidation(err) || !strings.Contains(err.Error(), "body.text: field required") && !strings.Contains(err.Error(), "field required") {
		t.Errorf("422: %v", err)
	}
}

func TestVoicesPagesAndSearch(t *testing.T) {
	s, p := setup(t, &fake{key: testKey})
	vs, err := p.Voices(context.Background(), "")
	if err != nil || len(vs) != len(fakeVoices) {
		t.Fatalf("Voices: %d voices, %v; want %d", len(vs), err, len(fakeVoices))
	}
	if n := len(s.Seen()); n != 2 {
		t.Errorf("%d pages fetched for 120 voices at 100 a page", n)
	}
	v := vs[1]
	if v.Gender != "male" || v.Accent != "american" || v.PreviewURL != "https://storage.example.com/previews/1.mp3" ||
		!strings.Contains(v.Description, "cloned") || !strings.Contains(v.Description, "young") || !strings.Contains(v.Description, "narration") {
		t.Errorf("voice %+v", v)
	}
	s.Set(nil)
	found, err := p.(providers.VoiceSearcher).SearchVoices(context.Background(), "bella", "")
	if err != nil || len(found) != 10 || found[0].Name != "Bella" {
		t.Fatalf("search: %d voices, %v", len(found), err)
	}
	if n := len(s.Seen()); n != 1 {
		t.Errorf("%d requests for one page of results", n)
	}
}

func TestModelsLive(t *testing.T) {
	_, p := setup(t, &fake{key: testKey})
	ms, err := p.(providers.ModelLister).Models(context.Background())
	if err != nil || len(ms) != 2 {
		t.Fatalf("models %+v, %v", ms, err)
	}
	if ms[0].ID != DefaultModel || ms[0].MaxChars != 10000 || ms[1].MaxChars != 40000 || !strings.Contains(ms[0].Description, "2 languages") {
		t.Errorf("models %+v", ms)
	}
}

func TestRegionsAndConcurrency(t *testing.T) {
	p, err := New(providers.Config{APIKey: "k", Settings: map[string]string{SettingRegion: "eu", SettingConcurrency: "5"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.(*Provider).Client.BaseURL(); got != "https://api.eu.residency.elevenlabs.io" {
		t.Errorf("base %s", got)
	}
	if p.Capabilities().Concurrency != 5 {
		t.Errorf("concurrency %d", p.Capabilities().Concurrency)
	}
	p, _ = New(providers.Config{APIKey: "k"})
	if p.Capabilities().Concurrency != FreeConcurrency || p.(*Provider).Client.BaseURL() != "https://api.elevenlabs.io" {
		t.Error("defaults")
	}
	if _, err := New(providers.Config{Settings: map[string]string{SettingRegion: "mars"}}); !providers.IsValidation(err) || !strings.Contains(err.Error(), "eu, in, sg, us") {
		t.Errorf("bad region: %v", err)
	}
	if _, err := New(providers.Config{Settings: map[string]string{SettingConcurrency: "0"}}); !providers.IsValidation(err) {
		t.Errorf("bad concurrency: %v", err)
	}
	if r, ok := providers.Lookup(ID); !ok || r.KeyEnv() != "ELEVENLABS_API_KEY" {
		t.Error("not registered under ELEVENLABS_API_KEY")
	}
}

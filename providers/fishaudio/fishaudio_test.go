package fishaudio

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/vmihailenco/msgpack/v5"

	"chorus/audio"
	"chorus/internal/scripted"
	"chorus/providers"
	"chorus/providers/providertest"
)

const testKey = "fish_test_0123456789abcdef"

func TestConformance(t *testing.T) {
	// The reference options are core's (it turns them into
	// Request.Reference); TestInstantCloning sends a reference.
	for _, tr := range caps.Transports {
		t.Run(tr, func(t *testing.T) {
			providertest.Run(t, providertest.Harness{New: New, Fake: &fake{key: testKey}, Key: testKey,
				Request: func(q *providers.Request) { q.Transport = tr }, Spec: spec(t)})
		})
	}
}

// setup starts f and a provider pointed at it.
func setup(t *testing.T, f *fake) (*providertest.Server, providers.Provider) {
	t.Helper()
	s, p := providertest.Start(t, New, f, "", testKey)
	s.Spec = spec(t)
	return s, p
}

// spec is Fish Audio's official OpenAPI document, trimmed to the TTS
// paths (see THIRD_PARTY.md); MessagePack bodies are checked as JSON.
func spec(t *testing.T) *providertest.Spec {
	s := providertest.SpecFile(t, "testdata/openapi.json")
	msgpackOnce.Do(func() {
		s.ToJSON = map[string]func([]byte) ([]byte, error){"application/msgpack": providertest.MessagePackToJSON}
	})
	return s
}

var msgpackOnce sync.Once

// wav writes seconds of a tone as a WAV file and returns its path.
func wav(t *testing.T, seconds float64) string {
	return scripted.ToneWAVFile(t, 16000, seconds, 150)
}

func TestHTTPBodyIsMessagePack(t *testing.T) {
	s, p := setup(t, &fake{key: testKey})
	_, _, err := providertest.ReadAll(p, providers.Request{Text: "Hello!", Voice: "pub0000000000000000000000000001", Transport: "http",
		Model: "s1", Format: "pcm", SampleRate: 24000, Speed: 1.5,
		Options: map[string]string{OptionLatency: "normal", OptionChunkLength: "150", OptionVolume: "-3",
			OptionTemperature: "0.5", OptionTopP: "0.6", OptionNormalize: "false"}})
	if err != nil {
		t.Fatal(err)
	}
	seen := s.Seen()[0]
	if seen.Header.Get("model") != "s1" || seen.Header.Get("Content-Type") != "application/msgpack" {
		t.Errorf("headers %v", seen.Header)
	}
	var m map[string]any
	if err := msgpack.Unmarshal(seen.Body, &m); err != nil {
		t.Fatal(err)
	}
	pr := m["prosody"].(map[string]any)
	if m["text"] != "Hello!" || m["reference_id"] != "pub0000000000000000000000000001" || m["format"] != "pcm" ||
		m["latency"] != "normal" || m["normalize"] != false || pr["speed"] != 1.5 || pr["volume"] != -3.0 ||
		m["temperature"] != 0.5 || m["top_p"] != 0.6 {
		t.Errorf("body %v", m)
	}
	if n, _ := num(m["sample_rate"]); n != 24000 {
		t.Errorf("sample_rate %v", m["sample_rate"])
	}
	if n, _ := num(m["chunk_length"]); n != 150 {
		t.Errorf("chunk_length %v", m["chunk_length"])
	}
}

func TestDefaultModelHeaderOnSocket(t *testing.T) {
	s, p := setup(t, &fake{key: testKey})
	a, data, err := providertest.ReadAll(p, providers.Request{Text: "Hi.", Format: "pcm"})
	if err != nil {
		t.Fatal(err)
	}
	seen := s.Seen()[0]
	if seen.Path != "/v1/tts/live" || seen.Header.Get("model") != "s2-pro" {
		t.Errorf("went to %s with model %q", seen.Path, seen.Header.Get("model"))
	}
	if a.Format.SampleRate != 44100 || !bytes.Equal(data, providertest.Fixture(audio.PCM)) {
		t.Errorf("format %v, %d bytes", a.Format, len(data))
	}
}

// refOf reads a WAV of seconds as a Request.Reference.
func refOf(t *testing.T, seconds float64, transcript string) *providers.Reference {
	t.Helper()
	raw, err := os.ReadFile(wav(t, seconds))
	if err != nil {
		t.Fatal(err)
	}
	return &providers.Reference{Audio: raw, Encoding: audio.WAV, Transcript: transcript}
}

// sentReferences decodes the references of a request body (MessagePack).
func sentReferences(t *testing.T, body []byte) []reference {
	t.Helper()
	var m struct {
		References []reference `msgpack:"references"`
	}
	if err := msgpack.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	return m.References
}

// TestInstantCloning: Request.Reference goes out as binary MessagePack
// with its transcript, on both transports, and the spec accepts it; a
// request without one sends none. Any length is sent: 10–30 s is a
// recommendation (core tells the user).
func TestInstantCloning(t *testing.T) {
	if !caps.Cloning {
		t.Fatal("Fish Audio clones voices but Capabilities.Cloning is false")
	}
	for _, o := range providers.ReferenceOptions() {
		if !slices.ContainsFunc(caps.Options, func(c providers.Option) bool { return c.Key == o.Key && c.Label == o.Label }) {
			t.Errorf("the reference option %s is not offered", o.Key)
		}
	}
	for _, seconds := range []float64{12, 2.7} {
		ref := refOf(t, seconds, "A sample sentence.")
		for _, tr := range caps.Transports {
			f := &fake{key: testKey}
			s, p := setup(t, f)
			_, _, err := providertest.ReadAll(p, providers.Request{Text: "Clone me.", Transport: tr, Reference: ref})
			if err != nil {
				t.Fatalf("%s: %v", tr, err)
			}
			body := s.Seen()[0].Body
			if tr == TransportWS {
				body = f.lastStart()
			}
			got := sentReferences(t, body)
			if len(got) != 1 || !bytes.Equal(got[0].Audio, ref.Audio) || got[0].Text != "A sample sentence." {
				t.Errorf("%s, %g s: the reference was not sent as binary msgpack (%d references)", tr, seconds, len(got))
			}
			s.Set(nil)
			if _, _, err := providertest.ReadAll(p, providers.Request{Text: "Plain.", Transport: tr}); err != nil {
				t.Fatal(err)
			}
			body = s.Seen()[0].Body
			if tr == TransportWS {
				body = f.lastStart()
			}
			if got := sentReferences(t, body); len(got) != 0 {
				t.Errorf("%s: %d references sent without Request.Reference", tr, len(got))
			}
		}
	}
}

func TestRateRules(t *testing.T) {
	_, p := setup(t, &fake{key: testKey})
	_, err := providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "Hi.", Format: "mp3", SampleRate: 16000})
	if !providers.IsValidation(err) || !strings.Contains(err.Error(), "32000, 44100") {
		t.Errorf("mp3 at 16 kHz: %v", err)
	}
}

func TestFinishError(t *testing.T) {
	_, p := setup(t, &fake{key: testKey, finishError: true})
	_, _, err := providertest.ReadAll(p, providers.Request{Text: "Hi."})
	if providers.KindOf(err) != providers.KindServer || !strings.Contains(err.Error(), "Fish Audio stopped with an error") {
		t.Errorf("finish error: %v", err)
	}
}

func TestDocumentedErrors(t *testing.T) {
	s, p := setup(t, &fake{key: testKey})
	for _, tr := range caps.Transports {
		for status, kind := range map[int]providers.Kind{400: providers.KindValidation, 402: providers.KindQuota,
			401: providers.KindAuth, 404: providers.KindNotFound} {
			s.Set(providertest.Respond(status, "application/json", []byte(`{"message":"Invalid Token","status":`+
				map[int]string{400: "400", 401: "401", 402: "402", 404: "404"}[status]+`}`)))
			_, _, err := providertest.ReadAll(p, providers.Request{Text: "Hi.", Transport: tr})
			if providers.KindOf(err) != kind || !strings.Contains(err.Error(), "Invalid Token") {
				t.Errorf("%s %d: %v", tr, status, err)
			}
		}
		s.Set(providertest.Respond(400, "text/plain", []byte("could not parse body")))
		if _, _, err := providertest.ReadAll(p, providers.Request{Text: "Hi.", Transport: tr}); !strings.Contains(err.Error(), "could not parse body") {
			t.Errorf("%s plain-text error: %v", tr, err)
		}
	}
}

func TestVoicesAndSearch(t *testing.T) {
	_, p := setup(t, &fake{key: testKey})
	vs, err := p.Voices(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range vs {
		ids = append(ids, v.Name)
	}
	if strings.Join(ids, "|") != "My narrator|Energetic Male|Narradora|Calm Narrator" {
		t.Errorf("voices %v", ids)
	}
	vsr := p.(providers.VoiceSearcher)
	found, _ := vsr.SearchVoices(context.Background(), "narra", "")
	if len(found) != 2 {
		t.Errorf("title search: %+v", found)
	}
	found, _ = vsr.SearchVoices(context.Background(), "es", "")
	if len(found) != 1 || found[0].Name != "Narradora" {
		t.Errorf("language search: %+v", found)
	}
}

func TestJSONAcceptedByFake(t *testing.T) {
	// The fake accepts JSON as the service does; Chorus always sends msgpack.
	m, problem := decode("application/json", []byte(`{"text":"hi","format":"wav","prosody":{"speed":1.0,"volume":0}}`))
	if problem != "" || m["format"] != "wav" {
		t.Errorf("%v %q", m, problem)
	}
}

// TestModelsAreTheSpecs: Chorus offers exactly the spec's closed list (the
// model header's enum), and refuses anything else before sending, since
// the service would quietly fall back to its default.
func TestModelsAreTheSpecs(t *testing.T) {
	s, p := setup(t, &fake{key: testKey})
	header := s.Spec.Doc().Paths.Find("/v1/tts").Post.Parameters.GetByInAndName("header", "model")
	enum := providertest.Strings(header.Schema.Value.Enum)
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
		for _, m := range []string{"speech-1.6", "speech-1.5", "s2"} {
			providertest.RefusesModel(t, s, p, providers.Request{Text: "Hi.", Model: m, Transport: tr}, enum)
		}
	}
}

// TestShownDefaultsAreSent: every option Advanced shows a default for is
// sent with that default when the user leaves it alone, on both
// transports, since the service's own defaults differ (latency normal,
// chunk length 300); and the latency choices are the spec's.
func TestShownDefaultsAreSent(t *testing.T) {
	f := &fake{key: testKey}
	s, p := setup(t, f)
	schema := s.Spec.Doc().Components.Schemas["TTSRequest"].Value
	latency := providertest.Strings(schema.Properties["latency"].Value.Enum)
	for _, o := range caps.Options {
		if o.Key == OptionLatency {
			got := slices.Clone(o.Choices)
			slices.Sort(got)
			slices.Sort(latency)
			if !slices.Equal(got, latency) {
				t.Errorf("latency choices %v, the spec has %v", o.Choices, latency)
			}
		}
	}
	// Where each option goes in the body.
	wire := map[string][]string{OptionMP3Bitrate: {"mp3_bitrate"}, OptionLatency: {"latency"}, OptionChunkLength: {"chunk_length"},
		OptionVolume: {"prosody", "volume"}, OptionTemperature: {"temperature"}, OptionTopP: {"top_p"}, OptionNormalize: {"normalize"},
		OptionRepetition: {"repetition_penalty"}, OptionLoudness: {"prosody", "normalize_loudness"}}
	for _, tr := range caps.Transports {
		s.Set(nil)
		if _, _, err := providertest.ReadAll(p, providers.Request{Text: "Hi.", Transport: tr, Format: "mp3"}); err != nil {
			t.Fatal(err)
		}
		body := s.Seen()[0].Body
		if tr == TransportWS {
			body = f.lastStart()
		}
		var m map[string]any
		if err := msgpack.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		for _, o := range caps.Options {
			if o.Default == "" || o.Key == OptionOpusBitrate { // opus only: TestNewOptions
				continue
			}
			path, ok := wire[o.Key]
			if !ok {
				t.Errorf("option %s has a default but the test does not know where it goes", o.Key)
				continue
			}
			var v any = m
			for _, k := range path {
				v, _ = v.(map[string]any)[k]
			}
			if fmt.Sprint(v) != o.Default {
				t.Errorf("%s: %s = %v, want the shown default %s", tr, o.Key, v, o.Default)
			}
		}
	}
}

// TestNewOptions: opus_bitrate (auto is -1000, only with opus),
// normalize_loudness (in prosody) and repetition_penalty go on the wire
// as the spec names them, with the spec's opus choices.
func TestNewOptions(t *testing.T) {
	s, p := setup(t, &fake{key: testKey})
	schema := s.Spec.Doc().Components.Schemas["TTSRequest"].Value
	enum := providertest.Strings(schema.Properties["opus_bitrate"].Value.Enum)
	send := func(format string, opts map[string]string) map[string]any {
		t.Helper()
		s.Set(nil)
		if _, _, err := providertest.ReadAll(p, providers.Request{Text: "Hi.", Transport: TransportHTTP, Format: format, Options: opts}); err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		msgpack.Unmarshal(s.Seen()[0].Body, &m)
		return m
	}
	for _, o := range caps.Options {
		if o.Key != OptionOpusBitrate {
			continue
		}
		for _, c := range o.Choices {
			want := c
			if c == "auto" {
				want = "-1000"
			}
			if !slices.Contains(enum, want) {
				t.Errorf("opus choice %s (sent as %s) is not in the spec's %v", c, want, enum)
			}
			if got, _ := num(send("opus", map[string]string{OptionOpusBitrate: c})["opus_bitrate"]); fmt.Sprint(got) != want {
				t.Errorf("opus_bitrate %s sent as %v", c, got)
			}
		}
	}
	if m := send("opus", nil); fmt.Sprint(m["opus_bitrate"]) != "-1000" {
		t.Errorf("the shown default auto was sent as %v", m["opus_bitrate"])
	}
	if m := send("mp3", nil); m["opus_bitrate"] != nil {
		t.Errorf("opus_bitrate sent with mp3: %v", m["opus_bitrate"])
	}
	m := send("mp3", map[string]string{OptionLoudness: "false", OptionRepetition: "1.5"})
	if pr, _ := m["prosody"].(map[string]any); pr["normalize_loudness"] != false || m["repetition_penalty"] != 1.5 {
		t.Errorf("body %v", m)
	}
	s.Set(nil)
	_, err := providers.Checked(p).Synthesize(context.Background(), providers.Request{Text: "Hi.", Options: map[string]string{OptionRepetition: "0.5"}})
	if !providers.IsValidation(err) || !strings.Contains(err.Error(), "1 to 2") || s.Requests() != 0 {
		t.Errorf("repetition 0.5: %v", err)
	}
}

package elevenlabs

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/coder/websocket"
	"github.com/getkin/kin-openapi/openapi3"

	"chorus/providers/providertest"
)

// charMs is how long the fake says each character takes to speak.
const charMs = 60

// allFormats is the union of output_format values the contract lists: the
// OpenAPI enum plus mp3_24000_48, pcm_32000 (newer docs) and wav_* (the
// newest SDK only).
var allFormats = []string{
	"mp3_22050_32", "mp3_24000_48", "mp3_44100_32", "mp3_44100_64", "mp3_44100_96", "mp3_44100_128", "mp3_44100_192",
	"pcm_8000", "pcm_16000", "pcm_22050", "pcm_24000", "pcm_32000", "pcm_44100", "pcm_48000",
	"ulaw_8000", "alaw_8000",
	"opus_48000_32", "opus_48000_64", "opus_48000_96", "opus_48000_128", "opus_48000_192",
	"wav_8000", "wav_16000", "wav_22050", "wav_24000", "wav_32000", "wav_44100", "wav_48000",
}

// spec is the official OpenAPI file (trimmed to the TTS paths), with the
// output_format enums widened to allFormats, where the contract and the
// spec disagree.
var spec = sync.OnceValues(func() (*providertest.Spec, error) {
	return providertest.LoadSpec("testdata/openapi.json", func(doc *openapi3.T) {
		for _, item := range doc.Paths.Map() {
			for _, op := range item.Operations() {
				for _, p := range op.Parameters {
					if p.Value != nil && p.Value.Name == "output_format" && p.Value.Schema != nil && p.Value.Schema.Value != nil {
						p.Value.Schema.Value.Enum = nil
						for _, f := range allFormats {
							p.Value.Schema.Value.Enum = append(p.Value.Schema.Value.Enum, f)
						}
					}
				}
			}
		}
	})
})

// mustSpec returns spec or fails t.
func mustSpec(t *testing.T) *providertest.Spec {
	t.Helper()
	s, err := spec()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fake serves the ElevenLabs contract: the four HTTP speech routes, the
// stream-input socket, /v2/voices with search and pages, /v1/models, and
// both error shapes. The test server checks every HTTP request against
// the official schema (path, query parameters, body) with kin-openapi.
type fake struct {
	key string
	// wsError, when set, makes the socket answer the text with this JSON
	// message instead of audio.
	wsError string
	// dropWSTimes leaves durations spelled "charsDurationsMs" (the docs'
	// examples) instead of "charDurationsMs" (the schema).
	altSpelling bool
	// starterPlan refuses mp3_44100_192 with 403, as plans below Creator do.
	starterPlan bool

	mu        sync.Mutex
	wsInit    []byte // the last socket's first message
	wsQueries []string
}

var fakeVoices = func() []map[string]any {
	var out []map[string]any
	names := []string{"Rachel", "Adam", "Bella", "Antoni", "Elli", "Josh", "Arnold", "Domi", "Sam", "Clyde", "Dave", "Fin"}
	for i := range 120 {
		name := names[i%len(names)]
		if i >= len(names) {
			name = fmt.Sprintf("%s %d", name, i)
		}
		cat := "premade"
		if i%3 == 1 {
			cat = "cloned"
		} else if i%3 == 2 {
			cat = "professional"
		}
		out = append(out, map[string]any{
			"voice_id": fmt.Sprintf("v%019d", i), "name": name, "category": cat,
			"labels":              map[string]string{"accent": "american", "gender": []string{"female", "male"}[i%2], "age": "young", "use_case": "narration"},
			"description":         nil,
			"preview_url":         fmt.Sprintf("https://storage.example.com/previews/%d.mp3", i),
			"available_for_tiers": []string{}, "high_quality_base_model_ids": []string{"eleven_v2_flash"},
			"an_extra_field": true, // the service adds fields; clients must ignore them
		})
	}
	return out
}()

func (f *fake) authorized(r *http.Request) bool { return r.Header.Get("xi-api-key") == f.key }

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/stream-input") && r.Method == "GET" {
		f.socket(w, r)
		return
	}
	if !f.authorized(r) {
		writeJSON(w, 401, statusDetail("invalid_api_key", "Invalid API key"))
		return
	}
	body, _ := io.ReadAll(r.Body)
	switch {
	case r.Method == "GET" && r.URL.Path == "/v2/voices":
		f.voices(w, r)
	case r.Method == "GET" && r.URL.Path == "/v1/models":
		writeJSON(w, 200, []map[string]any{
			{"model_id": "eleven_multilingual_v2", "name": "Eleven Multilingual v2", "can_do_text_to_speech": true,
				"maximum_text_length_per_request": 10000, "languages": []map[string]string{{"language_id": "en", "name": "English"}, {"language_id": "de", "name": "German"}}},
			{"model_id": "eleven_flash_v2_5", "name": "Eleven Flash v2.5", "can_do_text_to_speech": true, "max_characters_request_subscribed_user": 40000},
			{"model_id": "eleven_multilingual_sts_v2", "name": "Speech to speech", "can_do_text_to_speech": false},
		})
	case r.Method == "POST" && strings.HasPrefix(r.URL.Path, "/v1/text-to-speech/"):
		f.speech(w, r, body)
	default:
		writeJSON(w, 404, statusDetail("not_found", "no route "+r.URL.Path))
	}
}

// WriteError answers with FastAPI's list for 422 and {"detail":{status,message}} otherwise.
func (f *fake) WriteError(w http.ResponseWriter, status int, message string) {
	if status == 422 {
		writeJSON(w, 422, listDetail("text", message))
		return
	}
	writeJSON(w, status, statusDetail("fake_status", message))
}

func listDetail(field, msg string) map[string]any {
	return map[string]any{"detail": []map[string]any{{"loc": []string{"body", field}, "msg": msg, "type": "value_error"}}}
}

func statusDetail(code, msg string) map[string]any {
	return map[string]any{"detail": map[string]string{"status": code, "message": msg}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (f *fake) voices(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	size := 10
	if s := q.Get("page_size"); s != "" {
		size, _ = strconv.Atoi(s)
	}
	list := fakeVoices
	if s := strings.ToLower(q.Get("search")); s != "" {
		list = nil
		for _, v := range fakeVoices {
			if strings.Contains(strings.ToLower(v["name"].(string)), s) {
				list = append(list, v)
			}
		}
	}
	start := 0
	if t := q.Get("next_page_token"); t != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(t, "page-"))
		if err != nil {
			writeJSON(w, 400, statusDetail("invalid_page_token", "bad next_page_token"))
			return
		}
		start = n
	}
	end := min(start+size, len(list))
	resp := map[string]any{"voices": list[start:end], "has_more": end < len(list), "total_count": len(list), "next_page_token": nil}
	if end < len(list) {
		resp["next_page_token"] = fmt.Sprintf("page-%d", end)
	}
	writeJSON(w, 200, resp)
}

// speechBody is the part of the body the fake acts on (validate has
// checked the whole body against the schema).
type speechBody struct {
	Text         string  `json:"text"`
	ModelID      string  `json:"model_id"`
	LanguageCode *string `json:"language_code"`
}

func (f *fake) speech(w http.ResponseWriter, r *http.Request, body []byte) {
	rest := strings.TrimPrefix(r.URL.Path, "/v1/text-to-speech/")
	voiceID, route, _ := strings.Cut(rest, "/")
	if !slices.ContainsFunc(fakeVoices, func(v map[string]any) bool { return v["voice_id"] == voiceID }) {
		writeJSON(w, 404, statusDetail("voice_not_found", "A voice with the voice_id "+voiceID+" was not found."))
		return
	}
	var req speechBody
	json.Unmarshal(body, &req)
	if req.ModelID == "" {
		req.ModelID = DefaultModel
	}
	if req.LanguageCode != nil && req.ModelID == DefaultModel {
		writeJSON(w, 400, statusDetail("unsupported_language", "Model eleven_multilingual_v2 does not support language_code"))
		return
	}
	if limit := caps.MaxCharsFor(req.ModelID); utf8.RuneCountInString(req.Text) > limit {
		writeJSON(w, 400, statusDetail("max_character_limit_exceeded", fmt.Sprintf("This request's text has %d characters and exceeds the character limit of %d characters.", utf8.RuneCountInString(req.Text), limit)))
		return
	}
	format := r.URL.Query().Get("output_format")
	if format == "" {
		format = "mp3_44100_128"
	}
	if format == "mp3_44100_192" && f.starterPlan {
		writeJSON(w, 403, statusDetail("output_format_not_allowed", "Your subscription does not allow mp3_44100_192"))
		return
	}
	enc, _ := Encoding(format)
	data := providertest.Fixture(enc)
	w.Header().Set("request-id", "req-"+strconv.Itoa(len(req.Text)))
	w.Header().Set("character-cost", strconv.Itoa(utf8.RuneCountInString(req.Text)))
	switch route {
	case "", "stream":
		w.Header().Set("Content-Type", "audio/mpeg")
		providertest.WriteChunks(w, data, len(data)/8+1)
	case "with-timestamps":
		writeJSON(w, 200, map[string]any{"audio_base64": base64.StdEncoding.EncodeToString(data),
			"alignment": httpAlignment(req.Text, 0), "normalized_alignment": httpAlignment(strings.ToLower(req.Text), 0)})
	case "stream/with-timestamps":
		w.Header().Set("Content-Type", "application/json")
		pieces := providertest.Split(data, 8)
		texts := splitText(req.Text, len(pieces))
		rc := http.NewResponseController(w)
		at := 0
		for i, p := range pieces {
			line, _ := json.Marshal(map[string]any{"audio_base64": base64.StdEncoding.EncodeToString(p),
				"alignment": httpAlignment(texts[i], at), "normalized_alignment": nil})
			at += utf8.RuneCountInString(texts[i])
			if _, err := w.Write(append(line, '\n')); err != nil {
				return
			}
			rc.Flush()
		}
	default:
		writeJSON(w, 404, statusDetail("not_found", "no route "+r.URL.Path))
	}
}

// httpAlignment times text one character after another from character at.
func httpAlignment(text string, at int) map[string]any {
	chars, starts, ends := []string{}, []float64{}, []float64{}
	for _, c := range text {
		chars = append(chars, string(c))
		starts = append(starts, float64(at*charMs)/1000)
		ends = append(ends, float64((at+1)*charMs)/1000)
		at++
	}
	return map[string]any{"characters": chars, "character_start_times_seconds": starts, "character_end_times_seconds": ends}
}

// splitText cuts text into n nearly equal pieces of runes.
func splitText(text string, n int) []string {
	r := []rune(text)
	out := make([]string, n)
	for i := range n {
		out[i] = string(r[i*len(r)/n : (i+1)*len(r)/n])
	}
	return out
}

// wsQueryParams are the stream-input query parameters the contract lists.
var wsQueryParams = []string{"model_id", "language_code", "output_format", "enable_logging", "enable_ssml_parsing",
	"inactivity_timeout", "sync_alignment", "auto_mode", "apply_text_normalization", "seed", "authorization", "single_use_token"}

// socket is stream-input: {"text":" ",…} first, then text messages until
// {"text":""}; the answer is {"audio","isFinal":false,"alignment",…}
// messages (times in ms, counted from each message's own audio), then
// {"isFinal":true} and close 1000.
func (f *fake) socket(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(r) {
		writeJSON(w, 401, statusDetail("invalid_api_key", "Invalid API key"))
		return
	}
	q := r.URL.Query()
	for k := range q {
		if !slices.Contains(wsQueryParams, k) {
			writeJSON(w, 422, listDetail("query", "unknown query parameter "+k))
			return
		}
	}
	format := q.Get("output_format")
	if format == "" {
		format = "mp3_44100_128"
	}
	if !slices.Contains(allFormats, format) {
		writeJSON(w, 422, listDetail("output_format", "unsupported output_format "+format))
		return
	}
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer conn.CloseNow()
	ctx := r.Context()
	var text strings.Builder
	for i := 0; ; i++ {
		typ, msg, err := conn.Read(ctx)
		if err != nil {
			return
		}
		if typ != websocket.MessageText {
			conn.Close(websocket.StatusUnsupportedData, "Expected text message")
			return
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(msg, &m); err != nil {
			conn.Close(websocket.StatusInvalidFramePayloadData, "invalid JSON")
			return
		}
		allowed := []string{"text", "try_trigger_generation", "flush"}
		if i == 0 {
			allowed = []string{"text", "voice_settings", "generation_config", "pronunciation_dictionary_locators", "xi-api-key", "authorization"}
			f.mu.Lock()
			f.wsInit, f.wsQueries = msg, append(f.wsQueries, r.URL.RawQuery)
			f.mu.Unlock()
		}
		for k := range m {
			if !slices.Contains(allowed, k) {
				conn.Close(websocket.StatusInvalidFramePayloadData, "unexpected field "+k)
				return
			}
		}
		var t string
		if err := json.Unmarshal(m["text"], &t); err != nil {
			conn.Close(websocket.StatusInvalidFramePayloadData, "text must be a string")
			return
		}
		if i == 0 {
			if t != " " {
				conn.Close(websocket.StatusInvalidFramePayloadData, "the first message's text must be a single space")
				return
			}
			continue
		}
		if t == "" {
			break
		}
		text.WriteString(t)
	}
	if f.wsError != "" {
		conn.Write(ctx, websocket.MessageText, []byte(f.wsError))
		conn.Close(websocket.StatusNormalClosure, "")
		return
	}
	enc, _ := Encoding(format)
	pieces := providertest.Split(providertest.Fixture(enc), 8)
	texts := splitText(text.String(), len(pieces))
	durKey := "charDurationsMs"
	if f.altSpelling {
		durKey = "charsDurationsMs"
	}
	for i, p := range pieces {
		chars, starts, durs := []string{}, []int{}, []int{}
		for k, c := range []rune(texts[i]) {
			chars = append(chars, string(c))
			starts = append(starts, k*charMs)
			durs = append(durs, charMs)
		}
		al := map[string]any{"chars": chars, "charStartTimesMs": starts, durKey: durs}
		m, _ := json.Marshal(map[string]any{"audio": base64.StdEncoding.EncodeToString(p), "isFinal": false,
			"alignment": al, "normalizedAlignment": al})
		if conn.Write(ctx, websocket.MessageText, m) != nil {
			return
		}
	}
	if conn.Write(ctx, websocket.MessageText, []byte(`{"isFinal":true}`)) != nil {
		return
	}
	conn.Close(websocket.StatusNormalClosure, "")
}

// TestFakeFollowsSpec makes sure the fake's validator refuses what the
// official schema refuses, so passing tests mean something.
func TestFakeFollowsSpec(t *testing.T) {
	cases := []struct {
		path, body string
		ok         bool
	}{
		{"/v1/text-to-speech/v1/stream?output_format=pcm_24000", `{"text":"hi","seed":3}`, true},
		{"/v1/text-to-speech/v1/stream?output_format=pcm_24001", `{"text":"hi"}`, false},
		{"/v1/text-to-speech/v1/stream", `{"text":"hi","seed":"x"}`, false},
		{"/v1/text-to-speech/v1/stream", `{"txt":"hi"}`, false},
		{"/v1/text-to-speech/v1/with-timestamps", `{"text":"hi","apply_text_normalization":"maybe"}`, false},
		{"/v1/text-to-speech/v1/stream/with-timestamps", `{"text":"hi","speed":1.1}`, false},
		{"/v1/text-to-speech/v1/nowhere", `{"text":"hi"}`, false},
	}
	s := mustSpec(t)
	for _, c := range cases {
		r, _ := http.NewRequest("POST", "http://fake"+c.path, strings.NewReader(c.body))
		r.Header.Set("Content-Type", "application/json")
		checked, got := s.Validate(r, r.URL.Path, []byte(c.body))
		if ok := checked && got == ""; ok != c.ok {
			t.Errorf("%s %s: checked %v, problem %q, want ok=%v", c.path, c.body, checked, got, c.ok)
		}
	}
}

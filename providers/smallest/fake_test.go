package smallest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"chorus/providers/providertest"
)

// fake serves the Smallest AI Waves contract (docs/providers/smallest.md): the unified
// routes, the voice catalog, the 410 of retired routes, the documented
// error bodies and the default plan's one request in flight at a time.
type fake struct {
	key string

	mu       sync.Mutex
	inFlight int
}

func newFake(key string) *fake { return &fake{key: key} }

var fakeVoices = []map[string]any{
	{"voiceId": "magnus", "displayName": "Magnus", "tags": map[string]any{"language": []string{"english"}, "accent": "american", "gender": "male", "age": "middle-aged"}},
	{"voiceId": "avery", "displayName": "Avery", "tags": map[string]any{"language": []string{"english"}, "accent": "american", "gender": "female", "age": "young", "emotions": []string{}, "usecases": []string{"conversational"}}},
	{"voiceId": "meher", "displayName": "Meher", "tags": map[string]any{"language": []string{"english", "hindi"}, "accent": "indian", "gender": "female"}},
	{"voiceId": "voice_abc123", "displayName": "My clone", "tags": map[string]any{}},
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !providertest.Bearer(r, f.key) {
		given := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		// Echo what was sent, to prove the client redacts the key.
		writeJSON(w, 401, map[string]any{"error": "Unauthorized", "message": "Bearer token is missing or invalid: " + given})
		return
	}
	switch {
	case strings.HasPrefix(r.URL.Path, "/waves/v1/lightning-v2/") || strings.HasPrefix(r.URL.Path, "/waves/v1/lightning-large/"):
		f.retired(w)
	case r.Method == "GET" && r.URL.Path == voicesPath:
		writeJSON(w, 200, map[string]any{"voices": fakeVoices})
	case r.Method == "POST" && (r.URL.Path == "/waves/v1/tts" || r.URL.Path == "/waves/v1/tts/live"):
		if !f.acquire() {
			// Default plan: one request in flight per account. Body UNCONFIRMED.
			writeJSON(w, 429, map[string]any{"error": "TooManyRequests", "message": "Concurrency limit exceeded for your plan."})
			return
		}
		defer f.release()
		f.tts(w, r, r.URL.Path == "/waves/v1/tts/live")
	default:
		writeJSON(w, 404, map[string]any{"error": "NotFound", "message": fmt.Sprintf("Cannot %s %s", r.Method, r.URL.Path)})
	}
}

// acquire takes the account's one slot. A request that arrives while
// another is in flight waits a moment first: the real server sees the
// previous request end when the client's close reaches it, which this fake
// can only approximate.
func (f *fake) acquire() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	deadline := time.Now().Add(150 * time.Millisecond)
	for f.inFlight > 0 {
		if time.Now().After(deadline) {
			return false
		}
		f.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		f.mu.Lock()
	}
	f.inFlight++
	return true
}

func (f *fake) release() {
	f.mu.Lock()
	f.inFlight--
	f.mu.Unlock()
}

func (f *fake) retired(w http.ResponseWriter) {
	writeJSON(w, 410, map[string]any{"status": "error", "error_code": "MODEL_DEPRECATED",
		"message":              "This model is retired. Please migrate to lightning-v3.1 via /waves/v1/tts",
		"recommended_endpoint": "/waves/v1/tts"})
}

// WriteError answers in TtsError shape {error, message}, or the 410 shape.
func (f *fake) WriteError(w http.ResponseWriter, status int, message string) {
	if status == 410 {
		f.retired(w)
		return
	}
	name := map[int]string{400: "InvalidRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
		422: "InvalidRequest", 429: "TooManyRequests", 500: "InternalServerError", 503: "ServiceUnavailable"}[status]
	if name == "" {
		name = "Error"
	}
	writeJSON(w, status, map[string]any{"error": name, "message": message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

var contentTypes = map[string]string{"wav": "audio/wav", "mp3": "audio/mpeg", "pcm": "audio/pcm",
	"ulaw": "audio/basic", "alaw": "audio/x-alaw-basic"} // all but wav UNCONFIRMED

func (f *fake) tts(w http.ResponseWriter, r *http.Request, sse bool) {
	bad := func(format string, args ...any) {
		writeJSON(w, 400, map[string]any{"error": "InvalidRequest", "message": fmt.Sprintf(format, args...)})
	}
	if providertest.MediaType(r.Header.Get("Content-Type")) != "application/json" {
		bad("Content-Type must be application/json")
		return
	}
	accept := providertest.MediaType(r.Header.Get("Accept"))
	if !sse && accept != "audio/wav" {
		// The docs: "Omitting it can return an empty or unplayable response."
		bad("the fake expects Accept: audio/wav as the docs ask, got %q", accept)
		return
	}
	if sse && accept != "text/event-stream" {
		bad("the fake expects Accept: text/event-stream as the docs example sends, got %q", accept)
		return
	}
	var body struct {
		Text                        *string  `json:"text"`
		VoiceID                     *string  `json:"voice_id"`
		Model                       *string  `json:"model"`
		SampleRate                  *int     `json:"sample_rate"`
		Speed                       *float64 `json:"speed"`
		Language                    *string  `json:"language"`
		NumberPronunciationLanguage *string  `json:"number_pronunciation_language"`
		MathNotation                *bool    `json:"math_notation"`
		OutputFormat                *string  `json:"output_format"`
		PronunciationDicts          []string `json:"pronunciation_dicts"`
		WordTimestamps              *bool    `json:"word_timestamps"`
		SessionID                   *string  `json:"session_id"`
		RequestID                   *string  `json:"request_id"`
	}
	if err := providertest.DecodeJSON(readBody(r), &body); err != nil {
		bad("%v", err)
		return
	}
	switch {
	case body.Text == nil || strings.TrimSpace(*body.Text) == "":
		bad("The 'text' field is required.")
		return
	case body.VoiceID == nil || *body.VoiceID == "":
		bad("The 'voice_id' field is required.")
		return
	case body.Model != nil && *body.Model != ModelLightning && *body.Model != ModelLightningPro:
		bad("Invalid enum value for 'model': %q", *body.Model)
		return
	case body.SampleRate != nil && !slices.Contains([]int{8000, 16000, 24000, 44100}, *body.SampleRate):
		bad("Invalid 'sample_rate': %d", *body.SampleRate)
		return
	case body.Speed != nil && (*body.Speed < 0.5 || *body.Speed > 2):
		bad("'speed' must be between 0.5 and 2.0")
		return
	case body.Language != nil && !slices.Contains(languages, *body.Language):
		bad("Invalid enum value for 'language': %q", *body.Language)
		return
	case body.NumberPronunciationLanguage != nil && !slices.Contains(languages, *body.NumberPronunciationLanguage):
		bad("Invalid enum value for 'number_pronunciation_language': %q", *body.NumberPronunciationLanguage)
		return
	}
	for _, d := range body.PronunciationDicts {
		if d != "dict-1" {
			bad("Invalid input data")
			return
		}
	}
	format := "pcm" // the server default
	if body.OutputFormat != nil {
		format = *body.OutputFormat
	}
	if _, ok := contentTypes[format]; !ok {
		// "mulaw" is rejected since 2026-05-07.
		bad("invalid_enum_value: 'output_format' must be one of mp3, pcm, wav, ulaw, alaw")
		return
	}
	enc := encodingOf(format)
	data := providertest.Fixture(enc)
	if !sse {
		w.Header().Set("Content-Type", contentTypes[format])
		w.Header().Set("X-Request-Id", "req_123")
		providertest.WriteChunks(w, data, len(data)/8+1)
		return
	}
	// For wav/mp3 ("work but add per-chunk framing bytes", UNCONFIRMED) the
	// fake serves the file split across frames; Chorus only asks for pcm.
	w.Header().Set("Content-Type", "text/event-stream")
	rc := http.NewResponseController(w)
	for _, chunk := range providertest.Split(data, 8) {
		fmt.Fprintf(w, "event: audio\ndata: {\"audio\": %q, \"done\": false, \"status\": \"206\"}\n\n", base64.StdEncoding.EncodeToString(chunk))
		if rc.Flush() != nil {
			return
		}
	}
	fmt.Fprint(w, "data: {\"status\": \"200\", \"done\": true}\n\n")
}

func readBody(r *http.Request) []byte {
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := r.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return []byte(b.String())
		}
	}
}

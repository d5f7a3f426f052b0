package airefinery

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"

	"chorus/audio"
	"chorus/providers/providertest"
)

// fake serves the AI Refinery contract (docs/providers/airefinery.md). The error body
// shape of the TTS route is UNCONFIRMED; the fake answers FastAPI-style
// {"detail": …}, which the client must surface as raw text either way.
type fake struct {
	key string
	// headlessWAV sends wav streams without a RIFF header (UNCONFIRMED case).
	headlessWAV bool
	// errorShape is how error bodies look, the TTS route's being
	// UNCONFIRMED: "" is FastAPI's {"detail": …}, "error" the governance
	// routes' {"error": …}, "text" plain text.
	errorShape string
}

var sampleRates = []int{8000, 16000, 22050, 24000, 44100, 48000}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !providertest.Bearer(r, f.key) {
		f.WriteError(w, 401, "Invalid API key: "+r.Header.Get("Authorization"))
		return
	}
	switch {
	case r.Method == "POST" && r.URL.Path == "/authentication/validate":
		writeJSON(w, map[string]any{"organization_id": "org-123"})
	case r.Method == "GET" && r.URL.Path == "/v1/models":
		writeJSON(w, map[string]any{"data": []map[string]any{
			{"id": "meta-llama/Llama-3.1-70B-Instruct", "object": "model"},
			{"id": Model, "object": "model"},
		}})
	case r.Method == "POST" && r.URL.Path == "/v1/audio/speech":
		f.speech(w, r)
	default:
		f.WriteError(w, 404, "Not Found")
	}
}

// WriteError answers {"detail": message}, or the shape errorShape names.
func (f *fake) WriteError(w http.ResponseWriter, status int, message string) {
	if f.errorShape == "text" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		io.WriteString(w, message)
		return
	}
	key := "detail"
	if f.errorShape == "error" {
		key = "error"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{key: message})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (f *fake) speech(w http.ResponseWriter, r *http.Request) {
	bad := func(format string, args ...any) { f.WriteError(w, 422, fmt.Sprintf(format, args...)) }
	if providertest.MediaType(r.Header.Get("Content-Type")) != "application/json" {
		bad("Content-Type must be application/json")
		return
	}
	if r.Header.Get("sdk_version") == "" {
		bad("missing sdk_version header")
		return
	}
	var body struct {
		Model          *string  `json:"model"`
		Input          *string  `json:"input"`
		Voice          *string  `json:"voice"`
		ResponseFormat *string  `json:"response_format"`
		Speed          *float64 `json:"speed"`
		Stream         *bool    `json:"stream"`
		Timeout        *float64 `json:"timeout"`
		ExtraBody      *struct {
			Language      string   `json:"speech_synthesis_language"`
			SampleRate    *int     `json:"sample_rate"`
			WordBoundary  bool     `json:"enable_word_boundary"`
			BoundaryTypes []string `json:"boundary_types"`
		} `json:"extra_body"`
	}
	raw, _ := io.ReadAll(r.Body)
	// Strict about unknown keys so that, say, a top-level sample_rate (the
	// pre-1.26 layout) is caught.
	if err := providertest.DecodeJSON(raw, &body); err != nil {
		bad("%v", err)
		return
	}
	switch {
	case body.Model == nil || body.Input == nil || body.Voice == nil:
		bad("model, input and voice are required")
		return
	case *body.Model != Model:
		bad("unsupported model %q", *body.Model)
		return
	case body.Speed != nil && (*body.Speed < 0.25 || *body.Speed > 4):
		bad("speed must be between 0.25 and 4.0")
		return
	case body.ExtraBody != nil && body.ExtraBody.SampleRate != nil && !slices.Contains(sampleRates, *body.ExtraBody.SampleRate):
		bad("unsupported sample_rate %d", *body.ExtraBody.SampleRate)
		return
	}
	if a := r.Header.Get("Accept"); a != "" && a != "application/octet-stream" && a != "*/*" {
		bad("unexpected Accept %q", a)
		return
	}
	format := "wav"
	if body.ResponseFormat != nil {
		format = *body.ResponseFormat
	}
	enc, ok := map[string]audio.Encoding{"wav": audio.WAV, "mp3": audio.MP3, "pcm": audio.PCM, "opus": audio.Opus}[format]
	if !ok {
		bad("unsupported response_format %q", format)
		return
	}
	stream := body.Stream != nil && *body.Stream
	if enc == audio.WAV && stream && f.headlessWAV {
		enc = audio.PCM
	}
	data := providertest.Fixture(enc)
	words := body.ExtraBody != nil && body.ExtraBody.WordBoundary
	switch {
	case words && !stream:
		writeJSON(w, map[string]any{"audio": base64.StdEncoding.EncodeToString(data), "word_boundaries": boundaries})
	case words:
		w.Header().Set("Content-Type", "application/x-ndjson")
		enc := json.NewEncoder(w)
		for i, chunk := range providertest.Split(data, 4) {
			enc.Encode(map[string]any{"type": "audio", "data": base64.StdEncoding.EncodeToString(chunk)})
			if i < len(boundaries) {
				b := map[string]any{"type": "word_boundary"}
				for k, v := range boundaries[i] {
					b[k] = v
				}
				enc.Encode(b)
			}
			http.NewResponseController(w).Flush()
		}
	default:
		w.Header().Set("Content-Type", "application/octet-stream")
		providertest.WriteChunks(w, data, len(data)/8+1)
	}
}

var boundaries = []map[string]any{
	{"text": "Hello", "audio_offset_ms": 50.0, "duration_ms": 312.5, "text_offset": 0, "word_length": 5, "boundary_type": "word"},
	{"text": ",", "audio_offset_ms": 362.5, "duration_ms": 10.0, "text_offset": 5, "word_length": 1, "boundary_type": "punctuation"},
	{"text": "world", "audio_offset_ms": 400.0, "duration_ms": 300.0, "text_offset": 7, "word_length": 5, "boundary_type": "word"},
}

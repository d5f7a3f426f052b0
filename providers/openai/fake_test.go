package openai

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"chorus/audio"
	"chorus/providers/providertest"
)

// fake serves the OpenAI TTS contract (docs/providers/openai.md) under /v1, strictly: it
// refuses anything the real service refuses or might refuse.
type fake struct {
	key    string   // "" accepts requests without a key (custom endpoints)
	models []string // known models; others get 404 model_not_found
	// sse reports whether a model accepts stream_format "sse".
	sse func(model string) bool
	// voices, when not nil, is served at GET /v1/audio/voices (Kokoro shape).
	voices []string
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.key != "" && !providertest.Bearer(r, f.key) {
		given := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		// The fake echoes the key it got, to prove the client redacts it.
		f.writeError(w, 401, "Incorrect API key provided: "+given+".", "invalid_request_error", "invalid_api_key", "")
		return
	}
	switch {
	case r.Method == "GET" && r.URL.Path == "/v1/models":
		var data []map[string]any
		for _, m := range append([]string{"gpt-4o", "whisper-1"}, f.models...) {
			data = append(data, map[string]any{"id": m, "object": "model", "created": 1700000000, "owned_by": "system"})
		}
		writeJSON(w, map[string]any{"object": "list", "data": data})
	case r.Method == "GET" && r.URL.Path == "/v1/audio/voices" && f.voices != nil:
		writeJSON(w, map[string]any{"voices": f.voices})
	case r.Method == "POST" && r.URL.Path == "/v1/audio/speech":
		f.speech(w, r)
	default:
		f.writeError(w, 404, fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path), "invalid_request_error", "", "")
	}
}

// WriteError answers with OpenAI's ErrorResponse envelope.
func (f *fake) WriteError(w http.ResponseWriter, status int, message string) {
	typ := "invalid_request_error"
	switch {
	case status == 429:
		typ = "rate_limit_exceeded"
	case status >= 500:
		typ = "server_error"
	}
	f.writeError(w, status, message, typ, "", "")
}

func (f *fake) writeError(w http.ResponseWriter, status int, message, typ, code, param string) {
	e := map[string]any{"message": message, "type": typ, "param": nil, "code": nil}
	if code != "" {
		e["code"] = code
	}
	if param != "" {
		e["param"] = param
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": e})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

var contentTypes = map[string]string{"mp3": "audio/mpeg", "opus": "audio/ogg", "aac": "audio/aac",
	"flac": "audio/flac", "wav": "audio/wav", "pcm": "audio/pcm"}

func (f *fake) speech(w http.ResponseWriter, r *http.Request) {
	bad := func(param, format string, args ...any) {
		f.writeError(w, 400, fmt.Sprintf(format, args...), "invalid_request_error", "", param)
	}
	if providertest.MediaType(r.Header.Get("Content-Type")) != "application/json" {
		bad("", "Content-Type must be application/json")
		return
	}
	if a := r.Header.Get("Accept"); a != "application/octet-stream" {
		bad("", "the fake expects Accept: application/octet-stream as the SDKs send, got %q", a)
		return
	}
	var body struct {
		Model          *string  `json:"model"`
		Input          *string  `json:"input"`
		Voice          any      `json:"voice"`
		Instructions   *string  `json:"instructions"`
		ResponseFormat *string  `json:"response_format"`
		Speed          *float64 `json:"speed"`
		StreamFormat   *string  `json:"stream_format"`
	}
	raw := readBody(r)
	if err := providertest.DecodeJSON(raw, &body); err != nil {
		// additionalProperties: false
		bad("", "Unrecognized request argument supplied or bad JSON: %v", err)
		return
	}
	switch {
	case body.Model == nil:
		bad("model", "Missing required parameter: 'model'.")
		return
	case body.Input == nil:
		bad("input", "Missing required parameter: 'input'.")
		return
	case body.Voice == nil:
		bad("voice", "Missing required parameter: 'voice'.")
		return
	}
	model := *body.Model
	if !slices.Contains(f.models, model) {
		f.writeError(w, 404, fmt.Sprintf("The model `%s` does not exist or you do not have access to it.", model), "invalid_request_error", "model_not_found", "")
		return
	}
	if utf8.RuneCountInString(*body.Input) > 4096 {
		bad("input", "string too long: input is limited to 4096 characters")
		return
	}
	format := "mp3"
	if body.ResponseFormat != nil {
		format = *body.ResponseFormat
	}
	if _, ok := contentTypes[format]; !ok {
		bad("response_format", "'%s' is not one of ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm']", format)
		return
	}
	if body.Speed != nil && (*body.Speed < 0.25 || *body.Speed > 4) {
		bad("speed", "speed must be between 0.25 and 4.0")
		return
	}
	if body.Instructions != nil && strings.HasPrefix(model, "tts-1") {
		bad("instructions", "instructions are not supported for %s", model)
		return
	}
	sse := false
	if body.StreamFormat != nil {
		switch *body.StreamFormat {
		case "audio":
		case "sse":
			if f.sse == nil || !f.sse(model) {
				bad("stream_format", "stream_format 'sse' is not supported for %s", model)
				return
			}
			sse = true
		default:
			bad("stream_format", "'%s' is not one of ['audio', 'sse']", *body.StreamFormat)
			return
		}
	}
	enc := audio.Encoding(format)
	if format == "opus" {
		enc = audio.Opus
	}
	data := providertest.Fixture(enc)
	if !sse {
		w.Header().Set("Content-Type", contentTypes[format])
		providertest.WriteChunks(w, data, len(data)/8+1)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	rc := http.NewResponseController(w)
	for _, chunk := range providertest.Split(data, 8) {
		fmt.Fprintf(w, "event: speech.audio.delta\ndata: {\"type\":\"speech.audio.delta\",\"audio\":%q}\n\n", base64.StdEncoding.EncodeToString(chunk))
		if rc.Flush() != nil {
			return
		}
	}
	fmt.Fprint(w, "data: {\"type\":\"speech.audio.done\",\"usage\":{\"input_tokens\":14,\"output_tokens\":101,\"total_tokens\":115}}\n\n")
}

func readBody(r *http.Request) []byte {
	b, _ := io.ReadAll(r.Body)
	return b
}

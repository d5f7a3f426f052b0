package voiceai

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/coder/websocket"

	"chorus/providers/providertest"
)

// fake serves the Voice.ai contract (docs/providers/voiceai.md): the two HTTP speech
// routes, the single-context WebSocket with its close codes, and the voice
// list (as a bare array, or wrapped when wrapVoices is set).
type fake struct {
	key        string
	wrapVoices bool
	// closeWith, when set, makes the socket close with this code and reason
	// after the init message instead of answering.
	closeWith *websocket.CloseError
}

var models = []string{ModelEnglish, "voiceai-tts-v1-2026-02-10", ModelMultilingual, "voiceai-tts-multilingual-v1-2026-02-10"}

var languages = []string{"en", "ca", "sv", "es", "fr", "de", "it", "pt", "pl", "ru", "nl"}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/api/v1/tts/stream" && r.Method == "GET" {
		f.socket(w, r)
		return
	}
	if !providertest.Bearer(r, f.key) {
		given := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		writeJSON(w, 401, map[string]any{"error": "Invalid API key: " + given, "detail": nil, "code": "invalid_api_key"})
		return
	}
	switch {
	case r.Method == "GET" && r.URL.Path == "/api/v1/tts/voices":
		list := []map[string]any{
			{"voice_id": "5a3c1f0e-0000-4000-8000-000000000001", "name": "Narrator", "language": "en", "status": "AVAILABLE", "visibility": "PRIVATE"},
			{"voice_id": "5a3c1f0e-0000-4000-8000-000000000002", "name": "Still cloning", "status": "PROCESSING"},
			{"voice_id": "5a3c1f0e-0000-4000-8000-000000000003", "name": "Catalan", "language": "ca", "status": "AVAILABLE"},
		}
		if f.wrapVoices {
			writeJSON(w, 200, map[string]any{"voices": list})
		} else {
			writeJSON(w, 200, list)
		}
	case r.Method == "POST" && (r.URL.Path == "/api/v1/tts/speech" || r.URL.Path == "/api/v1/tts/speech/stream"):
		if providertest.MediaType(r.Header.Get("Content-Type")) != "application/json" {
			writeJSON(w, 422, detail("body", "Content-Type must be application/json"))
			return
		}
		body, _ := io.ReadAll(r.Body)
		req, problem := check(body, false)
		if problem != "" {
			writeJSON(w, 422, detail("body", problem))
			return
		}
		enc, _ := Encoding(req.AudioFormat)
		w.Header().Set("Content-Type", "audio/"+string(enc))
		data := providertest.Fixture(enc)
		providertest.WriteChunks(w, data, len(data)/8+1)
	default:
		writeJSON(w, 404, map[string]any{"error": "Not Found", "detail": fmt.Sprintf("%s %s", r.Method, r.URL.Path), "code": nil})
	}
}

// WriteError answers with ErrorResponse {error, detail, code}, or FastAPI's
// {"detail": [...]} for 422.
func (f *fake) WriteError(w http.ResponseWriter, status int, message string) {
	if status == 422 {
		writeJSON(w, 422, detail("text", message))
		return
	}
	writeJSON(w, status, map[string]any{"error": message, "detail": nil, "code": nil})
}

func detail(field, msg string) map[string]any {
	return map[string]any{"detail": []map[string]any{{"loc": []string{"body", field}, "msg": msg, "type": "value_error"}}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

type wireRequest struct {
	Text              *string  `json:"text"`
	VoiceID           *string  `json:"voice_id"`
	AudioFormat       string   `json:"audio_format"`
	Temperature       *float64 `json:"temperature"`
	TopP              *float64 `json:"top_p"`
	Model             *string  `json:"model"`
	Language          *string  `json:"language"`
	DictionaryID      *string  `json:"dictionary_id"`
	DictionaryVersion *int     `json:"dictionary_version"`
	// WebSocket init only.
	Flush        *bool   `json:"flush"`
	DeliveryMode *string `json:"delivery_mode"`
}

// check validates a GenerateSpeechRequest (ws adds flush and delivery_mode)
// and returns what is wrong in words.
func check(body []byte, ws bool) (wireRequest, string) {
	var req wireRequest
	if err := providertest.DecodeJSON(body, &req); err != nil {
		return req, err.Error()
	}
	if !ws && (req.Flush != nil || req.DeliveryMode != nil) {
		return req, "extra inputs are not permitted: flush, delivery_mode"
	}
	if req.AudioFormat == "" {
		req.AudioFormat = "mp3"
	}
	lang := "en"
	if req.Language != nil {
		lang = *req.Language
	}
	switch {
	case req.Text == nil || *req.Text == "":
		return req, "text: field required"
	case !slices.Contains(formats, req.AudioFormat):
		return req, "audio_format: unsupported format " + req.AudioFormat
	case req.Temperature != nil && (*req.Temperature < 0 || *req.Temperature > 2):
		return req, "temperature: must be between 0 and 2"
	case req.TopP != nil && (*req.TopP < 0 || *req.TopP > 1):
		return req, "top_p: must be between 0 and 1"
	case !slices.Contains(languages, lang):
		return req, "language: unsupported " + lang
	case req.Model != nil && !slices.Contains(models, *req.Model):
		return req, "model: unknown " + *req.Model
	case ws && (req.Flush == nil || !*req.Flush):
		return req, "" // buffering; this fake expects the one-shot form only
	}
	return req, ""
}

// socket is /api/v1/tts/stream: an init message with flush: true, then
// {"audio": …} messages, {"is_last": true}, and close 1000. Failures are
// close codes only.
func (f *fake) socket(w http.ResponseWriter, r *http.Request) {
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer conn.CloseNow()
	ctx := r.Context()
	if !providertest.Bearer(r, f.key) {
		given := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		conn.Close(websocket.StatusPolicyViolation, "Authentication failed: invalid API key "+given)
		return
	}
	typ, msg, err := conn.Read(ctx)
	if err != nil {
		return
	}
	if typ != websocket.MessageText {
		conn.Close(websocket.StatusUnsupportedData, "Expected text message")
		return
	}
	req, problem := check(msg, true)
	if problem != "" {
		conn.Close(websocket.StatusInvalidFramePayloadData, clip(problem))
		return
	}
	if req.Flush == nil || !*req.Flush {
		conn.Close(websocket.StatusInvalidFramePayloadData, "this fake expects flush: true in the init message")
		return
	}
	if f.closeWith != nil {
		conn.Close(f.closeWith.Code, f.closeWith.Reason)
		return
	}
	enc, _ := Encoding(req.AudioFormat)
	for _, chunk := range providertest.Split(providertest.Fixture(enc), 8) {
		m, _ := json.Marshal(map[string]string{"audio": base64.StdEncoding.EncodeToString(chunk)})
		if conn.Write(ctx, websocket.MessageText, m) != nil {
			return
		}
	}
	if conn.Write(ctx, websocket.MessageText, []byte(`{"is_last":true}`)) != nil {
		return
	}
	conn.Close(websocket.StatusNormalClosure, "")
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:120]
	}
	return s
}

package fishaudio

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/coder/websocket"
	"github.com/vmihailenco/msgpack/v5"

	"chorus/audio"
	"chorus/providers/providertest"
)

// fake serves the Fish Audio contract (docs/providers/fishaudio.md): POST /v1/tts with a
// MessagePack (or JSON) body and the model header, the realtime socket
// /v1/tts/live in MessagePack, and GET /model. Errors are
// {"message": …, "status": …}.
type fake struct {
	key string
	// finishError makes the socket end with finish reason "error".
	finishError bool

	mu    sync.Mutex
	start []byte // the last socket's start request, as MessagePack
}

// lastStart returns the request of the last socket's start event.
func (f *fake) lastStart() []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.start
}

var modelIDs = []string{"s1", "s2-pro", "s2.1-pro", "s2.1-pro-free"}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !providertest.Bearer(r, f.key) {
		// The upgrade request is refused the same way (UNCONFIRMED).
		given := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		writeJSON(w, 401, map[string]any{"message": "Invalid Token " + given, "status": 401})
		return
	}
	switch {
	case r.Method == "GET" && r.URL.Path == "/v1/tts/live":
		f.socket(w, r)
	case r.Method == "POST" && r.URL.Path == "/v1/tts":
		f.tts(w, r)
	case r.Method == "GET" && r.URL.Path == "/model":
		f.models(w, r)
	default:
		writeJSON(w, 404, map[string]any{"message": "Not Found", "status": 404})
	}
}

// WriteError answers {"message": …, "status": …}.
func (f *fake) WriteError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]any{"message": message, "status": status})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

type entity struct {
	ID        string   `json:"_id"`
	Type      string   `json:"type"`
	Title     string   `json:"title"`
	State     string   `json:"state"`
	Languages []string `json:"languages"`
	Self      bool     `json:"-"`
}

var library = []entity{
	{ID: "own0000000000000000000000000001", Type: "tts", Title: "My narrator", State: "trained", Languages: []string{"en"}, Self: true},
	{ID: "own0000000000000000000000000002", Type: "tts", Title: "Still training", State: "training", Self: true},
	{ID: "pub0000000000000000000000000001", Type: "tts", Title: "Energetic Male", State: "trained", Languages: []string{"en"}},
	{ID: "pub0000000000000000000000000002", Type: "tts", Title: "Narradora", State: "trained", Languages: []string{"es"}},
	{ID: "pub0000000000000000000000000003", Type: "svc", Title: "Singer", State: "trained", Languages: []string{"en"}},
	{ID: "pub0000000000000000000000000004", Type: "tts", Title: "Calm Narrator", State: "trained", Languages: []string{"en", "zh"}},
}

func (f *fake) models(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	size, _ := strconv.Atoi(q.Get("page_size"))
	page, _ := strconv.Atoi(q.Get("page_number"))
	if size == 0 {
		size = 10
	}
	if page == 0 {
		page = 1
	}
	if size < 1 || size > 100 || page < 1 {
		writeJSON(w, 422, map[string]any{"message": "page_size must be 1–100, page_number ≥ 1", "status": 422})
		return
	}
	self := q.Get("self") == "true"
	var match []map[string]any
	for _, e := range library {
		if e.Self != self {
			continue
		}
		if t := q.Get("title"); t != "" && !strings.Contains(strings.ToLower(e.Title), strings.ToLower(t)) {
			continue
		}
		if l := q.Get("language"); l != "" && !slices.Contains(e.Languages, l) {
			continue
		}
		match = append(match, map[string]any{"_id": e.ID, "type": e.Type, "title": e.Title, "state": e.State,
			"languages": e.Languages, "tags": []string{}, "visibility": "public", "author": map[string]any{"_id": "a1", "nickname": "fish"}})
	}
	total := len(match)
	start := min((page-1)*size, total)
	end := min(start+size, total)
	writeJSON(w, 200, map[string]any{"total": total, "items": match[start:end], "has_more": end < total})
}

// decode reads a TTSRequest body in MessagePack or JSON, refusing unknown
// fields, and returns what is wrong in words.
func decode(ctype string, body []byte) (map[string]any, string) {
	var m map[string]any
	switch providertest.MediaType(ctype) {
	case "application/msgpack":
		if err := msgpack.Unmarshal(body, &m); err != nil {
			return nil, "invalid msgpack body: " + err.Error()
		}
	case "application/json":
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, "invalid json body: " + err.Error()
		}
		if _, ok := m["references"]; ok {
			return nil, "references need a MessagePack body" // per the spec; UNCONFIRMED for JSON
		}
	default:
		return nil, "Content-Type must be application/json or application/msgpack"
	}
	return m, checkRequest(m, true)
}

var known = []string{"text", "reference_id", "references", "format", "sample_rate", "mp3_bitrate", "opus_bitrate", "latency",
	"chunk_length", "normalize", "prosody", "temperature", "top_p", "max_new_tokens", "repetition_penalty",
	"min_chunk_length", "condition_on_previous_chunks", "early_stop_threshold", "features"}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int8, int16, int32, int64, int, uint8, uint16, uint32, uint64:
		f, _ := strconv.ParseFloat(fmt.Sprint(x), 64)
		return f, true
	}
	return 0, false
}

func checkRequest(m map[string]any, needText bool) string {
	for k := range m {
		if !slices.Contains(known, k) {
			return "unknown field " + k
		}
	}
	text, _ := m["text"].(string)
	if needText && text == "" {
		return "text is required"
	}
	format := "mp3"
	if v, ok := m["format"]; ok {
		format, _ = v.(string)
	}
	if !slices.Contains([]string{"wav", "pcm", "mp3", "opus"}, format) {
		return "format must be one of wav, pcm, mp3, opus"
	}
	rng := func(k string, lo, hi float64) string {
		if v, ok := m[k]; ok {
			f, isNum := num(v)
			if !isNum || f < lo || f > hi {
				return fmt.Sprintf("%s must be between %g and %g", k, lo, hi)
			}
		}
		return ""
	}
	for _, c := range []string{rng("chunk_length", 100, 300), rng("temperature", 0, 1), rng("top_p", 0, 1)} {
		if c != "" {
			return c
		}
	}
	if v, ok := m["mp3_bitrate"]; ok {
		if f, _ := num(v); f != 64 && f != 128 && f != 192 {
			return "mp3_bitrate must be 64, 128 or 192"
		}
	}
	if v, ok := m["opus_bitrate"]; ok {
		if f, _ := num(v); !slices.Contains([]float64{-1000, 24000, 32000, 48000, 64000}, f) {
			return "opus_bitrate must be -1000, 24000, 32000, 48000 or 64000"
		}
	}
	if v, ok := m["latency"]; ok && !slices.Contains([]any{"low", "normal", "balanced"}, v) {
		return "latency must be low, normal or balanced"
	}
	if v, ok := m["prosody"]; ok {
		p, _ := v.(map[string]any)
		if s, ok := num(p["speed"]); !ok || s < 0.5 || s > 2 {
			return "prosody.speed must be between 0.5 and 2.0"
		}
	}
	if v, ok := m["references"]; ok {
		refs, _ := v.([]any)
		for _, r := range refs {
			ref, _ := r.(map[string]any)
			if _, isBin := ref["audio"].([]byte); !isBin {
				return "references[].audio must be binary"
			}
			if t, _ := ref["text"].(string); t == "" {
				return "references[].text is required"
			}
		}
	}
	if v, ok := m["reference_id"]; ok {
		id, _ := v.(string)
		if !slices.ContainsFunc(library, func(e entity) bool { return e.ID == id }) {
			return "reference_id " + id + " does not exist"
		}
	}
	return ""
}

func encodingFor(m map[string]any) audio.Encoding {
	f, _ := m["format"].(string)
	enc, _ := encodingOf(f, 0)
	if f == "" {
		enc = audio.MP3
	}
	return enc
}

func (f *fake) tts(w http.ResponseWriter, r *http.Request) {
	if model := r.Header.Get("model"); !slices.Contains(modelIDs, model) {
		// The spec falls back to s2.1-pro; the guide says the header is
		// required on every request, so the fake insists.
		f.WriteError(w, 400, fmt.Sprintf("model header must be one of %v, got %q", modelIDs, model))
		return
	}
	body, _ := io.ReadAll(r.Body)
	m, problem := decode(r.Header.Get("Content-Type"), body)
	if problem != "" {
		f.WriteError(w, 400, problem)
		return
	}
	data := providertest.Fixture(encodingFor(m))
	providertest.WriteChunks(w, data, len(data)/8+1)
}

// socket is /v1/tts/live: start (the whole request, text ""), text, flush,
// stop → audio events, then finish and close.
func (f *fake) socket(w http.ResponseWriter, r *http.Request) {
	model := r.Header.Get("model")
	if model != "" && !slices.Contains(modelIDs, model) {
		f.WriteError(w, 400, "unknown model "+model)
		return
	}
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer conn.CloseNow()
	conn.SetReadLimit(16 << 20)
	ctx := r.Context()
	var req map[string]any
	var text bytes.Buffer
	for {
		typ, data, err := conn.Read(ctx)
		if err != nil {
			return
		}
		if typ != websocket.MessageBinary {
			conn.Close(websocket.StatusUnsupportedData, "frames must be binary MessagePack")
			return
		}
		var ev map[string]any
		if err := msgpack.Unmarshal(data, &ev); err != nil {
			conn.Close(websocket.StatusInvalidFramePayloadData, "invalid msgpack")
			return
		}
		switch ev["event"] {
		case "start":
			if req != nil {
				conn.Close(websocket.StatusPolicyViolation, "start sent twice")
				return
			}
			req, _ = ev["request"].(map[string]any)
			b, _ := msgpack.Marshal(req)
			f.mu.Lock()
			f.start = b
			f.mu.Unlock()
			if req == nil {
				conn.Close(websocket.StatusPolicyViolation, "start needs a request")
				return
			}
			if problem := checkRequest(req, false); problem != "" {
				f.finish(conn, "error")
				return
			}
		case "text":
			if req == nil {
				conn.Close(websocket.StatusPolicyViolation, "start must come first")
				return
			}
			s, _ := ev["text"].(string)
			text.WriteString(s)
		case "flush":
		case "stop":
			if req == nil || text.Len() == 0 || f.finishError {
				f.finish(conn, "error")
				return
			}
			for _, chunk := range providertest.Split(providertest.Fixture(encodingFor(req)), 8) {
				b, _ := msgpack.Marshal(map[string]any{"event": "audio", "audio": chunk})
				if conn.Write(ctx, websocket.MessageBinary, b) != nil {
					return
				}
			}
			f.finish(conn, "stop")
			return
		default:
			conn.Close(websocket.StatusPolicyViolation, "unknown event")
			return
		}
	}
}

func (f *fake) finish(conn *websocket.Conn, reason string) {
	b, _ := msgpack.Marshal(map[string]any{"event": "finish", "reason": reason})
	conn.Write(context.Background(), websocket.MessageBinary, b)
	conn.Close(websocket.StatusNormalClosure, "")
}

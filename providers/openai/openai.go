// Package openai talks the OpenAI text-to-speech contract (POST
// /audio/speech) for three kinds of service: OpenAI itself ("openai"), the
// Infery gateway ("infery"), and user-defined OpenAI-compatible endpoints
// such as Kokoro-FastAPI or LocalAI (see Profile and RegisterProfile).
//
// Wire contract: docs/providers/openai.md.
package openai

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"chorus/audio"
	"chorus/providers"
	"chorus/providers/httpx"
)

// flavor is what differs between services that share the contract.
type flavor struct {
	info providers.Info
	caps providers.Capabilities
	// voices lists the built-in voices for a model ID.
	voices func(model string) []providers.Voice
	// sse reports whether a model takes stream_format "sse".
	sse func(model string) bool
	// isTTS keeps the TTS models of a GET /models answer; nil keeps all.
	isTTS func(id string) bool
	// discover asks the server for voices (GET /audio/voices) first.
	discover bool
	// pcmRate is the sample rate of "pcm" output.
	pcmRate int
	// customVoices sends a voice ID starting "voice_" as the custom voice
	// reference {"id": …} the spec describes.
	customVoices bool
	// wrap, if set, adjusts the configuration before use.
	wrap func(providers.Config) providers.Config
}

// provider is one configured service.
type provider struct {
	flavor
	httpx.Base

	mu         sync.Mutex
	discovered []providers.Voice // voices the server listed, once it has
}

func newProvider(f flavor, cfg providers.Config) (*provider, error) {
	if f.wrap != nil {
		cfg = f.wrap(cfg)
	}
	b, err := httpx.NewBase(cfg, httpx.Options{Info: f.info}, f.caps)
	if err != nil {
		return nil, err
	}
	return &provider{flavor: f, Base: b}, nil
}

// Voices lists the voices for model: the server's own list for custom
// endpoints that offer one, else the built-in list.
func (p *provider) Voices(ctx context.Context, model string) ([]providers.Voice, error) {
	if model == "" {
		model = p.caps.DefaultModel()
	}
	if !p.discover {
		return p.voices(model), nil
	}
	p.mu.Lock()
	cached := p.discovered
	p.mu.Unlock()
	if cached != nil {
		return cached, nil
	}
	var raw any
	err := p.Client.JSON(ctx, httpx.Request{Path: "/audio/voices"}, &raw)
	found := parseVoices(raw)
	if err != nil || len(found) == 0 {
		if fixed := p.voices(model); len(fixed) > 0 || err == nil {
			return fixed, nil
		}
		return nil, err
	}
	p.mu.Lock()
	p.discovered = found
	p.mu.Unlock()
	return found, nil
}

// Models lists the TTS models the service reports at GET /models.
func (p *provider) Models(ctx context.Context) ([]providers.Model, error) {
	var raw any
	if err := p.Client.JSON(ctx, httpx.Request{Path: "/models"}, &raw); err != nil {
		return nil, err
	}
	var out []providers.Model
	for _, id := range parseIDs(raw, "data", "models") {
		if p.isTTS != nil && !p.isTTS(id) {
			continue
		}
		m, ok := p.model(id)
		if !ok {
			m = providers.Model{ID: id}
		}
		out = append(out, m)
	}
	if len(out) == 0 {
		return p.caps.Models, nil
	}
	return out, nil
}

// CheckKey verifies the key with GET /models, which needs authentication
// and costs nothing.
func (p *provider) CheckKey(ctx context.Context) error {
	var raw any
	return p.Client.JSON(ctx, httpx.Request{Path: "/models"}, &raw)
}

func (p *provider) model(id string) (providers.Model, bool) {
	i := slices.IndexFunc(p.caps.Models, func(m providers.Model) bool { return m.ID == id })
	if i < 0 {
		return providers.Model{}, false
	}
	return p.caps.Models[i], true
}

// MaxInstructions is the most characters "instructions" takes (the
// spec's maxLength, the same as the input's).
const MaxInstructions = 4096

// speechRequest is CreateSpeechRequest. The spec has
// additionalProperties: false, so nothing else may be sent.
type speechRequest struct {
	Model string `json:"model"`
	Input string `json:"input"`
	Voice any    `json:"voice"` // a built-in name, or customVoice

	Instructions   string   `json:"instructions,omitempty"`
	ResponseFormat string   `json:"response_format"`
	Speed          *float64 `json:"speed,omitempty"`
	StreamFormat   string   `json:"stream_format,omitempty"`
}

// customVoice is VoiceIdsOrCustomVoice's custom voice reference.
type customVoice struct {
	ID string `json:"id"`
}

// CheckRequest refuses instructions that are too long, or given to a model
// that does not take them.
func (p *provider) CheckRequest(req providers.Request) error {
	id := p.info.ID
	if n := utf8.RuneCountInString(req.Instructions); n > MaxInstructions {
		return &providers.Error{Provider: id, Kind: providers.KindValidation,
			Message: fmt.Sprintf("the instructions have %d characters; %s takes at most %d", n, p.info.Name, MaxInstructions),
			Hint:    "shorten the instructions: describe the voice and style, not the text"}
	}
	if m, ok := p.model(req.Model); ok && req.Instructions != "" && !m.Instructions {
		var with []string
		for _, m := range p.caps.Models {
			if m.Instructions {
				with = append(with, m.ID)
			}
		}
		hint := "clear the instructions"
		if len(with) > 0 {
			hint += " or use " + strings.Join(with, ", ")
		}
		return &providers.Error{Provider: id, Kind: providers.KindValidation,
			Message: fmt.Sprintf("model %s does not take instructions", req.Model), Hint: hint}
	}
	return nil
}

// Synthesize sends a prepared request (see providers.Prepare) as POST /audio/speech. Streaming requests to models that
// support it use stream_format "sse"; everything else is the audio file
// itself, read as it arrives.
func (p *provider) Synthesize(ctx context.Context, req providers.Request) (*providers.Audio, error) {
	id := p.info.ID
	if req.Voice == "" {
		vs, _ := p.Voices(ctx, req.Model)
		if len(vs) == 0 {
			return nil, &providers.Error{Provider: id, Kind: providers.KindValidation,
				Message: fmt.Sprintf("no voice chosen and %s lists none for model %q", p.info.Name, req.Model),
				Hint:    "type the name of a voice the server knows"}
		}
		req.Voice = vs[0].ID
	}
	enc, format := encoding(req.Format, p.pcmRate)
	body := speechRequest{Model: req.Model, Input: req.Text, Voice: req.Voice,
		Instructions: req.Instructions, ResponseFormat: req.Format}
	if p.customVoices && strings.HasPrefix(req.Voice, "voice_") {
		body.Voice = customVoice{ID: req.Voice}
	}
	if req.Speed != 1 {
		body.Speed = &req.Speed
	}
	var decode httpx.Decoder
	if !req.Batch && p.sse != nil && p.sse(req.Model) {
		body.StreamFormat = "sse"
		decode = p.sseAudio
	}
	resp, err := p.Client.Audio(ctx, httpx.Request{
		Path: "/audio/speech", Body: body,
		// The official SDKs send this Accept, for SSE too.
		Header: http.Header{"Accept": {"application/octet-stream"}},
	}, enc, decode)
	if err != nil {
		return nil, err
	}
	return &providers.Audio{Body: resp.Body, Encoding: enc, Format: format, Requests: resp.Requests}, nil
}

// encoding maps response_format to how the bytes decode. Unknown names
// (custom endpoints) are passed through as the encoding of the same name.
func encoding(format string, pcmRate int) (audio.Encoding, audio.Format) {
	switch format {
	case "pcm":
		// OpenAI: "raw samples in 24kHz (16-bit signed, low-endian)"; mono
		// is corroborated, not stated.
		return audio.PCM, audio.Format{SampleRate: pcmRate, Channels: 1}
	case "opus":
		return audio.Opus, audio.Format{} // Ogg Opus
	}
	return audio.Encoding(format), audio.Format{}
}

// sseAudio decodes stream_format "sse": speech.audio.delta events carry
// base64 audio, speech.audio.done (or [DONE], or the end of the stream)
// ends it. Framing is UNCONFIRMED, so event: lines are ignored and unknown
// event types skipped; an "error" event becomes the error of the stream.
func (p *provider) sseAudio(body io.Reader) io.Reader {
	events := httpx.NewSSEReader(body)
	return httpx.ChunkReader(func() ([]byte, error) {
		ev, err := events.Next()
		if err != nil {
			return nil, err
		}
		var m struct {
			Type  string `json:"type"`
			Audio string `json:"audio"`
		}
		if err := json.Unmarshal(ev.Data, &m); err != nil {
			return nil, fmt.Errorf("unreadable event %.40q: %v", ev.Data, err)
		}
		switch {
		case m.Type == "speech.audio.delta":
			b, err := base64.StdEncoding.DecodeString(m.Audio)
			if err != nil {
				return nil, fmt.Errorf("bad base64 audio in an event: %v", err)
			}
			return b, nil
		case m.Type == "speech.audio.done":
			return nil, io.EOF
		case m.Type == "error" || ev.Name == "error":
			code, msg := httpx.ErrorMessage(ev.Data)
			return nil, p.Client.NewError(providers.KindServer, 0, code, msg)
		}
		return nil, nil
	})
}

// parseVoices reads the voice lists OpenAI-compatible servers send:
// {"voices":["af_bella",…]} (Kokoro-FastAPI), {"voices":[{"id":…,"name":…}]},
// {"data":[…]} or a bare list.
func parseVoices(raw any) []providers.Voice {
	var out []providers.Voice
	for _, item := range listOf(raw, "voices", "data") {
		switch v := item.(type) {
		case string:
			out = append(out, providers.Voice{ID: v})
		case map[string]any:
			voice := providers.Voice{ID: str(v, "id", "voice_id", "name"), Name: str(v, "name", "display_name"),
				Language: str(v, "language", "lang", "locale"), Gender: strings.ToLower(str(v, "gender"))}
			if voice.ID != "" {
				out = append(out, voice)
			}
		}
	}
	return out
}

// parseIDs reads model IDs from {"data":[{"id":…}]}, {"models":[…]} or a list.
func parseIDs(raw any, keys ...string) []string {
	var out []string
	for _, item := range listOf(raw, keys...) {
		switch v := item.(type) {
		case string:
			out = append(out, v)
		case map[string]any:
			if id := str(v, "id", "name"); id != "" {
				out = append(out, id)
			}
		}
	}
	return out
}

func listOf(raw any, keys ...string) []any {
	switch v := raw.(type) {
	case []any:
		return v
	case map[string]any:
		for _, k := range keys {
			if l, ok := v[k].([]any); ok {
				return l
			}
		}
	}
	return nil
}

func str(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := m[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

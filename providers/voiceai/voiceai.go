// Package voiceai is the Voice.ai text-to-speech provider, over three
// transports: the single-context WebSocket /api/v1/tts/stream ("ws", the
// lowest latency and the default), HTTP chunked streaming
// /api/v1/tts/speech/stream ("stream") and whole files from
// /api/v1/tts/speech ("http").
//
// Wire contract: docs/providers/voiceai.md (OpenAPI 1.5.0).
package voiceai

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/coder/websocket"

	"chorus/audio"
	"chorus/providers"
	"chorus/providers/httpx"
)

// ID is the provider ID.
const ID = "voiceai"

// The transports, lowest latency first.
const (
	TransportWS     = "ws"
	TransportStream = "stream"
	TransportHTTP   = "http"
)

// The models; with none chosen, English uses ModelEnglish and every other
// language ModelMultilingual, as the service itself does.
const (
	ModelEnglish      = "voiceai-tts-v1-latest"
	ModelMultilingual = "voiceai-tts-multilingual-v1-latest"
)

// Request.Options keys.
const (
	OptionTemperature  = "temperature"
	OptionTopP         = "top_p"
	OptionDictionaryID = "dictionary_id"
	// OptionDictionaryVersion pins a version of the dictionary (1 or more;
	// unset: the latest).
	OptionDictionaryVersion = "dictionary_version"
)

var info = providers.Info{
	ID: ID, Name: "Voice.ai",
	Description:    "Voice.ai voices and your clones, streamed over WebSocket",
	NeedsKey:       true,
	DefaultBaseURL: "https://dev.voice.ai", // "dev.voice.ai" is production
	Website:        "https://voice.ai/app/dashboard/developers",
}

// formats lists every documented audio_format: the basic ones (32 kHz) first,
// mp3 being the service's default.
var formats = []string{
	"mp3", "wav", "pcm",
	"mp3_22050_32", "mp3_24000_48", "mp3_44100_32", "mp3_44100_64", "mp3_44100_96", "mp3_44100_128", "mp3_44100_192",
	"opus_48000_32", "opus_48000_64", "opus_48000_96", "opus_48000_128", "opus_48000_192",
	"pcm_8000", "pcm_16000", "pcm_22050", "pcm_24000", "pcm_32000", "pcm_44100", "pcm_48000",
	"wav_16000", "wav_22050", "wav_24000",
	"ulaw_8000", "alaw_8000",
}

var caps = providers.Capabilities{
	Models: []providers.Model{
		{ID: ModelEnglish, Name: "Voice.ai TTS v1", Description: "English; chosen automatically for en"},
		{ID: ModelMultilingual, Name: "Voice.ai TTS v1 multilingual", Description: "ca sv es fr de it pt pl ru nl; chosen automatically for them"},
		{ID: "voiceai-tts-v1-2026-02-10", Name: "Voice.ai TTS v1 (2026-02-10)", Description: "pinned English model"},
		{ID: "voiceai-tts-multilingual-v1-2026-02-10", Name: "Voice.ai TTS v1 multilingual (2026-02-10)", Description: "pinned multilingual model"},
	},
	ClosedModels: true,
	Formats:      formats,
	// The rate is part of the format name; there is no speed setting.
	// Free plans take 500 characters per conversion, paid plans 5,000.
	MaxChars:   5000,
	Streaming:  true,
	Languages:  []string{"en", "ca", "sv", "es", "fr", "de", "it", "pt", "pl", "ru", "nl"},
	Transports: []string{TransportWS, TransportStream, TransportHTTP},
	Options: []providers.Option{
		{Key: OptionTemperature, Label: "Temperature", Help: "higher is more varied, lower more stable",
			Range: &providers.Range{Min: 0, Max: 2, Default: 1}, Default: "1"},
		{Key: OptionTopP, Label: "Top P", Help: "nucleus sampling; lower is more conservative",
			Range: &providers.Range{Min: 0, Max: 1, Default: 0.8}, Default: "0.8"},
		{Key: OptionDictionaryID, Label: "Pronunciation dictionary", Help: "ID of a managed pronunciation dictionary"},
		{Key: OptionDictionaryVersion, Label: "Dictionary version", Help: "a whole number from 1; empty uses the latest version",
			Range: &providers.Range{Min: 1, Max: maxDictionaryVersion}},
	},
}

func init() {
	providers.Register(providers.Registration{Info: info, Capabilities: caps, New: New, Order: 45})
}

// maxDictionaryVersion bounds the option's range; the spec sets only the
// minimum.
const maxDictionaryVersion = 1_000_000

// Provider talks to Voice.ai.
type Provider struct {
	httpx.Base
}

// New builds the provider.
func New(cfg providers.Config) (providers.Provider, error) {
	b, err := httpx.NewBase(cfg, httpx.Options{Info: info}, caps)
	if err != nil {
		return nil, err
	}
	return &Provider{Base: b}, nil
}

// Voices lists the caller's voices (GET /api/v1/tts/voices). The answer's
// shape is UNCONFIRMED: a bare array and {"voices": [...]} are both read.
// Voices still being cloned or that failed are left out. With no voice
// chosen, the service uses its default voice.
func (p *Provider) Voices(ctx context.Context, model string) ([]providers.Voice, error) {
	var raw json.RawMessage
	if err := p.Client.JSON(ctx, httpx.Request{Path: "/api/v1/tts/voices"}, &raw); err != nil {
		return nil, err
	}
	return parseVoices(raw), nil
}

type voiceEntry struct {
	VoiceID    string `json:"voice_id"`
	ID         string `json:"id"`
	Name       string `json:"name"`
	Language   string `json:"language"`
	Status     string `json:"status"`
	Visibility string `json:"visibility"`
}

func parseVoices(raw []byte) []providers.Voice {
	var list []voiceEntry
	if err := json.Unmarshal(raw, &list); err != nil {
		var wrapped struct {
			Voices []voiceEntry `json:"voices"`
		}
		json.Unmarshal(raw, &wrapped)
		list = wrapped.Voices
	}
	var out []providers.Voice
	for _, v := range list {
		id := v.VoiceID
		if id == "" {
			id = v.ID
		}
		if id == "" {
			continue
		}
		switch strings.ToUpper(v.Status) {
		case "", "AVAILABLE":
		default:
			continue // PENDING, PROCESSING, FAILED: not usable yet
		}
		out = append(out, providers.Voice{ID: id, Name: v.Name, Language: v.Language,
			Description: strings.ToLower(v.Visibility)})
	}
	return out
}

// CheckKey lists the voices, which needs a valid key and costs nothing.
func (p *Provider) CheckKey(ctx context.Context) error {
	var raw json.RawMessage
	return p.Client.JSON(ctx, httpx.Request{Path: "/api/v1/tts/voices"}, &raw)
}

// speechRequest is GenerateSpeechRequest; the WebSocket init message adds
// flush.
type speechRequest struct {
	Text         string   `json:"text"`
	VoiceID      string   `json:"voice_id,omitempty"`
	AudioFormat  string   `json:"audio_format"`
	Temperature  *float64 `json:"temperature,omitempty"`
	TopP         *float64 `json:"top_p,omitempty"`
	Model        string   `json:"model"`
	Language     string   `json:"language,omitempty"`
	DictionaryID string   `json:"dictionary_id,omitempty"`
	DictVersion  int      `json:"dictionary_version,omitempty"`
	Flush        *bool    `json:"flush,omitempty"`
}

// Defaults picks the model by language when none is chosen: the English
// model for English or no language, the multilingual one otherwise.
func (p *Provider) Defaults(req providers.Request) providers.Request {
	if req.Model == "" {
		req.Model = ModelEnglish
		if req.Language != "" && req.Language != "en" {
			req.Model = ModelMultilingual
		}
	}
	return req
}

// CheckRequest refuses a dictionary version that is not a whole number.
func (p *Provider) CheckRequest(req providers.Request) error {
	if v, ok := req.Options[OptionDictionaryVersion]; ok {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err != nil || n < 1 {
			return providers.Invalid(ID, "option %s needs a whole number from 1 to %d, not %q", OptionDictionaryVersion, maxDictionaryVersion, v)
		}
	}
	return nil
}

// Synthesize sends a prepared request (see providers.Prepare) over its
// transport.
func (p *Provider) Synthesize(ctx context.Context, req providers.Request) (*providers.Audio, error) {
	body := speechRequest{Text: req.Text, VoiceID: req.Voice, AudioFormat: req.Format, Model: req.Model,
		Language: req.Language, DictionaryID: req.Options[OptionDictionaryID]}
	if v, ok := req.Options[OptionDictionaryVersion]; ok {
		body.DictVersion, _ = strconv.Atoi(strings.TrimSpace(v)) // CheckRequest checked it
	}
	body.Temperature = number(req.Options, OptionTemperature)
	body.TopP = number(req.Options, OptionTopP)
	enc, format := Encoding(req.Format)

	var resp *httpx.Response
	var err error
	switch req.Transport {
	case TransportWS:
		flush := true
		body.Flush = &flush
		resp, err = p.Client.WebSocket(ctx, httpx.Request{Path: "/api/v1/tts/stream"}, enc, p.session(body))
	case TransportStream:
		resp, err = p.Client.Audio(ctx, httpx.Request{Path: "/api/v1/tts/speech/stream", Body: body}, enc, nil)
	default:
		resp, err = p.Client.Audio(ctx, httpx.Request{Path: "/api/v1/tts/speech", Body: body}, enc, nil)
	}
	if err != nil {
		return nil, explain(err)
	}
	return &providers.Audio{Body: resp.Body, Encoding: enc, Format: format, Requests: resp.Requests}, nil
}

func number(opts map[string]string, key string) *float64 {
	v, ok := opts[key]
	if !ok {
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return nil // Validate has already refused it
	}
	return &f
}

// Encoding maps an audio_format to how its bytes decode: the codec from the
// prefix, and for headerless formats the rate from the name (the basic
// formats are 32 kHz). Opus is taken to be Ogg Opus (container UNCONFIRMED).
func Encoding(format string) (audio.Encoding, audio.Format) {
	name, rest, _ := strings.Cut(format, "_")
	rate := 32000
	if r, _, _ := strings.Cut(rest, "_"); r != "" {
		if n, err := strconv.Atoi(r); err == nil {
			rate = n
		}
	}
	mono := audio.Format{SampleRate: rate, Channels: 1}
	switch name {
	case "mp3":
		return audio.MP3, audio.Format{}
	case "wav":
		return audio.WAV, audio.Format{}
	case "opus":
		return audio.Opus, audio.Format{}
	case "ulaw":
		return audio.MuLaw, mono
	case "alaw":
		return audio.ALaw, mono
	}
	return audio.PCM, mono // raw s16le mono
}

// closeMeanings are the close codes of /api/v1/tts/stream, which reports
// errors only that way.
var closeMeanings = httpx.CloseMessages{
	websocket.StatusUnsupportedData: {Kind: providers.KindValidation,
		Message: "Voice.ai did not accept the message type (it takes JSON text frames)"},
	websocket.StatusInvalidFramePayloadData: {Kind: providers.KindValidation,
		Message: "Voice.ai found the request invalid"},
	websocket.StatusPolicyViolation: {Kind: providers.KindValidation,
		Message: "Voice.ai refused the request (API key, text length, credits or parameters)"},
	websocket.StatusInternalError: {Kind: providers.KindServer,
		Message: "Voice.ai failed to generate the speech", Retry: true},
}

const quotaHint = "Add credits to your Voice.ai account, then try again"

// explain reports HTTP 402 (insufficient credits) as what it is: the
// account is out of credits, which waiting does not cure.
func explain(err error) error {
	var pe *providers.Error
	if errors.As(err, &pe) && pe.Status == 402 {
		pe.Kind = providers.KindQuota
		pe.Hint = quotaHint
	}
	return err
}

// closeError maps a close to an error and sharpens the 1008 cases whose
// reason says which policy failed.
func (p *Provider) closeError(err error) *providers.Error {
	e := p.Client.CloseError(err, closeMeanings)
	if e == nil || websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
		return e
	}
	var ce websocket.CloseError
	errors.As(err, &ce)
	reason := strings.ToLower(ce.Reason)
	switch {
	case e.Kind == providers.KindAuth:
		// the hint already names the key setting
	case strings.Contains(reason, "credit") || strings.Contains(reason, "quota") || strings.Contains(reason, "balance"):
		e.Kind = providers.KindQuota
		e.Hint = quotaHint
	case strings.Contains(reason, "too long") || strings.Contains(reason, "length") || strings.Contains(reason, "characters"):
		e.Hint = "Shorten the text or split it; free plans take 500 characters per request"
	}
	return e
}

// wsMessage is one server message: {"audio": "<base64>"} or {"is_last": true}.
// "error" appears only on the multi-context socket; it is read here too in
// case the single-context one sends it (UNCONFIRMED).
type wsMessage struct {
	Audio  string `json:"audio"`
	IsLast bool   `json:"is_last"`
	Error  any    `json:"error"`
}

// session sends the init message (with flush: true, which starts
// generation) and reads audio until is_last.
func (p *Provider) session(first speechRequest) httpx.WSSession {
	return func(ctx context.Context, conn *websocket.Conn) (func() ([]byte, error), error) {
		msg, err := json.Marshal(first)
		if err != nil {
			return nil, err
		}
		if err := conn.Write(ctx, websocket.MessageText, msg); err != nil {
			return nil, err
		}
		started, last := false, false
		next := func() ([]byte, error) {
			if last {
				return nil, io.EOF
			}
			_, data, err := conn.Read(ctx)
			if err != nil {
				if e := p.closeError(err); e != nil {
					return nil, e
				}
				if websocket.CloseStatus(err) == websocket.StatusNormalClosure {
					if !started {
						return nil, io.EOF // closed without audio: httpx reports the empty answer
					}
					return nil, errors.New("Voice.ai closed the connection before the last chunk")
				}
				return nil, err
			}
			var m wsMessage
			if err := json.Unmarshal(data, &m); err != nil {
				return nil, fmt.Errorf("unreadable message %.40q: %v", data, err)
			}
			if m.Error != nil {
				_, text := httpx.ErrorMessage(data)
				return nil, p.Client.NewError(providers.KindServer, 0, "", text)
			}
			var chunk []byte
			if m.Audio != "" {
				chunk, err = base64.StdEncoding.DecodeString(m.Audio)
				if err != nil {
					return nil, fmt.Errorf("bad base64 audio in a message: %v", err)
				}
				started = true
			}
			if m.IsLast {
				last = true
				if len(chunk) == 0 {
					return nil, io.EOF
				}
			}
			return chunk, nil
		}
		return next, nil
	}
}

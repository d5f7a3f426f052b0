// Package airefinery is the Accenture AI Refinery text-to-speech provider
// (Azure AI Speech behind POST /v1/audio/speech), with optional word
// boundaries.
//
// Wire contract: docs/providers/airefinery.md (SDK v1.16+ era).
package airefinery

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"chorus/audio"
	"chorus/audio/codec"
	"chorus/providers"
	"chorus/providers/httpx"
)

// ID is the provider ID.
const ID = "airefinery"

// Model is the one model the service documents.
const Model = "Azure/AI-Speech"

// sdkVersion mimics the header the official SDK sends; whether the server
// needs it is UNCONFIRMED.
const sdkVersion = "1.32.0"

// OptionWordBoundaries is the Request.Options key that asks for word
// boundaries ("on" or "off"); they arrive on Audio.Words.
const OptionWordBoundaries = "word_boundaries"

var info = providers.Info{
	ID: ID, Name: "Accenture AI Refinery",
	Description:    "Azure neural voices through Accenture AI Refinery",
	NeedsKey:       true,
	DefaultBaseURL: "https://api.airefinery.accenture.com",
	Website:        "https://sdk.airefinery.accenture.com",
}

var caps = providers.Capabilities{
	Models: []providers.Model{{ID: Model, Name: "Azure AI Speech", Description: "140+ languages, 500+ neural voices"}},
	// The docs list wav, mp3, pcm, opus with wav as the default.
	Formats:           []string{"wav", "mp3", "pcm", "opus"},
	SampleRates:       []int{8000, 16000, 22050, 24000, 44100, 48000},
	DefaultSampleRate: 24000,
	Speed:             providers.Range{Min: 0.25, Max: 4, Default: 1},
	// Input length, rate limits and concurrency are not documented.
	Streaming: true,
	Options: []providers.Option{{
		Key: OptionWordBoundaries, Label: "Word timings",
		Help:    "ask for word boundaries, for highlighting and subtitles",
		Choices: []string{"off", "on"}, Default: "off",
	}},
}

func init() {
	providers.Register(providers.Registration{Info: info, Capabilities: caps, New: New, Order: 30})
}

// Provider talks to AI Refinery.
type Provider struct {
	httpx.Base
	warning string // set when the base URL had to be corrected
}

// Warning says what was corrected in the configuration, or "".
func (p *Provider) Warning() string { return p.warning }

// New builds the provider. A legacy ".../inference" base URL is corrected,
// and Warning says so (the GUI and the CLI show it).
func New(cfg providers.Config) (providers.Provider, error) {
	var warning string
	if cfg.BaseURL != "" {
		cfg.BaseURL, warning = NormalizeBaseURL(cfg.BaseURL)
	}
	b, err := httpx.NewBase(cfg, httpx.Options{Info: info, Header: http.Header{"sdk_version": {sdkVersion}}}, caps)
	if err != nil {
		return nil, err
	}
	return &Provider{Base: b, warning: warning}, nil
}

// NormalizeBaseURL fixes a base URL pasted from older AI Refinery
// material: SDKs before v1.16 used "<base>/inference", and some users paste
// a "/v1" suffix, but requests now go to "<base>/v1/audio/speech". It
// returns the URL to use and, when it changed something, a warning for the
// settings screen.
func NormalizeBaseURL(raw string) (fixed, warning string) {
	fixed = strings.TrimRight(strings.TrimSpace(raw), "/")
	orig := fixed
	for _, suffix := range []string{"/v1", "/inference", "/audio/speech"} {
		fixed = strings.TrimSuffix(fixed, suffix)
	}
	for _, suffix := range []string{"/v1", "/inference"} {
		fixed = strings.TrimSuffix(fixed, suffix)
	}
	if fixed != orig {
		warning = fmt.Sprintf("The base URL %q looks like an address from an older AI Refinery SDK; Chorus uses %q and adds /v1/audio/speech itself.", orig, fixed)
	}
	return fixed, warning
}

// Voices returns the shipped catalog of common Azure neural voices; the
// service has no listing, and any other Azure voice name typed by the user
// is sent as it is.
func (p *Provider) Voices(ctx context.Context, model string) ([]providers.Voice, error) {
	return Catalog(), nil
}

// Models lists the speech models among GET /v1/models, or the built-in one.
func (p *Provider) Models(ctx context.Context) ([]providers.Model, error) {
	var page struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := p.Client.JSON(ctx, httpx.Request{Path: "/v1/models"}, &page); err != nil {
		return nil, err
	}
	var out []providers.Model
	for _, m := range page.Data {
		id := strings.ToLower(m.ID)
		if strings.Contains(id, "speech") || strings.Contains(id, "tts") {
			if m.ID == Model {
				out = append(out, caps.Models[0])
			} else {
				out = append(out, providers.Model{ID: m.ID})
			}
		}
	}
	if len(out) == 0 {
		return caps.Models, nil
	}
	return out, nil
}

// CheckKey calls POST /authentication/validate, the SDK's key check.
func (p *Provider) CheckKey(ctx context.Context) error {
	resp, err := p.Client.Do(ctx, httpx.Request{Method: http.MethodPost, Path: "/authentication/validate"})
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

type extraBody struct {
	Language           string `json:"speech_synthesis_language,omitempty"`
	SampleRate         int    `json:"sample_rate,omitempty"`
	EnableWordBoundary bool   `json:"enable_word_boundary,omitempty"`
}

// speechRequest is the body the current SDK sends. extra_body is nested
// under its own key (SDK v1.26+), not merged into the top level.
type speechRequest struct {
	Model          string    `json:"model"`
	Input          string    `json:"input"`
	Voice          string    `json:"voice"`
	ResponseFormat string    `json:"response_format"`
	Speed          float64   `json:"speed"`
	Stream         bool      `json:"stream"`
	ExtraBody      extraBody `json:"extra_body"`
}

// Synthesize sends a prepared request (see providers.Prepare) as POST
// /v1/audio/speech with "stream" set unless Request.Batch. With word boundaries on, the answer is JSON (batch) or
// NDJSON (stream); the audio goes to Body and the boundaries to Words.
func (p *Provider) Synthesize(ctx context.Context, req providers.Request) (*providers.Audio, error) {
	if req.Voice == "" {
		req.Voice = DefaultVoice
	}
	words := req.Options[OptionWordBoundaries] == "on"
	lang := req.Language
	if lang == "" {
		lang = voiceLocale(req.Voice)
	}
	body := speechRequest{Model: req.Model, Input: req.Text, Voice: req.Voice, ResponseFormat: req.Format,
		Speed: req.Speed, Stream: !req.Batch,
		ExtraBody: extraBody{Language: lang, SampleRate: req.SampleRate, EnableWordBoundary: words}}
	header := http.Header{}
	if req.Batch {
		header.Set("Accept", "application/octet-stream") // as the SDK does on batch calls only
	}

	enc := encodingOf(req.Format)
	var wb *wordStream // of the latest attempt; a retried attempt's stream is closed and dropped
	var decode httpx.Decoder
	if words {
		decode = func(body io.Reader) io.Reader {
			wb = newWordStream(p.Client)
			if req.Batch {
				return wb.decodeJSON(body)
			}
			return wb.decodeNDJSON(body)
		}
	}
	claimed := enc
	if enc == audio.WAV {
		claimed = "" // a streamed WAV may lack its RIFF header (UNCONFIRMED); sniffed below
	}
	resp, err := p.Client.Audio(ctx, httpx.Request{Path: "/v1/audio/speech", Body: body, Header: header}, claimed, decode)
	if err != nil {
		return nil, err // httpx closed the body, and with it Words
	}
	a := &providers.Audio{Body: resp.Body, Encoding: enc, Requests: resp.Requests}
	if enc == audio.WAV && !bytes.HasPrefix(resp.Head, []byte("RIFF")) && !bytes.HasPrefix(resp.Head, []byte("RF64")) {
		// Headerless: Azure's raw output is s16le mono. Nothing identifies
		// raw samples, so what the Content-Type and first bytes say must
		// not contradict them.
		if err := codec.CheckRaw(resp.Head, audio.PCM, resp.Header.Get("Content-Type"), decode != nil); err != nil {
			resp.Body.Close()
			return nil, p.Client.NewError(providers.KindNotAudio, resp.Status, "", err.Error())
		}
		if _, ok := codec.Sniff(resp.Head); ok { // another container
			resp.Body.Close()
			return nil, p.Client.NewError(providers.KindNotAudio, resp.Status, "", codec.CheckAudio(resp.Head, audio.WAV).Error())
		}
		a.Encoding = audio.PCM
	}
	if a.Encoding == audio.PCM {
		a.Format = audio.Format{SampleRate: req.SampleRate, Channels: 1}
	}
	if wb != nil {
		a.Words = wb.ch
	}
	return a, nil
}

func encodingOf(format string) audio.Encoding {
	switch format {
	case "mp3":
		return audio.MP3
	case "pcm":
		// UNCONFIRMED: Azure's raw formats are all 16-bit mono PCM.
		return audio.PCM
	case "opus":
		return audio.Opus // Azure sends Ogg Opus (UNCONFIRMED for AI Refinery)
	}
	return audio.WAV
}

// voiceLocale takes "en-US" from "en-US-JennyNeural".
func voiceLocale(voice string) string {
	parts := strings.SplitN(voice, "-", 3)
	if len(parts) == 3 && len(parts[0]) >= 2 && len(parts[0]) <= 3 && len(parts[1]) >= 2 {
		return parts[0] + "-" + parts[1]
	}
	return ""
}

// boundary is TTSWordBoundaryEvent.
type boundary struct {
	Text     string  `json:"text"`
	OffsetMS float64 `json:"audio_offset_ms"`
	Duration float64 `json:"duration_ms"`
	Type     string  `json:"boundary_type"`
}

func (b boundary) word() (providers.WordBoundary, bool) {
	if b.Type != "" && b.Type != "word" {
		return providers.WordBoundary{}, false // punctuation and sentence marks are not words
	}
	return providers.WordBoundary{Text: b.Text,
		Offset:   time.Duration(b.OffsetMS * float64(time.Millisecond)),
		Duration: time.Duration(b.Duration * float64(time.Millisecond))}, true
}

// wordStream carries boundaries to Audio.Words. The channel is buffered
// and sends never block: a reader that ignores Words cannot stall the
// audio, and boundaries beyond the buffer are dropped.
type wordStream struct {
	ch      chan providers.WordBoundary
	client  *httpx.Client
	started bool // audio has been decoded
	mu      sync.Mutex
	closed  bool
}

const wordBuffer = 4096

func newWordStream(c *httpx.Client) *wordStream {
	return &wordStream{ch: make(chan providers.WordBoundary, wordBuffer), client: c}
}

// unreadable is the error for framing that cannot be decoded. Before any
// audio it is final (KindNotAudio: another attempt would get the same);
// after audio has started it is a plain error, which the body reports as a
// cut stream with the count of bytes that did arrive.
func (w *wordStream) unreadable(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if w.started {
		return errors.New(msg)
	}
	return w.client.NewError(providers.KindNotAudio, http.StatusOK, "", "AI Refinery sent "+msg)
}

// audio decodes one base64 chunk of audio.
func (w *wordStream) audio(b64 string) ([]byte, error) {
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, w.unreadable("audio that is not base64 (%v)", err)
	}
	if len(data) > 0 {
		w.started = true
	}
	return data, nil
}

func (w *wordStream) send(b boundary) {
	wb, ok := b.word()
	if !ok {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	select {
	case w.ch <- wb:
	default:
	}
}

// finish closes Words; safe to call more than once, from any goroutine.
func (w *wordStream) finish() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.closed = true
		close(w.ch)
	}
}

// decodeNDJSON reads streaming word-boundary mode: one JSON object per
// line, {"type":"audio","data":"<base64>"} or {"type":"word_boundary",…};
// the end of the stream ends it.
func (w *wordStream) decodeNDJSON(body io.Reader) io.Reader {
	lines := httpx.NewLineReader(body)
	return w.closing(httpx.ChunkReader(func() ([]byte, error) {
		line, err := lines.Next()
		if err != nil {
			return nil, err
		}
		var m struct {
			Type string `json:"type"`
			Data string `json:"data"`
			boundary
		}
		if err := json.Unmarshal(line, &m); err != nil {
			return nil, w.unreadable("a line that is not JSON: %.40q", line)
		}
		switch m.Type {
		case "audio":
			return w.audio(m.Data)
		case "word_boundary":
			w.send(m.boundary)
		}
		return nil, nil
	}))
}

// decodeJSON reads batch word-boundary mode:
// {"audio":"<base64>","word_boundaries":[…]}.
func (w *wordStream) decodeJSON(body io.Reader) io.Reader {
	done := false
	return w.closing(httpx.ChunkReader(func() ([]byte, error) {
		if done {
			return nil, io.EOF
		}
		done = true
		var m struct {
			Audio string     `json:"audio"`
			Words []boundary `json:"word_boundaries"`
		}
		if err := json.NewDecoder(io.LimitReader(body, 256<<20)).Decode(&m); err != nil {
			var syntax *json.SyntaxError
			var typ *json.UnmarshalTypeError
			if errors.As(err, &syntax) || errors.As(err, &typ) {
				return nil, w.unreadable("a word-boundary answer that is not the documented JSON (%v)", err)
			}
			return nil, err // cut short: the connection failed
		}
		for _, b := range m.Words {
			w.send(b)
		}
		return w.audio(m.Audio)
	}))
}

// closing closes Words when r ends or the body is closed.
func (w *wordStream) closing(r io.Reader) io.Reader { return &closingReader{r: r, w: w} }

type closingReader struct {
	r io.Reader
	w *wordStream
}

func (c *closingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil {
		c.w.finish()
	}
	return n, err
}

// Close is called by httpx when the body is closed.
func (c *closingReader) Close() error {
	c.w.finish()
	return nil
}

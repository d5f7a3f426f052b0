// Package fishaudio is the Fish Audio text-to-speech provider: the realtime
// WebSocket /v1/tts/live ("ws", the default, lowest latency) and POST
// /v1/tts ("http"), both with MessagePack bodies, the model in a "model"
// header, and instant voice cloning from Request.Reference, sent as binary
// MessagePack ("references").
//
// Wire contract: docs/providers/fishaudio.md.
package fishaudio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/coder/websocket"
	"github.com/vmihailenco/msgpack/v5"

	"chorus/audio"
	"chorus/providers"
	"chorus/providers/httpx"
)

// ID is the provider ID.
const ID = "fishaudio"

// The transports, lowest latency first.
const (
	TransportWS   = "ws"
	TransportHTTP = "http"
)

// Request.Options keys.
const (
	OptionMP3Bitrate  = "mp3_bitrate"
	OptionOpusBitrate = "opus_bitrate" // "auto" is sent as -1000
	OptionLoudness    = "normalize_loudness"
	OptionRepetition  = "repetition_penalty"
	OptionLatency     = "latency"
	OptionChunkLength = "chunk_length"
	OptionVolume      = "volume"
	OptionTemperature = "temperature"
	OptionTopP        = "top_p"
	OptionNormalize   = "normalize"
)

var info = providers.Info{
	ID: ID, Name: "Fish Audio",
	Description:    "Fish Audio S2 voices, the public voice library, and instant voice cloning",
	NeedsKey:       true,
	DefaultBaseURL: "https://api.fish.audio",
	Website:        "https://fish.audio/app/api-keys",
}

// The sample rates each format takes.
var formatRates = map[string][]int{
	"wav": {8000, 16000, 24000, 32000, 44100}, "pcm": {8000, 16000, 24000, 32000, 44100},
	"mp3": {32000, 44100}, "opus": {48000},
}

var caps = providers.Capabilities{
	Models: []providers.Model{
		{ID: "s2-pro", Name: "S2 Pro", Description: "highest quality, 80+ languages, multi-speaker (the SDKs' default)"},
		{ID: "s1", Name: "S1", Description: "previous generation, (parenthesis) emotion tags"},
		{ID: "s2.1-pro", Name: "S2.1 Pro", Description: "newest, 83 languages"},
		{ID: "s2.1-pro-free", Name: "S2.1 Pro (free)", Description: "S2.1 Pro at no cost, fair use, no latency guarantee"},
	},
	ClosedModels: true,
	Formats:      []string{"mp3", "wav", "pcm", "opus"},
	SampleRates:  []int{8000, 16000, 24000, 32000, 44100, 48000},
	// 0: the service picks 44100 Hz (48000 for opus).
	Speed:      providers.Range{Min: 0.5, Max: 2, Default: 1},
	Streaming:  true,
	Transports: []string{TransportWS, TransportHTTP},
	// Fish Audio's own options, then the reference options core resolves
	// into Request.Reference.
	VoiceSearch: true,
	Options: append([]providers.Option{
		{Key: OptionMP3Bitrate, Label: "MP3 bitrate", Help: "kbit/s of mp3 output", Choices: []string{"128", "64", "192"}, Default: "128"},
		{Key: OptionOpusBitrate, Label: "Opus bitrate", Help: "bit/s of opus output; auto lets Fish Audio choose",
			Choices: []string{"auto", "24000", "32000", "48000", "64000"}, Default: "auto"},
		// The spec's enum; without the field the service would use normal,
		// so the default shown here is always sent.
		{Key: OptionLatency, Label: "Latency", Help: "normal is the best quality; balanced starts sooner; low starts soonest", Choices: []string{"balanced", "normal", "low"}, Default: "balanced"},
		{Key: OptionChunkLength, Label: "Chunk length", Help: "characters batched before generating; smaller starts sooner",
			Range: &providers.Range{Min: 100, Max: 300, Default: 200}, Default: "200"},
		{Key: OptionVolume, Label: "Volume", Help: "loudness change in dB", Range: &providers.Range{Min: -20, Max: 20, Default: 0}, Default: "0"},
		{Key: OptionTemperature, Label: "Temperature", Help: "higher is more expressive, lower more stable", Range: &providers.Range{Min: 0, Max: 1, Default: 0.7}, Default: "0.7"},
		{Key: OptionTopP, Label: "Top P", Help: "nucleus sampling; lower is more conservative", Range: &providers.Range{Min: 0, Max: 1, Default: 0.7}, Default: "0.7"},
		{Key: OptionRepetition, Label: "Repetition penalty", Help: "above 1 repeats sounds less; too high can sound unnatural",
			Range: &providers.Range{Min: 1, Max: 2, Default: 1.2}, Default: "1.2"},
		{Key: OptionLoudness, Label: "Even loudness", Help: "keep the perceived volume steady (S2 models)", Choices: []string{"true", "false"}, Default: "true"},
		{Key: OptionNormalize, Label: "Normalize text", Help: "read numbers and the like as words (English, Chinese)", Choices: []string{"true", "false"}, Default: "true"},
	}, providers.ReferenceOptions()...),
	Cloning: true,
}

func init() {
	providers.Register(providers.Registration{Info: info, Capabilities: caps, New: New, Order: 50})
}

// Provider talks to Fish Audio.
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

// modelPage is the GET /model answer.
type modelPage struct {
	Total   int   `json:"total"`
	HasMore *bool `json:"has_more"`
	Items   []struct {
		ID          string   `json:"_id"`
		Type        string   `json:"type"`
		Title       string   `json:"title"`
		Description string   `json:"description"`
		State       string   `json:"state"`
		Languages   []string `json:"languages"`
		Tags        []string `json:"tags"`
		Visibility  string   `json:"visibility"`
		Author      struct {
			Nickname string `json:"nickname"`
		} `json:"author"`
	} `json:"items"`
}

// listModels fetches up to pages pages of GET /model with q.
func (p *Provider) listModels(ctx context.Context, q url.Values, pages int) ([]providers.Voice, error) {
	var out []providers.Voice
	size, _ := strconv.Atoi(q.Get("page_size"))
	for page := 1; page <= pages; page++ {
		q.Set("page_number", strconv.Itoa(page))
		var m modelPage
		if err := p.Client.JSON(ctx, httpx.Request{Path: "/model?" + q.Encode()}, &m); err != nil {
			return nil, err
		}
		for _, it := range m.Items {
			if it.ID == "" || (it.Type != "" && it.Type != "tts") || (it.State != "" && it.State != "trained") {
				continue
			}
			desc := it.Description
			if it.Author.Nickname != "" && q.Get("self") != "true" {
				desc = strings.TrimSpace("by " + it.Author.Nickname + ". " + desc)
			}
			out = append(out, providers.Voice{ID: it.ID, Name: it.Title, Language: strings.Join(it.Languages, ", "),
				Description: desc})
		}
		more := len(m.Items) == size
		if m.HasMore != nil {
			more = *m.HasMore
		}
		if !more {
			break
		}
	}
	return out, nil
}

// Voices lists the user's own voice models (GET /model?self=true) followed
// by the most used public ones. model does not narrow the list: every
// voice model works with every TTS model.
func (p *Provider) Voices(ctx context.Context, model string) ([]providers.Voice, error) {
	own, err := p.listModels(ctx, url.Values{"self": {"true"}, "page_size": {"100"}, "sort_by": {"created_at"}}, 5)
	if err != nil {
		return nil, err
	}
	public, err := p.listModels(ctx, url.Values{"page_size": {"50"}, "sort_by": {"task_count"}}, 1)
	if err != nil {
		return nil, err
	}
	for _, v := range public {
		if !slices.ContainsFunc(own, func(o providers.Voice) bool { return o.ID == v.ID }) {
			own = append(own, v)
		}
	}
	return own, nil
}

// SearchVoices searches the public voice library: by language when query is
// a language code ("en", "pt-BR"), else by title.
func (p *Provider) SearchVoices(ctx context.Context, query, model string) ([]providers.Voice, error) {
	q := url.Values{"page_size": {"50"}, "sort_by": {"task_count"}}
	query = strings.TrimSpace(query)
	if isLanguageCode(query) {
		q.Set("language", strings.ToLower(query))
	} else {
		q.Set("title", query)
	}
	return p.listModels(ctx, q, 2)
}

func isLanguageCode(s string) bool {
	base, region, _ := strings.Cut(s, "-")
	if len(base) != 2 || (region != "" && len(region) != 2) {
		return false
	}
	for _, c := range base + region {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// CheckKey lists the user's own voices, which needs a valid key.
func (p *Provider) CheckKey(ctx context.Context) error {
	var m modelPage
	return p.Client.JSON(ctx, httpx.Request{Path: "/model?self=true&page_size=1"}, &m)
}

// reference is one instant-cloning reference on the wire: audio bytes
// (sent as a MessagePack bin) and their transcript.
type reference struct {
	Audio []byte `msgpack:"audio"`
	Text  string `msgpack:"text"`
}

type prosody struct {
	Speed             float64 `msgpack:"speed"`
	Volume            float64 `msgpack:"volume"`
	NormalizeLoudness *bool   `msgpack:"normalize_loudness,omitempty"`
}

// ttsRequest is TTSRequest.
type ttsRequest struct {
	Text        string      `msgpack:"text"`
	ReferenceID string      `msgpack:"reference_id,omitempty"`
	References  []reference `msgpack:"references,omitempty"`
	Format      string      `msgpack:"format"`
	SampleRate  int         `msgpack:"sample_rate,omitempty"`
	MP3Bitrate  int         `msgpack:"mp3_bitrate,omitempty"`
	OpusBitrate int         `msgpack:"opus_bitrate,omitempty"`
	Latency     string      `msgpack:"latency,omitempty"`
	ChunkLength int         `msgpack:"chunk_length,omitempty"`
	Normalize   *bool       `msgpack:"normalize,omitempty"`
	Prosody     *prosody    `msgpack:"prosody,omitempty"`
	Temperature *float64    `msgpack:"temperature,omitempty"`
	TopP        *float64    `msgpack:"top_p,omitempty"`
	Repetition  *float64    `msgpack:"repetition_penalty,omitempty"`
}

// CheckRequest refuses a sample rate the chosen format does not come at.
func (p *Provider) CheckRequest(req providers.Request) error {
	if req.SampleRate != 0 && !slices.Contains(formatRates[req.Format], req.SampleRate) {
		return providers.Invalid(ID, "%s output does not come at %d Hz; it takes %s Hz", req.Format, req.SampleRate, joinInts(formatRates[req.Format]))
	}
	return nil
}

// Synthesize sends a prepared request (see providers.Prepare) over its
// transport. Request.Reference, when set, is the voice to clone.
func (p *Provider) Synthesize(ctx context.Context, req providers.Request) (*providers.Audio, error) {
	body := buildRequest(req)
	enc, format := encodingOf(req.Format, req.SampleRate)
	header := http.Header{"model": {req.Model}}
	var resp *httpx.Response
	var err error
	if req.Transport == TransportWS {
		resp, err = p.Client.WebSocket(ctx, httpx.Request{Path: "/v1/tts/live", Header: header}, enc, p.session(body))
	} else {
		payload, merr := msgpack.Marshal(body)
		if merr != nil {
			return nil, providers.Invalid(ID, "cannot encode the request: %v", merr)
		}
		header.Set("Content-Type", "application/msgpack")
		resp, err = p.Client.Audio(ctx, httpx.Request{Path: "/v1/tts", Body: payload, Header: header}, enc, nil)
	}
	if err != nil {
		return nil, explain(err)
	}
	return &providers.Audio{Body: resp.Body, Encoding: enc, Format: format, Requests: resp.Requests}, nil
}

// explain reports 402 ("No payment", the spec says) as what it is: the
// account has no credit left, which waiting does not cure.
func explain(err error) error {
	var pe *providers.Error
	if errors.As(err, &pe) && pe.Status == http.StatusPaymentRequired {
		pe.Kind = providers.KindQuota
		pe.Hint = "Add credits to your Fish Audio account, then try again"
	}
	return err
}

// withDefaults returns the options with every unset one that Advanced
// shows a default for filled in, so what the user sees is what is sent
// (the service's own defaults differ: latency normal, chunk length 300).
// The bitrates are left out for other formats.
func withDefaults(o map[string]string, format string) map[string]string {
	out := make(map[string]string, len(caps.Options))
	for _, opt := range caps.Options {
		if opt.Default == "" || (opt.Key == OptionMP3Bitrate && format != "mp3") || (opt.Key == OptionOpusBitrate && format != "opus") {
			continue
		}
		out[opt.Key] = opt.Default
	}
	for k, v := range o {
		out[k] = v
	}
	return out
}

// buildRequest turns a validated request into TTSRequest, with the
// reference for instant cloning.
func buildRequest(req providers.Request) ttsRequest {
	o := withDefaults(req.Options, req.Format)
	body := ttsRequest{Text: req.Text, ReferenceID: req.Voice, Format: req.Format, SampleRate: req.SampleRate,
		Latency: o[OptionLatency], Temperature: number(o, OptionTemperature), TopP: number(o, OptionTopP)}
	if v := number(o, OptionMP3Bitrate); v != nil {
		body.MP3Bitrate = int(*v)
	}
	if v := number(o, OptionChunkLength); v != nil {
		body.ChunkLength = int(*v)
	}
	switch v := o[OptionOpusBitrate]; v {
	case "":
	case "auto":
		body.OpusBitrate = -1000
	default:
		body.OpusBitrate, _ = strconv.Atoi(v)
	}
	body.Repetition = number(o, OptionRepetition)
	if v, ok := o[OptionNormalize]; ok {
		b := v == "true"
		body.Normalize = &b
	}
	vol := number(o, OptionVolume)
	loud, setLoud := o[OptionLoudness]
	if req.Speed != 1 || vol != nil || setLoud {
		body.Prosody = &prosody{Speed: req.Speed}
		if vol != nil {
			body.Prosody.Volume = *vol
		}
		if setLoud {
			b := loud == "true"
			body.Prosody.NormalizeLoudness = &b
		}
	}
	if r := req.Reference; r != nil {
		body.References = []reference{{Audio: r.Audio, Text: r.Transcript}}
	}
	return body
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

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}

// encodingOf maps a format to its encoding; pcm is 16-bit mono
// (little-endian UNCONFIRMED) at the requested rate, 44100 Hz by default.
func encodingOf(format string, rate int) (audio.Encoding, audio.Format) {
	switch format {
	case "mp3":
		return audio.MP3, audio.Format{}
	case "wav":
		return audio.WAV, audio.Format{}
	case "opus":
		return audio.Opus, audio.Format{} // Ogg container UNCONFIRMED
	}
	if rate == 0 {
		rate = 44100
	}
	return audio.PCM, audio.Format{SampleRate: rate, Channels: 1}
}

// wsEvent is a server message: {"event":"audio","audio":<bin>} or
// {"event":"finish","reason":"stop"|"error"}.
type wsEvent struct {
	Event  string `msgpack:"event"`
	Audio  any    `msgpack:"audio"` // bin per the spec; str accepted too
	Reason string `msgpack:"reason"`
}

// session sends start (the whole request with empty text), the text, flush
// and stop, then reads audio until finish.
func (p *Provider) session(body ttsRequest) httpx.WSSession {
	return func(ctx context.Context, conn *websocket.Conn) (func() ([]byte, error), error) {
		body := body // each attempt (a retry too) starts from the whole request
		text := body.Text
		body.Text = ""
		for _, m := range []any{
			map[string]any{"event": "start", "request": body},
			map[string]any{"event": "text", "text": text},
			map[string]any{"event": "flush"},
			map[string]any{"event": "stop"},
		} {
			b, err := msgpack.Marshal(m)
			if err != nil {
				return nil, err
			}
			if err := conn.Write(ctx, websocket.MessageBinary, b); err != nil {
				return nil, err
			}
		}
		finished := false
		return func() ([]byte, error) {
			if finished {
				return nil, io.EOF
			}
			_, data, err := conn.Read(ctx)
			if err != nil {
				switch websocket.CloseStatus(err) {
				case websocket.StatusNormalClosure, websocket.StatusNoStatusRcvd:
					// The SDK treats these as a normal end: the server often
					// closes without a formal close frame after finish.
					// With no audio at all, httpx reports the empty answer.
					return nil, io.EOF
				}
				if e := p.Client.CloseError(err, nil); e != nil {
					return nil, e
				}
				return nil, err
			}
			var ev wsEvent
			if err := msgpack.Unmarshal(data, &ev); err != nil {
				return nil, fmt.Errorf("unreadable message: %v", err)
			}
			switch ev.Event {
			case "audio":
				var chunk []byte
				switch a := ev.Audio.(type) {
				case []byte:
					chunk = a
				case string:
					chunk = []byte(a)
				}
				return chunk, nil
			case "finish":
				finished = true
				if ev.Reason == "error" {
					// A passing failure: retried before any audio, as HTTP 500 is.
					return nil, httpx.Transient(p.Client.NewError(providers.KindServer, 0, "finish: error",
						"Fish Audio stopped with an error while generating the speech"))
				}
				return nil, io.EOF
			}
			return nil, nil // unknown events are ignored, as the spec asks
		}, nil
	}
}

// Package smallest is the Smallest AI "Waves" text-to-speech provider
// (Lightning v3.1): POST /waves/v1/tts for whole files and POST
// /waves/v1/tts/live (Server-Sent Events of base64 PCM) for playback while
// the audio arrives.
//
// Wire contract: docs/providers/smallest.md.
package smallest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"chorus/audio"
	"chorus/providers"
	"chorus/providers/httpx"
)

// ID is the provider ID.
const ID = "smallest"

// The models the unified routes take in the "model" body field.
const (
	ModelLightning    = "lightning_v3.1"
	ModelLightningPro = "lightning_v3.1_pro"
)

// OptionPronunciationDicts is the Request.Options key for pronunciation
// dictionary IDs, comma-separated; they go to "pronunciation_dicts".
const OptionPronunciationDicts = "pronunciation_dicts"

// OptionNumberLanguage is the Request.Options key for the language numbers,
// amounts, times and dates are read in, whatever the voice's language; it
// goes to "number_pronunciation_language".
const OptionNumberLanguage = "number_pronunciation_language"

// voicesPath is the one catalog route; it takes the hyphen form of the model
// name, and both models share the catalog.
const voicesPath = "/waves/v1/lightning-v3.1/get_voices"

var info = providers.Info{
	ID: ID, Name: "Smallest AI",
	Description:    "Lightning v3.1 voices from Smallest AI Waves, low latency",
	NeedsKey:       true,
	DefaultBaseURL: "https://api.smallest.ai",
	Website:        "https://console.smallest.ai",
}

// languages are the codes "language" and "number_pronunciation_language" take.
var languages = []string{"auto", "en", "hi", "mr", "kn", "ta", "bn", "gu", "te", "ml", "pa", "or", "es", "de", "fr",
	"it", "nl", "sv", "pt", "ru", "el", "fi", "no", "pl", "ar", "zh", "id", "ja", "ko", "ms", "tr", "vi"}

var caps = providers.Capabilities{
	Models: []providers.Model{
		{ID: ModelLightning, Name: "Lightning v3.1", Description: "fast, 20 languages and auto-detection; takes cloned voices"},
		{ID: ModelLightningPro, Name: "Lightning v3.1 Pro", Description: "higher quality, 31 languages"},
	},
	ClosedModels: true,
	// pcm is the server's default and the only format the streaming route
	// documents; the others come from the file route.
	Formats:           []string{"pcm", "wav", "mp3", "ulaw", "alaw"},
	SampleRates:       []int{8000, 16000, 24000, 44100},
	DefaultSampleRate: 44100,
	Speed:             providers.Range{Min: 0.5, Max: 2, Default: 1},
	// The docs recommend at most ~250 characters per request (optimal ~140)
	// and splitting longer text at sentence boundaries.
	MaxChars:    250,
	Streaming:   true,
	Concurrency: 1, // default plan: a second request in flight gets 429
	Languages:   languages,
	VoiceSearch: true,
	Options: []providers.Option{{
		Key: OptionPronunciationDicts, Label: "Pronunciation dictionaries",
		Help: "IDs of your pronunciation dictionaries, comma-separated",
	}, {
		// No default: left out, numbers follow the language.
		Key: OptionNumberLanguage, Label: "Numbers read in",
		Help:    "language for numbers, amounts, times and dates, whatever the voice speaks (empty: the text's language)",
		Choices: languages,
	}},
}

func init() {
	providers.Register(providers.Registration{Info: info, Capabilities: caps, New: New, Order: 40})
}

// Provider talks to Smallest AI Waves.
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

// voiceList is the get_voices answer.
type voiceList struct {
	Voices []struct {
		VoiceID     string `json:"voiceId"`
		DisplayName string `json:"displayName"`
		Tags        struct {
			Language any    `json:"language"` // a list such as ["english"]; a string is accepted too
			Accent   string `json:"accent"`
			Gender   string `json:"gender"`
			Age      string `json:"age"`
		} `json:"tags"`
	} `json:"voices"`
}

// Voices lists the catalog (GET /waves/v1/lightning-v3.1/get_voices). It is
// the union of the standard and Pro voices, with no per-voice model flag,
// so model does not narrow it.
func (p *Provider) Voices(ctx context.Context, model string) ([]providers.Voice, error) {
	var list voiceList
	if err := p.Client.JSON(ctx, httpx.Request{Path: voicesPath}, &list); err != nil {
		return nil, p.explain(err)
	}
	out := make([]providers.Voice, 0, len(list.Voices))
	for _, v := range list.Voices {
		if v.VoiceID == "" {
			continue
		}
		var langs []string
		switch l := v.Tags.Language.(type) {
		case string:
			langs = append(langs, l)
		case []any:
			for _, x := range l {
				if s, ok := x.(string); ok && s != "" {
					langs = append(langs, s)
				}
			}
		}
		desc := v.Tags.Age
		out = append(out, providers.Voice{ID: v.VoiceID, Name: v.DisplayName, Language: strings.Join(langs, ", "),
			Accent: v.Tags.Accent, Gender: strings.ToLower(v.Tags.Gender), Description: desc})
	}
	return out, nil
}

// SearchVoices filters the catalog: every word of query must appear in the
// voice's ID, name, language, accent or gender.
func (p *Provider) SearchVoices(ctx context.Context, query, model string) ([]providers.Voice, error) {
	all, err := p.Voices(ctx, model)
	if err != nil {
		return nil, err
	}
	words := strings.Fields(strings.ToLower(query))
	var out []providers.Voice
	for _, v := range all {
		hay := strings.ToLower(strings.Join([]string{v.ID, v.Name, v.Language, v.Accent, v.Gender}, " "))
		ok := true
		for _, w := range words {
			if !strings.Contains(hay, w) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, v)
		}
	}
	return out, nil
}

// CheckKey lists the voices, which needs a valid key and costs nothing.
func (p *Provider) CheckKey(ctx context.Context) error {
	var list voiceList
	return p.explain(p.Client.JSON(ctx, httpx.Request{Path: voicesPath}, &list))
}

// ttsRequest is TtsRequest, shared by /waves/v1/tts and /waves/v1/tts/live.
type ttsRequest struct {
	Text               string   `json:"text"`
	VoiceID            string   `json:"voice_id"`
	Model              string   `json:"model"`
	SampleRate         int      `json:"sample_rate"`
	Speed              float64  `json:"speed"`
	Language           string   `json:"language,omitempty"`
	OutputFormat       string   `json:"output_format"` // always explicit: the server default is headerless pcm
	PronunciationDicts []string `json:"pronunciation_dicts,omitempty"`
	NumberLanguage     string   `json:"number_pronunciation_language,omitempty"`
}

// CheckRequest refuses a request without a voice: the service has no
// default one.
func (p *Provider) CheckRequest(req providers.Request) error {
	if req.Voice == "" {
		return &providers.Error{Provider: ID, Kind: providers.KindValidation,
			Message: "Smallest AI needs a voice", Hint: "pick a voice from the list, e.g. magnus"}
	}
	return nil
}

// Synthesize sends POST /waves/v1/tts/live (SSE) for a streamed pcm request,
// and POST /waves/v1/tts for everything else, whose body is read as it
// arrives too.
func (p *Provider) Synthesize(ctx context.Context, req providers.Request) (*providers.Audio, error) {
	body := ttsRequest{Text: req.Text, VoiceID: req.Voice, Model: req.Model, SampleRate: req.SampleRate,
		Speed: req.Speed, Language: req.Language, OutputFormat: req.Format, NumberLanguage: req.Options[OptionNumberLanguage]}
	for _, d := range strings.Split(req.Options[OptionPronunciationDicts], ",") {
		if d = strings.TrimSpace(d); d != "" {
			body.PronunciationDicts = append(body.PronunciationDicts, d)
		}
	}
	enc := encodingOf(req.Format)
	a := &providers.Audio{Encoding: enc}
	if enc == audio.PCM || enc == audio.MuLaw || enc == audio.ALaw {
		// 16-bit signed mono (little-endian UNCONFIRMED) at the requested rate.
		a.Format = audio.Format{SampleRate: req.SampleRate, Channels: 1}
	}
	var resp *httpx.Response
	var err error
	if !req.Batch && req.Format == "pcm" {
		resp, err = p.Client.Audio(ctx, httpx.Request{Path: "/waves/v1/tts/live", Body: body,
			Header: http.Header{"Accept": {"text/event-stream"}}}, audio.PCM, p.sseAudio)
	} else {
		// The docs ask for Accept: audio/wav ("omitting it can return an empty
		// or unplayable response"); the SDK sends it for every format.
		resp, err = p.Client.Audio(ctx, httpx.Request{Path: "/waves/v1/tts", Body: body,
			Header: http.Header{"Accept": {"audio/wav"}}}, enc, nil)
	}
	if err != nil {
		return nil, p.explain(err)
	}
	a.Body, a.Requests = resp.Body, resp.Requests
	return a, nil
}

func encodingOf(format string) audio.Encoding {
	switch format {
	case "wav":
		return audio.WAV
	case "mp3":
		return audio.MP3
	case "ulaw":
		return audio.MuLaw
	case "alaw":
		return audio.ALaw
	}
	return audio.PCM
}

// explain adds what to do for the failures Smallest AI documents: a retired
// model (410 MODEL_DEPRECATED) and the one-request-at-a-time plan limit.
func (p *Provider) explain(err error) error {
	var pe *providers.Error
	if !errors.As(err, &pe) {
		return err
	}
	switch {
	case pe.Code == "MODEL_DEPRECATED" || pe.Status == http.StatusGone:
		pe.Message = "this model or route was retired by Smallest AI: " + pe.Message
		pe.Hint = fmt.Sprintf("Choose %s or %s; if this keeps happening, update Chorus", ModelLightning, ModelLightningPro)
	case pe.Status == http.StatusTooManyRequests && pe.RetryAfter == 0:
		pe.Hint = "Smallest AI's default plan runs one request at a time; wait for the other one to finish (another app may be using the key), or upgrade the plan"
	}
	return pe
}

// sseEvent is one frame of the live route: {"audio":"<b64>","done":false,"status":"206"}.
type sseEvent struct {
	Audio   string `json:"audio"`
	Done    bool   `json:"done"`
	Status  any    `json:"status"` // a string ("206", "200") in the spec; numbers accepted too
	Error   any    `json:"error"`
	Message string `json:"message"`
}

// sseAudio decodes the live route: "event: audio" frames carry base64 PCM,
// a frame with "done": true ends it. The end of the stream without done
// after audio started is a cut stream. In-band errors are not documented
// (UNCONFIRMED): a frame with an error, or a status of 400 or more, is
// reported as the service's error.
func (p *Provider) sseAudio(body io.Reader) io.Reader {
	events := httpx.NewSSEReader(body)
	started, finished := false, false
	return httpx.ChunkReader(func() ([]byte, error) {
		if finished {
			return nil, io.EOF
		}
		ev, err := events.Next()
		if err == io.EOF {
			if !started {
				return nil, io.EOF // nothing at all: httpx says what came instead
			}
			return nil, errors.New("the stream ended before Smallest AI said it was done")
		}
		if err != nil {
			return nil, err
		}
		var m sseEvent
		if err := json.Unmarshal(ev.Data, &m); err != nil {
			return nil, fmt.Errorf("unreadable event %.40q: %v", ev.Data, err)
		}
		status := fmt.Sprint(m.Status)
		if m.Error != nil || ev.Name == "error" || (len(status) == 3 && status >= "400") {
			code, msg := httpx.ErrorMessage(ev.Data)
			if msg == "" {
				msg = "the service reported an error during the stream"
			}
			return nil, p.Client.NewError(providers.KindServer, 0, code, msg)
		}
		var chunk []byte
		if m.Audio != "" {
			chunk, err = base64.StdEncoding.DecodeString(m.Audio)
			if err != nil {
				return nil, fmt.Errorf("bad base64 audio in an event: %v", err)
			}
			started = true
		}
		if m.Done {
			if len(chunk) > 0 {
				finished = true
				return chunk, nil
			}
			return nil, io.EOF
		}
		return chunk, nil
	})
}

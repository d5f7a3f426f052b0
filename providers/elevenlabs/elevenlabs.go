// Package elevenlabs is the ElevenLabs text-to-speech provider. It speaks
// over three transports: HTTP chunked streaming ("stream", the default),
// one whole answer per request ("http") and the stream-input WebSocket
// ("ws", the lowest latency). With the timestamps option on (the default)
// the HTTP transports use the with-timestamps routes, and every transport
// turns the service's character alignment into word boundaries on
// Audio.Words.
//
// Wire contract: docs/providers/elevenlabs.md; the official
// OpenAPI document (testdata/openapi.json) checks every request the tests send.
package elevenlabs

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"chorus/audio"
	"chorus/providers"
	"chorus/providers/httpx"
)

// ID is the provider ID.
const ID = "elevenlabs"

// The transports; "stream" is the default.
const (
	TransportStream = "stream"
	TransportHTTP   = "http"
	TransportWS     = "ws"
)

// DefaultModel is the service's own default model.
const DefaultModel = "eleven_multilingual_v2"

// Request.Options keys.
const (
	OptionStability       = "stability"
	OptionSimilarity      = "similarity_boost"
	OptionStyle           = "style"
	OptionSpeakerBoost    = "use_speaker_boost"
	OptionSeed            = "seed"
	OptionNormalization   = "apply_text_normalization"
	OptionBitrate         = "bitrate"
	OptionTimestamps      = "timestamps"
	OptionPreviousText    = "previous_text"
	OptionNextText        = "next_text"
	OptionPreviousRequest = "previous_request_ids"
)

// Settings keys of providers.Config (and the environment variables that
// stand in for them when unset).
const (
	SettingRegion      = "region"      // ELEVENLABS_REGION: one of Regions' keys
	SettingConcurrency = "concurrency" // ELEVENLABS_CONCURRENCY: requests at once
)

// Regions maps a region name to its API host. "default" is the global host.
var Regions = map[string]string{
	"default": "https://api.elevenlabs.io",
	"us":      "https://api.us.elevenlabs.io",
	"eu":      "https://api.eu.residency.elevenlabs.io",
	"in":      "https://api.in.residency.elevenlabs.io",
	"sg":      "https://api.sg.residency.elevenlabs.io",
}

// FreeConcurrency is the Free plan's concurrency limit for the
// multilingual models (turbo and flash allow 4); paid plans allow more,
// set with SettingConcurrency.
const FreeConcurrency = 2

var info = providers.Info{
	ID: ID, Name: "ElevenLabs",
	Description:    "ElevenLabs voices and your clones, with word timings",
	NeedsKey:       true,
	DefaultBaseURL: Regions["default"],
	Website:        "https://elevenlabs.io/app/settings/api-keys",
}

// models are the built-in models with their per-request character limits
// (from the models page); the first is the default.
var models = []providers.Model{
	{ID: DefaultModel, Name: "Multilingual v2", Description: "29 languages, the most lifelike; no language_code", MaxChars: 10000},
	{ID: "eleven_v3", Name: "Eleven v3", Description: "70+ languages, the most expressive", MaxChars: 3000},
	{ID: "eleven_flash_v2_5", Name: "Flash v2.5", Description: "32 languages, lowest latency", MaxChars: 40000},
	{ID: "eleven_turbo_v2_5", Name: "Turbo v2.5", Description: "32 languages, low latency", MaxChars: 40000},
	{ID: "eleven_flash_v2", Name: "Flash v2", Description: "English only, lowest latency", MaxChars: 30000, Phonemes: ipa},
	{ID: "eleven_turbo_v2", Name: "Turbo v2", Description: "English only, low latency", MaxChars: 30000, Phonemes: ipa},
	{ID: "eleven_multilingual_v1", Name: "Multilingual v1 (legacy)", MaxChars: 10000},
	{ID: "eleven_monolingual_v1", Name: "English v1 (legacy)", MaxChars: 10000, Phonemes: ipa},
}

// ipa marks the models whose help page says they read SSML phoneme tags.
var ipa = []string{providers.PhonemesIPA}

// noLanguageCode lists the models that refuse language_code.
var noLanguageCode = []string{DefaultModel, "eleven_multilingual_v1", "eleven_monolingual_v1"}

func unit(def float64) *providers.Range { return &providers.Range{Min: 0, Max: 1, Default: def} }

var caps = providers.Capabilities{
	Models: models,
	// Chorus's format and sample-rate pickers; OutputFormat turns the pair
	// (and the bitrate option) into the service's output_format.
	Formats:     []string{"mp3", "pcm", "opus", "wav", "ulaw", "alaw"},
	SampleRates: []int{8000, 16000, 22050, 24000, 32000, 44100, 48000},
	Speed:       providers.Range{Min: 0.7, Max: 1.2, Default: 1},
	MaxChars:    10000, // the default model's; Model.MaxChars has each model's
	Streaming:   true,
	Concurrency: FreeConcurrency,
	Transports:  []string{TransportStream, TransportHTTP, TransportWS},
	VoiceSearch: true,
	Options: []providers.Option{
		// The schema gives no bounds for these three; 0–1 is the documented
		// slider range (UNCONFIRMED as a server-side limit).
		{Key: OptionStability, Label: "Stability", Help: "lower is more expressive, higher more even", Range: unit(0.5), Default: "0.5"},
		{Key: OptionSimilarity, Label: "Similarity", Help: "how closely to follow the original voice", Range: unit(0.75), Default: "0.75"},
		{Key: OptionStyle, Label: "Style", Help: "exaggerates the speaker's style; above 0 adds latency", Range: unit(0), Default: "0"},
		{Key: OptionSpeakerBoost, Label: "Speaker boost", Help: "closer to the original speaker, a little slower", Choices: []string{"true", "false"}, Default: "true"},
		{Key: OptionSeed, Label: "Seed", Help: "the same seed gives (mostly) the same take", Range: &providers.Range{Min: 0, Max: 4294967295}},
		{Key: OptionNormalization, Label: "Text normalization", Help: "spell out numbers and dates", Choices: []string{"auto", "on", "off"}, Default: "auto"},
		{Key: OptionBitrate, Label: "Bitrate (kbps)", Help: "for mp3 and opus; 192 needs the Creator plan", Choices: []string{"32", "48", "64", "96", "128", "192"}},
		{Key: OptionTimestamps, Label: "Word timings", Help: "ask for character timings (karaoke, exact subtitles)", Choices: []string{"on", "off"}, Default: "on"},
		{Key: OptionPreviousText, Label: "Text before", Help: "the text spoken just before, so the join sounds natural"},
		{Key: OptionNextText, Label: "Text after", Help: "the text spoken just after"},
		{Key: OptionPreviousRequest, Label: "Previous request IDs", Help: "up to 3, comma-separated; overrides the text before"},
	},
}

// rates lists, per codec, the sample rates the service offers and for each
// the bitrates (none for headerless and WAV formats). The default rate comes
// first. wav_* is only in the newest SDK (UNCONFIRMED in the API docs), and
// mp3_24000_48 and pcm_32000 are newer than the OpenAPI file.
var rates = map[string][]codecRate{
	"mp3":  {{44100, []int{128, 32, 64, 96, 192}}, {22050, []int{32}}, {24000, []int{48}}},
	"pcm":  {{24000, nil}, {8000, nil}, {16000, nil}, {22050, nil}, {32000, nil}, {44100, nil}, {48000, nil}},
	"wav":  {{44100, nil}, {8000, nil}, {16000, nil}, {22050, nil}, {24000, nil}, {32000, nil}, {48000, nil}},
	"opus": {{48000, []int{128, 32, 64, 96, 192}}},
	"ulaw": {{8000, nil}},
	"alaw": {{8000, nil}},
}

type codecRate struct {
	rate     int
	bitrates []int // first is the default
}

// tierNotes says which output formats need a paid plan, for the hint of a
// refusal.
var tierNotes = map[string]string{
	"mp3_44100_192": "192 kbps MP3 needs the Creator plan or above; choose 128 kbps",
	"pcm_44100":     "44.1 kHz PCM needs the Pro plan or above; choose 24000 or 48000 Hz",
}

// OutputFormat turns Chorus's format, sample rate (0 = the format's
// default) and bitrate (0 = the default for that rate) into the service's
// output_format, or a validation error naming what is allowed.
func OutputFormat(format string, rate, bitrate int) (string, error) {
	list, ok := rates[format]
	if !ok {
		return "", providers.Invalid(ID, "format %q is not offered; allowed: %s", format, strings.Join(caps.Formats, ", "))
	}
	cr := list[0]
	if rate != 0 {
		i := slices.IndexFunc(list, func(c codecRate) bool { return c.rate == rate })
		if i < 0 {
			var allowed []string
			for _, c := range list {
				allowed = append(allowed, strconv.Itoa(c.rate))
			}
			sort.Strings(allowed)
			return "", providers.Invalid(ID, "%s at %d Hz is not offered; allowed rates for %s: %s (or another format)", format, rate, format, strings.Join(allowed, ", "))
		}
		cr = list[i]
	}
	name := fmt.Sprintf("%s_%d", format, cr.rate)
	if len(cr.bitrates) == 0 {
		if bitrate != 0 {
			return "", providers.Invalid(ID, "format %s has no bitrate setting; leave the bitrate empty", format)
		}
		return name, nil
	}
	b := cr.bitrates[0]
	if bitrate != 0 {
		if !slices.Contains(cr.bitrates, bitrate) {
			return "", providers.Invalid(ID, "%s at %d Hz is not offered at %d kbps; allowed: %s", format, cr.rate, bitrate, joinInts(cr.bitrates))
		}
		b = bitrate
	}
	return fmt.Sprintf("%s_%d", name, b), nil
}

func joinInts(v []int) string {
	s := slices.Clone(v)
	slices.Sort(s)
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = strconv.Itoa(x)
	}
	return strings.Join(out, ", ")
}

// Encoding says how an output_format's bytes decode. Opus is taken to be
// Ogg Opus (the container is UNCONFIRMED); PCM is s16le mono.
func Encoding(outputFormat string) (audio.Encoding, audio.Format) {
	codec, rest, _ := strings.Cut(outputFormat, "_")
	r, _, _ := strings.Cut(rest, "_")
	rate, _ := strconv.Atoi(r)
	mono := audio.Format{SampleRate: rate, Channels: 1}
	switch codec {
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
	return audio.PCM, mono
}

func init() {
	providers.Register(providers.Registration{Info: info, Capabilities: caps, New: New, Order: 35})
}

// Provider talks to ElevenLabs.
type Provider struct {
	httpx.Base
	caps providers.Capabilities
}

// New builds the provider. Config.BaseURL wins over the region setting.
func New(cfg providers.Config) (providers.Provider, error) {
	region := setting(cfg, SettingRegion)
	if cfg.BaseURL == "" && region != "" {
		host, ok := Regions[region]
		if !ok {
			names := make([]string, 0, len(Regions))
			for k := range Regions {
				names = append(names, k)
			}
			sort.Strings(names)
			return nil, providers.Invalid(ID, "region %q is not known; allowed: %s", region, strings.Join(names, ", "))
		}
		cfg.BaseURL = host
	}
	c := caps
	if s := setting(cfg, SettingConcurrency); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return nil, providers.Invalid(ID, "concurrency %q must be a whole number from 1 to 100 (your plan's limit; Free is %d)", s, FreeConcurrency)
		}
		c.Concurrency = n
	}
	b, err := httpx.NewBase(cfg, httpx.Options{Info: info, AuthHeader: "xi-api-key", ParseError: ParseError}, c)
	if err != nil {
		return nil, err
	}
	return &Provider{Base: b, caps: c}, nil
}

func setting(cfg providers.Config, key string) string {
	if v := strings.TrimSpace(cfg.Settings[key]); v != "" {
		return v
	}
	return strings.TrimSpace(os.Getenv(providers.EnvName(ID) + "_" + strings.ToUpper(key)))
}

// Capabilities says what requests the provider takes.
func (p *Provider) Capabilities() providers.Capabilities { return p.caps }

// ParseError reads both error bodies the service sends:
// {"detail":[{"loc":…,"msg":…,"type":…}]} (422) and
// {"detail":{"status":"<code>","message":"<text>"}} (other statuses).
func ParseError(body []byte) (code, message string) {
	var v struct {
		Detail json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(body, &v) == nil && len(v.Detail) > 0 {
		var sm struct {
			Status  string `json:"status"`
			Message string `json:"message"`
		}
		if json.Unmarshal(v.Detail, &sm) == nil && sm.Message != "" {
			return sm.Status, sm.Message
		}
	}
	return httpx.ErrorMessage(body)
}

// codeHints sharpens the service's own codes into what to do next.
var codeHints = map[string]struct {
	kind providers.Kind
	hint string
}{
	"quota_exceeded":               {providers.KindQuota, "Your ElevenLabs credits are used up: add credits or wait for the monthly reset"},
	"voice_not_found":              {providers.KindNotFound, "Pick another voice: this one is not in your ElevenLabs library"},
	"max_character_limit_exceeded": {providers.KindValidation, "Shorten the text, or pick a model that takes more characters per request"},
	"invalid_api_key":              {providers.KindAuth, "Check the API key for ElevenLabs in Settings, or set " + info.KeyEnv()},
}

// explain maps the service's codes, and tier refusals of a format, onto
// clear kinds and hints.
func explain(err error, outputFormat string) error {
	pe, ok := err.(*providers.Error)
	if !ok {
		return err
	}
	if h, ok := codeHints[pe.Code]; ok {
		pe.Kind, pe.Hint = h.kind, h.hint
		if h.kind == providers.KindValidation && !strings.Contains(pe.Message, "refused") {
			pe.Message = "ElevenLabs refused the request: " + pe.Message
		}
		return pe
	}
	if note, ok := tierNotes[outputFormat]; ok && pe.Status >= 400 && pe.Status < 500 && pe.Kind != providers.KindAuth {
		pe.Hint = note
	}
	return pe
}

// speechRequest is the body of the four HTTP routes.
type speechRequest struct {
	Text                   string         `json:"text"`
	ModelID                string         `json:"model_id,omitempty"`
	LanguageCode           string         `json:"language_code,omitempty"`
	VoiceSettings          *voiceSettings `json:"voice_settings,omitempty"`
	Seed                   *int64         `json:"seed,omitempty"`
	PreviousText           string         `json:"previous_text,omitempty"`
	NextText               string         `json:"next_text,omitempty"`
	PreviousRequestIDs     []string       `json:"previous_request_ids,omitempty"`
	ApplyTextNormalization string         `json:"apply_text_normalization,omitempty"`
}

// voiceSettings is VoiceSettingsResponseModel; unset fields keep the
// voice's stored settings.
type voiceSettings struct {
	Stability       *float64 `json:"stability,omitempty"`
	SimilarityBoost *float64 `json:"similarity_boost,omitempty"`
	Style           *float64 `json:"style,omitempty"`
	UseSpeakerBoost *bool    `json:"use_speaker_boost,omitempty"`
	Speed           *float64 `json:"speed,omitempty"`
}

// prepared is a validated request in the service's terms.
type prepared struct {
	req          providers.Request
	outputFormat string
	body         speechRequest
	timestamps   bool
}

// CheckRequest refuses what the service would: no voice, a language code
// for a model that picks the language itself, a format, rate and bitrate
// that make no output_format, more than 3 previous request IDs, a seed
// that is not a whole number.
func (p *Provider) CheckRequest(req providers.Request) error {
	if req.Voice == "" {
		return &providers.Error{Provider: ID, Kind: providers.KindValidation,
			Message: "ElevenLabs needs a voice", Hint: "pick one from the voice list"}
	}
	if req.Language != "" && slices.Contains(noLanguageCode, req.Model) {
		return providers.Invalid(ID, "model %s chooses the language itself and takes no language code; leave the language empty or pick eleven_flash_v2_5, eleven_turbo_v2_5 or eleven_v3", req.Model)
	}
	if _, err := OutputFormat(req.Format, req.SampleRate, bitrateOf(req)); err != nil {
		return err
	}
	if ids := splitList(req.Options[OptionPreviousRequest]); len(ids) > 3 {
		return providers.Invalid(ID, "at most 3 previous request IDs are taken, not %d", len(ids))
	}
	if s := req.Options[OptionSeed]; s != "" {
		if _, err := strconv.ParseInt(s, 10, 64); err != nil {
			return providers.Invalid(ID, "option seed needs a whole number from 0 to 4294967295, not %q", s)
		}
	}
	return nil
}

func bitrateOf(req providers.Request) int {
	n, _ := strconv.Atoi(req.Options[OptionBitrate]) // Validate checked the choice
	return n
}

// prepare builds the body of a prepared request (see providers.Prepare).
func (p *Provider) prepare(req providers.Request) (*prepared, error) {
	of, err := OutputFormat(req.Format, req.SampleRate, bitrateOf(req))
	if err != nil {
		return nil, err // CheckRequest refused it already; kept for direct callers
	}
	body := speechRequest{Text: req.Text, ModelID: req.Model, LanguageCode: req.Language,
		ApplyTextNormalization: req.Options[OptionNormalization],
		PreviousText:           req.Options[OptionPreviousText], NextText: req.Options[OptionNextText]}
	ids := splitList(req.Options[OptionPreviousRequest]) // the option, when given, wins
	if len(ids) == 0 && len(req.PreviousRequestIDs) > 0 {
		// The chunks before this one (core fills them in); only the HTTP
		// endpoints take them, the stream-input socket has no such field.
		ids = req.PreviousRequestIDs[max(len(req.PreviousRequestIDs)-3, 0):]
	}
	if len(ids) > 0 {
		body.PreviousRequestIDs = ids
	}
	if s := req.Options[OptionSeed]; s != "" {
		n, _ := strconv.ParseInt(s, 10, 64) // CheckRequest checked it
		body.Seed = &n
	}
	vs := voiceSettings{Stability: number(req.Options, OptionStability), SimilarityBoost: number(req.Options, OptionSimilarity),
		Style: number(req.Options, OptionStyle)}
	if s, ok := req.Options[OptionSpeakerBoost]; ok {
		b := s == "true"
		vs.UseSpeakerBoost = &b
	}
	if req.Speed != 1 {
		sp := req.Speed
		vs.Speed = &sp
	}
	if vs != (voiceSettings{}) {
		body.VoiceSettings = &vs
	}
	return &prepared{req: req, outputFormat: of, body: body, timestamps: req.Options[OptionTimestamps] != "off"}, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
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

// Synthesize sends the request over the chosen transport. Request.Batch
// without an explicit transport uses "http" (one whole answer).
func (p *Provider) Synthesize(ctx context.Context, req providers.Request) (*providers.Audio, error) {
	explicit := req.Transport != ""
	pr, err := p.prepare(req)
	if err != nil {
		return nil, err
	}
	if pr.req.Batch && !explicit {
		pr.req.Transport = TransportHTTP
	}
	enc, format := Encoding(pr.outputFormat)
	var resp *httpx.Response
	var ws *wordStream
	switch pr.req.Transport {
	case TransportWS:
		resp, ws, err = p.socket(ctx, pr, enc)
	default:
		resp, ws, err = p.post(ctx, pr, enc)
	}
	if err != nil {
		return nil, explain(err, pr.outputFormat)
	}
	a := &providers.Audio{Body: resp.Body, Encoding: enc, Format: format, Requests: resp.Requests,
		RequestID: resp.Header.Get("request-id")}
	if n, err := strconv.Atoi(resp.Header.Get("character-cost")); err == nil {
		a.Characters = n
	}
	if ws != nil {
		a.Words = ws.ch
	}
	return a, nil
}

// post runs one of the four HTTP routes.
func (p *Provider) post(ctx context.Context, pr *prepared, enc audio.Encoding) (*httpx.Response, *wordStream, error) {
	path := "/v1/text-to-speech/" + url.PathEscape(pr.req.Voice)
	if pr.req.Transport == TransportStream {
		path += "/stream"
	}
	var decode httpx.Decoder
	var ws *wordStream // of the latest attempt; a retried attempt's stream is closed and dropped
	if pr.timestamps {
		path += "/with-timestamps"
		whole := pr.req.Transport == TransportHTTP
		decode = func(body io.Reader) io.Reader {
			ws = newWordStream()
			if whole {
				return ws.decodeWhole(body)
			}
			return ws.decodeStream(body)
		}
	}
	path += "?output_format=" + url.QueryEscape(pr.outputFormat)
	header := http.Header{}
	if !pr.timestamps {
		header.Set("Accept", mimeOf(enc))
	}
	resp, err := p.Client.Audio(ctx, httpx.Request{Path: path, Body: pr.body, Header: header}, enc, decode)
	if err != nil {
		return nil, nil, err
	}
	return resp, ws, nil
}

func mimeOf(enc audio.Encoding) string {
	switch enc {
	case audio.MP3:
		return "audio/mpeg"
	case audio.WAV:
		return "audio/wav"
	case audio.Opus:
		return "audio/ogg"
	}
	return "*/*"
}

// CheckKey asks for the model list, which needs a valid key and costs
// nothing.
func (p *Provider) CheckKey(ctx context.Context) error {
	_, err := p.Models(ctx)
	return err
}

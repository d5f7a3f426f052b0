// Package providers defines the seam every text-to-speech backend plugs into:
// the Provider interface, the request it takes, the audio it returns, a
// registry backends add themselves to from init, and the one error type they
// all report through.
package providers

import (
	"context"
	"io"
	"net/http"
	"sort"
	"time"

	"chorus/audio"
)

// Provider is one text-to-speech backend.
type Provider interface {
	// Info describes the provider; it never changes.
	Info() Info
	// Capabilities says what requests the provider accepts.
	Capabilities() Capabilities
	// Voices lists the voices for a model ("" means the default model).
	Voices(ctx context.Context, model string) ([]Voice, error)
	// Synthesize starts synthesis and returns as soon as the first response
	// bytes are available; the audio keeps streaming through Audio.Body.
	// Cancelling ctx aborts the request and makes Body.Read fail.
	Synthesize(ctx context.Context, req Request) (*Audio, error)
}

// ModelLister is implemented by providers that can list their models from the
// service itself (rather than only the built-in list in Capabilities).
type ModelLister interface {
	Models(ctx context.Context) ([]Model, error)
}

// KeyChecker is implemented by providers that can verify an API key with a
// cheap authenticated call.
type KeyChecker interface {
	CheckKey(ctx context.Context) error
}

// VoiceSearcher is implemented by providers that can search voices beyond
// the ones Voices lists: a public voice library, or a filter over a long
// catalog. query is free text (a name, a language); model narrows the search
// to voices of that model ("" means the default model).
type VoiceSearcher interface {
	SearchVoices(ctx context.Context, query string, model string) ([]Voice, error)
}

// Info describes a provider.
type Info struct {
	ID             string // short lower-case identifier used by --provider, e.g. "openai"
	Name           string // display name, e.g. "OpenAI"
	Description    string // one line for pickers and --help
	NeedsKey       bool   // whether requests need an API key
	KeyOptional    bool   // a key is accepted but not required (custom endpoints)
	DefaultBaseURL string // empty for providers that do not talk HTTP
	Website        string // where to get a key
}

// KeyEnv is the environment variable that holds the provider's API key.
func (i Info) KeyEnv() string { return EnvName(i.ID) + "_API_KEY" }

// BaseURLEnv is the environment variable that overrides the base URL.
func (i Info) BaseURLEnv() string { return EnvName(i.ID) + "_BASE_URL" }

// Range is a closed interval of allowed values.
type Range struct {
	Min, Max, Default float64
}

// Contains reports whether v lies inside the range.
func (r Range) Contains(v float64) bool { return v >= r.Min && v <= r.Max }

// Capabilities says what a provider accepts.
type Capabilities struct {
	Models            []Model  // built-in models; the first is the default
	ClosedModels      bool     // the service takes only these models (Validate refuses others before sending)
	Formats           []string // output formats the provider offers, in its own names; the first is the default
	SampleRates       []int    // selectable output rates; empty when the provider fixes the rate
	DefaultSampleRate int      // 0 when the provider decides
	Speed             Range    // speed multiplier, 1.0 = normal
	MaxChars          int      // most characters one request takes (0 = no documented limit)
	Streaming         bool     // audio can be played while it is still arriving
	Concurrency       int      // most requests at once (0 = no limit)
	Languages         []string // language codes the user can pick; empty = chosen by the voice
	Transports        []string // alternative transports ("http", "stream", "ws"); the first is the default
	Options           []Option // provider-specific settings
	Cloning           bool     // speaks in the voice of Request.Reference (instant voice cloning)
	VoiceSearch       bool     // voices can be searched beyond the list (the provider is a VoiceSearcher)
	Phonemes          []string // phoneme alphabets the text may carry (PhonemesIPA, PhonemesEspeak); Model.Phonemes overrides
}

// Phoneme alphabets a provider may read in the text (Capabilities.Phonemes).
const (
	PhonemesIPA    = "ipa"    // SSML <phoneme alphabet="ipa" ph="…">word</phoneme>, the rest escaped
	PhonemesEspeak = "espeak" // espeak-ng's own [[…]] phoneme input
)

// PhonemesFor returns the phoneme alphabets the model takes: the model's
// own Phonemes when set, else Phonemes.
func (c Capabilities) PhonemesFor(model string) []string {
	for _, m := range c.Models {
		if m.ID == model && m.Phonemes != nil {
			return m.Phonemes
		}
	}
	return c.Phonemes
}

// DefaultModel returns the first model's ID, or "".
func (c Capabilities) DefaultModel() string {
	if len(c.Models) == 0 {
		return ""
	}
	return c.Models[0].ID
}

// MaxCharsFor returns the per-request limit with a model: the model's own
// MaxChars when set, else MaxChars.
func (c Capabilities) MaxCharsFor(model string) int {
	for _, m := range c.Models {
		if m.ID == model && m.MaxChars > 0 {
			return m.MaxChars
		}
	}
	return c.MaxChars
}

// DefaultFormat returns the first format, or "".
func (c Capabilities) DefaultFormat() string {
	if len(c.Formats) == 0 {
		return ""
	}
	return c.Formats[0]
}

// Model is one synthesis model.
type Model struct {
	ID           string
	Name         string // display name; ID when empty
	Instructions bool   // takes free-text style instructions
	Description  string
	MaxChars     int      // most characters one request takes with this model; 0 = Capabilities.MaxChars
	Phonemes     []string // phoneme alphabets this model takes; nil = Capabilities.Phonemes
}

// Voice is one voice a provider offers.
type Voice struct {
	ID          string // what the provider's API takes
	Name        string // display name; ID when empty
	Language    string // BCP 47 or the provider's code, when known
	Gender      string // "female", "male", "" when unknown
	Accent      string
	Description string
	PreviewURL  string // a short sample of the voice the provider hosts, when it has one
}

// Label is the voice's display text: name, language and gender when known.
func (v Voice) Label() string {
	s := v.Name
	if s == "" {
		s = v.ID
	}
	extra := ""
	for _, p := range []string{v.Language, v.Accent, v.Gender} {
		if p == "" {
			continue
		}
		if extra != "" {
			extra += ", "
		}
		extra += p
	}
	if extra != "" {
		s += " (" + extra + ")"
	}
	return s
}

// Option is a provider-specific setting shown in the GUI's Advanced area and
// accepted on the CLI as --option key=value.
type Option struct {
	Key     string   // request Options key
	Label   string   // short display label
	Help    string   // one line
	Choices []string // allowed values; empty for free text or numbers
	Range   *Range   // allowed numeric range, when numeric
	Default string
	Models  []string // models the option applies to; empty = all
}

// Request is one synthesis request. Empty fields mean the provider's default.
type Request struct {
	Text         string
	Model        string
	Voice        string
	Format       string  // the provider's name for the output format
	Speed        float64 // 0 means 1.0
	SampleRate   int
	Language     string
	Instructions string
	Batch        bool   // ask for one complete response instead of a stream
	Transport    string // one of Capabilities.Transports
	Options      map[string]string
	// PreviousRequestIDs are the service's IDs (Audio.RequestID) of the
	// requests for the text just before this one, oldest first, at most 3:
	// a provider that carries prosody across requests (ElevenLabs) sends
	// them, others ignore them. They do not change which audio is cached.
	PreviousRequestIDs []string
	Reference          *Reference // a voice to clone; only for providers with Capabilities.Cloning
}

// Reference is a recording of the voice to clone and its exact transcript.
// Core fills Request.Reference from a saved reference or a file named in
// the request's options (see OptionReference), so providers only send it.
type Reference struct {
	Audio      []byte         // the recording as stored (WAV, MP3 or FLAC)
	Encoding   audio.Encoding // how Audio is encoded
	Transcript string         // exactly what is said in Audio
}

// WordBoundary is one word's position in the audio, when a provider sends it.
type WordBoundary struct {
	Text     string
	Offset   time.Duration // from the start of this response's audio
	Duration time.Duration
}

// Audio is a synthesis response: encoded audio bytes as they arrive.
type Audio struct {
	// Body yields the encoded audio; Close releases the connection or process.
	Body io.ReadCloser
	// Encoding says how to decode Body.
	Encoding audio.Encoding
	// Format is the rate and channel count for headerless encodings (PCM,
	// mu-law, A-law); zero when the container says.
	Format audio.Format
	// Words, when not nil, receives word boundaries as they arrive and is
	// closed when Body ends. Readers must drain it or ignore it entirely.
	Words <-chan WordBoundary
	// Requests counts HTTP requests made, including retries.
	Requests int
	// RequestID is the service's ID of this request, when it sends one
	// (ElevenLabs: feed it to the next chunk for smooth joins).
	RequestID string
	// Characters is what the service says the request cost, in billed
	// characters; 0 when it does not say.
	Characters int
}

// Config is what a factory needs to build a provider.
type Config struct {
	BaseURL    string       // "" for the provider's default
	APIKey     string       // resolved secret; never logged or shown
	HTTPClient *http.Client // nil for the shared default policy
	// AllowInsecureHTTP permits plain http:// to a non-loopback host.
	AllowInsecureHTTP bool
	// Settings holds per-profile values (custom endpoints), e.g. models, voices.
	Settings map[string]string
	// Network tunes timeouts and retries of remote providers; zero fields
	// take the defaults of package providers/httpx.
	Network NetworkPolicy
}

// NetworkPolicy tunes how a remote provider uses the network. Every zero
// field means "use the default" (see package providers/httpx).
type NetworkPolicy struct {
	ConnectTimeout   time.Duration // to open a connection, TCP and TLS
	FirstByteTimeout time.Duration // from sending a request to the first audio byte
	MaxAttempts      int           // requests per call, counting the first; retries happen only before audio starts
	MaxRetryTime     time.Duration // most time spent on one call before giving up retrying
	RetryDelay       time.Duration // first back-off delay; it doubles on each retry
}

// Warner is implemented by providers that corrected something in their
// configuration (e.g. a legacy base URL) and want the user told.
type Warner interface {
	Warning() string
}

// VoiceChoices turns voices into sorted picker labels ("id — Name (lang,
// gender)") and a map from each label back to its voice ID.
func VoiceChoices(voices []Voice) (labels []string, ids map[string]string) {
	ids = make(map[string]string, len(voices))
	for _, v := range voices {
		l := v.ID
		if v.Name != "" && v.Name != v.ID {
			l = v.ID + " — " + v.Label()
		}
		ids[l] = v.ID
		labels = append(labels, l)
	}
	sort.Strings(labels)
	return labels, ids
}

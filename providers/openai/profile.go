package openai

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"chorus/providers"
	"chorus/providers/httpx"
)

// Profile is a user-defined OpenAI-compatible endpoint (Kokoro-FastAPI,
// LocalAI, a company proxy …). It is stored as JSON in the settings; the
// API key, if the endpoint needs one, lives in the keychain under the
// profile's ID, never here.
type Profile struct {
	ID      string `json:"id"`             // lower-case letters, digits and dashes; the --provider name
	Name    string `json:"name,omitempty"` // display name; ID when empty
	BaseURL string `json:"base_url"`       // e.g. http://localhost:8880/v1
	// Models are offered when the server does not list its own; the first
	// is the default. Empty means "tts-1".
	Models []string `json:"models,omitempty"`
	// Voices are offered when the server does not list its own
	// (GET /audio/voices).
	Voices []string `json:"voices,omitempty"`
	// Formats are the response_format values the server takes; empty means
	// mp3, opus, aac, flac, wav, pcm. "pcm" is taken as 24 kHz s16le mono.
	Formats []string `json:"formats,omitempty"`
	// AllowInsecureHTTP permits plain http:// to a host other than this machine.
	AllowInsecureHTTP bool `json:"allow_insecure_http,omitempty"`
}

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

var (
	profilesMu sync.Mutex
	profiles   = map[string]Profile{}
)

// Check reports what is wrong with the profile, as a validation error that
// says how to fix it.
func (p Profile) Check() error {
	if len(p.ID) > 40 || !idPattern.MatchString(p.ID) {
		return providers.Invalid(p.ID, "the ID %q must be 1 to 40 lower-case letters, digits and single dashes, like \"kokoro\" or \"local-ai\"", p.ID)
	}
	if p.BaseURL == "" {
		return providers.Invalid(p.ID, "the base URL is empty; enter the server's address, e.g. http://localhost:8880/v1")
	}
	if _, err := httpx.ParseBaseURL(p.BaseURL, p.AllowInsecureHTTP); err != nil {
		err.(*providers.Error).Provider = p.ID
		return err
	}
	return nil
}

// RegisterProfile checks p and registers it as a provider under p.ID,
// replacing an earlier profile with the same ID. It refuses an ID that a
// built-in provider uses.
func RegisterProfile(p Profile) error {
	if err := p.Check(); err != nil {
		return err
	}
	profilesMu.Lock()
	defer profilesMu.Unlock()
	if _, mine := profiles[p.ID]; !mine {
		if _, taken := providers.Lookup(p.ID); taken {
			return providers.Invalid(p.ID, "the ID %q belongs to a built-in provider; choose another", p.ID)
		}
	}
	profiles[p.ID] = p
	f := p.flavor()
	providers.Register(providers.Registration{Info: f.info, Capabilities: f.caps, New: factory(f), Order: 50})
	return nil
}

// UnregisterProfile removes the profile with this ID. IDs of built-in
// providers are left alone.
func UnregisterProfile(id string) {
	profilesMu.Lock()
	defer profilesMu.Unlock()
	if _, ok := profiles[id]; ok {
		delete(profiles, id)
		providers.Unregister(id)
	}
}

// Profiles returns the registered profiles sorted by ID.
func Profiles() []Profile {
	profilesMu.Lock()
	defer profilesMu.Unlock()
	out := make([]Profile, 0, len(profiles))
	for _, p := range profiles {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// New builds a provider for the profile without registering it (for a
// "Test connection" button, or tests). cfg.BaseURL, when empty, is the
// profile's; cfg.AllowInsecureHTTP is or-ed with the profile's.
func (p Profile) New(cfg providers.Config) (providers.Provider, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	return newProvider(p.flavor(), cfg)
}

func (p Profile) flavor() flavor {
	name := p.Name
	if name == "" {
		name = p.ID
	}
	models := p.Models
	if len(models) == 0 {
		models = []string{"tts-1"}
	}
	formats := p.Formats
	if len(formats) == 0 {
		formats = allFormats
	}
	f := flavor{
		info: providers.Info{
			ID: p.ID, Name: name,
			Description:    fmt.Sprintf("OpenAI-compatible endpoint at %s", p.BaseURL),
			KeyOptional:    true,
			DefaultBaseURL: p.BaseURL,
		},
		caps: providers.Capabilities{
			Formats:   slices.Clone(formats),
			Speed:     speedRange(),
			Streaming: true,
		},
		voices:   func(string) []providers.Voice { return voiceList(p.Voices...) },
		discover: true,
		pcmRate:  24000,
	}
	for _, m := range models {
		f.caps.Models = append(f.caps.Models, providers.Model{ID: m})
	}
	allowInsecure := p.AllowInsecureHTTP
	f.wrap = func(cfg providers.Config) providers.Config {
		cfg.AllowInsecureHTTP = cfg.AllowInsecureHTTP || allowInsecure
		return cfg
	}
	return f
}

// SplitList reads a comma-separated list as typed in a form or on the
// command line ("a, b,,c" → a, b, c): the models, voices and formats of a
// Profile.
func SplitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// Package core is what the GUI and the CLI share: it builds providers with
// their keys and base URLs, validates requests, runs a synthesis, plays it
// while it arrives, writes it to a file from the same request, and measures
// it. The front ends only collect settings and show results.
package core

import (
	"context"
	"net/http"
	"os"
	"strings"

	"chorus/cache"
	"chorus/player"
	"chorus/pricing"
	"chorus/providers"
)

// KeyFunc returns the API key for a provider: "" and nil when there is none.
type KeyFunc func(providerID string) (string, error)

// Engine runs syntheses. Its zero value works: keys from the environment,
// the real sound device, the default HTTP policy.
type Engine struct {
	// Keys resolves API keys (environment, then keychain). Nil: environment only.
	Keys KeyFunc
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// OpenSink opens the sound output; nil means the real device.
	OpenSink func() (player.Sink, error)
	// HTTPClient overrides the providers' HTTP client (tests).
	HTTPClient *http.Client
	// Cache keeps synthesized chunks and the history; nil for none.
	Cache *cache.Store
	// Prices estimates costs (see Estimate); nil uses the user's table
	// (pricing.DefaultTable).
	Prices *pricing.Table
}

func (e *Engine) getenv(k string) string {
	if e.Getenv != nil {
		return e.Getenv(k)
	}
	return os.Getenv(k)
}

// EnvKeys resolves keys from <ID>_API_KEY only.
func EnvKeys(getenv func(string) string) KeyFunc {
	return func(id string) (string, error) {
		r, ok := providers.Lookup(id)
		if !ok {
			return "", nil
		}
		return strings.TrimSpace(getenv(r.KeyEnv())), nil
	}
}

// Provider builds a provider with its key and base URL (the argument, else
// <ID>_BASE_URL). A provider that needs a key and has none is an error that
// says where to put one.
func (e *Engine) Provider(id, baseURL string) (providers.Provider, error) {
	reg, ok := providers.Lookup(id)
	if !ok {
		return nil, providers.Unknown(id)
	}
	if baseURL == "" {
		baseURL = e.getenv(reg.BaseURLEnv())
	}
	keys := e.Keys
	if keys == nil {
		keys = EnvKeys(e.getenv)
	}
	key := ""
	if reg.NeedsKey || reg.KeyOptional {
		k, err := keys(id)
		if err != nil && reg.NeedsKey {
			return nil, &providers.Error{Provider: id, Kind: providers.KindMissingKey,
				Message: "the API key could not be read: " + err.Error(),
				Hint:    "set " + reg.KeyEnv() + " for this run, or fix the keychain and try again"}
		}
		key = k
		if key == "" && reg.NeedsKey {
			return nil, &providers.Error{Provider: id, Kind: providers.KindMissingKey,
				Message: "no API key for " + reg.Name,
				Hint:    "add one in Settings or with `chorus keys set " + id + "`, or set " + reg.KeyEnv()}
		}
	}
	// Requests beyond the service's limit wait in the pipeline's one
	// limiter (see limit.go) instead of being refused.
	return reg.New(providers.Config{BaseURL: baseURL, APIKey: key, HTTPClient: e.HTTPClient})
}

// Voices lists a provider's voices.
func (e *Engine) Voices(ctx context.Context, id, baseURL, model string) ([]providers.Voice, error) {
	p, err := e.Provider(id, baseURL)
	if err != nil {
		return nil, err
	}
	return p.Voices(ctx, model)
}

// Models lists a provider's models, from the service when it can say.
func (e *Engine) Models(ctx context.Context, id, baseURL string) ([]providers.Model, error) {
	p, err := e.Provider(id, baseURL)
	if err != nil {
		return nil, err
	}
	if l, ok := p.(providers.ModelLister); ok {
		return l.Models(ctx)
	}
	return p.Capabilities().Models, nil
}

// Sink opens the configured sound output.
func (e *Engine) Sink() (player.Sink, error) {
	if e.OpenSink != nil {
		return e.OpenSink()
	}
	s, err := player.OpenDevice()
	if err != nil {
		return nil, err
	}
	return s, nil
}

// SearchVoices finds voices matching query: the provider searches itself
// when it can (a public voice library), else its list is filtered by ID,
// name, language and accent. An empty query lists every voice.
func (e *Engine) SearchVoices(ctx context.Context, id, baseURL, model, query string) ([]providers.Voice, error) {
	p, err := e.Provider(id, baseURL)
	if err != nil {
		return nil, err
	}
	query = strings.TrimSpace(query)
	if vs, ok := p.(providers.VoiceSearcher); ok && query != "" {
		return vs.SearchVoices(ctx, query, model)
	}
	voices, err := p.Voices(ctx, model)
	if err != nil || query == "" {
		return voices, err
	}
	q := strings.ToLower(query)
	var keep []providers.Voice
	for _, v := range voices {
		if strings.Contains(strings.ToLower(v.ID+" "+v.Name+" "+v.Language+" "+v.Accent), q) {
			keep = append(keep, v)
		}
	}
	return keep, nil
}

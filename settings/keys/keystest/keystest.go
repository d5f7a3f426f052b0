// Package keystest is a tiny fake provider for tests of API key handling: an
// httptest server that accepts exactly one key, registered as a throwaway
// provider that needs a key.
package keystest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"chorus/providers"
)

// Fake is a provider registered under ID whose server accepts only the key
// in Want (as "Authorization: Bearer <key>").
type Fake struct {
	ID  string
	URL string // the server's base URL

	mu       sync.Mutex
	want     string
	accepted int
	rejected int
	paths    []string
}

// New starts a fake server accepting key, registers a provider ID with
// NeedsKey (and, when checker is true, a CheckKey method), and removes both
// when the test ends.
func New(t testing.TB, id, key string, checker bool) *Fake {
	t.Helper()
	f := &Fake{ID: id, want: key}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	f.URL = srv.URL
	providers.Register(providers.Registration{
		Info: providers.Info{ID: id, Name: "Fake " + id, Description: "test double",
			NeedsKey: true, DefaultBaseURL: srv.URL, Website: "https://example.invalid"},
		New: func(cfg providers.Config) (providers.Provider, error) {
			base := cfg.BaseURL
			if base == "" {
				base = srv.URL
			}
			p := &provider{id: id, base: base, key: cfg.APIKey, client: srv.Client()}
			if checker {
				return &checkingProvider{p}, nil
			}
			return p, nil
		},
		Order: 1000,
	})
	t.Cleanup(func() {
		providers.Unregister(id)
		srv.Close()
	})
	return f
}

// SetWant changes the key the server accepts.
func (f *Fake) SetWant(key string) {
	f.mu.Lock()
	f.want = key
	f.mu.Unlock()
}

// Accepted counts requests that carried the right key.
func (f *Fake) Accepted() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.accepted
}

// Rejected counts requests that carried a wrong or no key.
func (f *Fake) Rejected() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rejected
}

// Paths lists the request paths the server saw, in order.
func (f *Fake) Paths() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.paths...)
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	ok := f.want != "" && r.Header.Get("Authorization") == "Bearer "+f.want
	f.paths = append(f.paths, r.URL.Path)
	if ok {
		f.accepted++
	} else {
		f.rejected++
	}
	f.mu.Unlock()
	if !ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":"invalid API key"}`)
		return
	}
	switch r.URL.Path {
	case "/voices", "/me":
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `[{"id":"alto","name":"Alto"},{"id":"bass","name":"Bass"}]`)
	default:
		http.NotFound(w, r)
	}
}

type provider struct {
	id, base, key string
	client        *http.Client
}

func (p *provider) Info() providers.Info {
	r, _ := providers.Lookup(p.id)
	return r.Info
}

func (p *provider) Capabilities() providers.Capabilities {
	return providers.Capabilities{Formats: []string{"wav"}, Speed: providers.Range{Min: 1, Max: 1, Default: 1}}
}

func (p *provider) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(p.base, "/")+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+p.key)
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, &providers.Error{Provider: p.id, Kind: providers.KindNetwork,
			Message: providers.Redact(err.Error(), p.key), Hint: "check the base URL"}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusUnauthorized {
		return nil, &providers.Error{Provider: p.id, Kind: providers.KindAuth, Status: resp.StatusCode,
			Message: "invalid API key", Hint: "Check the API key in Settings"}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &providers.Error{Provider: p.id, Kind: providers.KindServer, Status: resp.StatusCode}
	}
	return body, nil
}

func (p *provider) Voices(ctx context.Context, model string) ([]providers.Voice, error) {
	body, err := p.get(ctx, "/voices")
	if err != nil {
		return nil, err
	}
	var vs []providers.Voice
	if err := json.Unmarshal(body, &vs); err != nil {
		return nil, fmt.Errorf("decoding voices: %w", err)
	}
	return vs, nil
}

func (p *provider) Synthesize(ctx context.Context, req providers.Request) (*providers.Audio, error) {
	return nil, errors.New("the fake provider does not synthesize")
}

type checkingProvider struct{ *provider }

// CheckKey calls the fake's /me endpoint.
func (p *checkingProvider) CheckKey(ctx context.Context) error {
	_, err := p.get(ctx, "/me")
	return err
}

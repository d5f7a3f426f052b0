// Package pricing estimates what a synthesis costs, from a per-provider
// table of prices per million characters that the user can override.
// Figures are estimates for planning, not invoices.
package pricing

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"chorus/export"
)

// Price is US dollars per million input characters.
type Price float64

// Defaults are list prices as published by the providers (per million
// characters), where known. "provider" or "provider/model" keys; the model
// key wins. Local engines cost nothing.
var Defaults = map[string]Price{
	"local":                  0,
	"openai/tts-1":           15,
	"openai/tts-1-hd":        30,
	"openai/gpt-4o-mini-tts": 12, // UNCONFIRMED: billed by tokens; ~12 USD per 1M characters is OpenAI's own estimate
	"infery/tts-1":           15,
	"infery/tts-1-hd":        30,
}

// Table is the prices in force: the defaults plus the user's overrides.
type Table struct {
	Path string // where overrides are stored

	mu        sync.Mutex
	overrides map[string]Price
	loaded    bool
}

// DefaultTable keeps overrides in the user's config folder.
func DefaultTable() *Table {
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = os.TempDir()
	}
	return &Table{Path: filepath.Join(dir, "chorus", "prices.json")}
}

func (t *Table) load() {
	if t.loaded {
		return
	}
	t.loaded = true
	t.overrides = map[string]Price{}
	if t.Path == "" {
		return
	}
	b, err := os.ReadFile(t.Path)
	if err == nil {
		_ = json.Unmarshal(b, &t.overrides)
	}
}

// Lookup returns the price for a provider and model, and whether one is known.
func (t *Table) Lookup(provider, model string) (Price, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.load()
	for _, k := range []string{provider + "/" + model, provider} {
		if p, ok := t.overrides[k]; ok {
			return p, true
		}
	}
	for _, k := range []string{provider + "/" + model, provider} {
		if p, ok := Defaults[k]; ok {
			return p, true
		}
	}
	return 0, false
}

// Estimate is the cost in dollars of synthesizing chars characters.
func (t *Table) Estimate(provider, model string, chars int) (float64, bool) {
	p, ok := t.Lookup(provider, model)
	return float64(p) * float64(chars) / 1e6, ok
}

// Set overrides a price ("provider" or "provider/model") and saves it.
func (t *Table) Set(key string, p Price) error {
	if p < 0 || strings.TrimSpace(key) == "" {
		return errors.New("a price needs a provider (or provider/model) and a value of 0 or more")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.load()
	t.overrides[key] = p
	return t.save()
}

// Overrides returns a copy of the user's prices.
func (t *Table) Overrides() map[string]Price {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.load()
	out := map[string]Price{}
	for k, v := range t.overrides {
		out[k] = v
	}
	return out
}

func (t *Table) save() error {
	if t.Path == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(t.Path), 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	b, _ := json.MarshalIndent(t.overrides, "", "  ")
	return export.WriteFile(t.Path, b, true)
}

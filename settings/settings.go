// Package settings remembers what the user chose between runs: provider,
// model, voice, format and speed per provider, export folder, base URLs and
// window size. It stores them in Fyne preferences, which are plain JSON on
// disk, so nothing secret ever goes here: API keys live in the keychain
// (package settings/keys).
package settings

import (
	"fyne.io/fyne/v2"
)

// Keys of the stored preferences.
const (
	keyProvider  = "provider"
	keySpeed     = "speed"
	keyExportDir = "export.dir"
	keyWidth     = "window.width"
	keyHeight    = "window.height"
	keyText      = "text"
)

// Settings reads and writes preferences.
type Settings struct {
	p fyne.Preferences
}

// New wraps an app's preferences.
func New(p fyne.Preferences) *Settings { return &Settings{p: p} }

// Provider is the last provider used ("local" on first run).
func (s *Settings) Provider() string { return s.p.StringWithFallback(keyProvider, "local") }

// SetProvider remembers the provider.
func (s *Settings) SetProvider(id string) { s.p.SetString(keyProvider, id) }

// Model is the last model used with a provider.
func (s *Settings) Model(provider string) string { return s.p.String("model." + provider) }

// SetModel remembers a provider's model.
func (s *Settings) SetModel(provider, model string) { s.p.SetString("model."+provider, model) }

// Voice is the last voice used with a provider.
func (s *Settings) Voice(provider string) string { return s.p.String("voice." + provider) }

// SetVoice remembers a provider's voice.
func (s *Settings) SetVoice(provider, voice string) { s.p.SetString("voice."+provider, voice) }

// Format is the last format used with a provider.
func (s *Settings) Format(provider string) string { return s.p.String("format." + provider) }

// SetFormat remembers a provider's format.
func (s *Settings) SetFormat(provider, format string) { s.p.SetString("format."+provider, format) }

// Speed is the last speed (1 on first run).
func (s *Settings) Speed() float64 { return s.p.FloatWithFallback(keySpeed, 1) }

// SetSpeed remembers the speed.
func (s *Settings) SetSpeed(v float64) { s.p.SetFloat(keySpeed, v) }

// SampleRate is the last sample rate chosen for a provider (0 = default).
func (s *Settings) SampleRate(provider string) int { return s.p.Int("rate." + provider) }

// SetSampleRate remembers a provider's sample rate.
func (s *Settings) SetSampleRate(provider string, rate int) { s.p.SetInt("rate."+provider, rate) }

// ExportDir is the folder of the last export ("" = the home folder).
func (s *Settings) ExportDir() string { return s.p.String(keyExportDir) }

// SetExportDir remembers the export folder.
func (s *Settings) SetExportDir(dir string) { s.p.SetString(keyExportDir, dir) }

// BaseURL is the user's base URL override for a provider ("" = default).
func (s *Settings) BaseURL(provider string) string { return s.p.String("baseurl." + provider) }

// SetBaseURL stores a base URL override; "" removes it.
func (s *Settings) SetBaseURL(provider, url string) {
	if url == "" {
		s.p.RemoveValue("baseurl." + provider)
		return
	}
	s.p.SetString("baseurl."+provider, url)
}

// WindowSize is the last window size (a sensible default on first run).
func (s *Settings) WindowSize() fyne.Size {
	return fyne.NewSize(float32(s.p.FloatWithFallback(keyWidth, 900)), float32(s.p.FloatWithFallback(keyHeight, 620)))
}

// SetWindowSize remembers the window size.
func (s *Settings) SetWindowSize(sz fyne.Size) {
	s.p.SetFloat(keyWidth, float64(sz.Width))
	s.p.SetFloat(keyHeight, float64(sz.Height))
}

// Text is the text left in the editor last time.
func (s *Settings) Text() string { return s.p.String(keyText) }

// SetText keeps the editor's text for the next run.
func (s *Settings) SetText(t string) { s.p.SetString(keyText, t) }

// Volume is the playback volume from 0 to 1 (1 on first run).
func (s *Settings) Volume() float64 { return s.p.FloatWithFallback("volume", 1) }

// SetVolume remembers the playback volume.
func (s *Settings) SetVolume(v float64) { s.p.SetFloat("volume", v) }

// ChunkChars is the user's chunk size for a provider: the most characters
// per request for long text (0 = the provider's own limit).
func (s *Settings) ChunkChars(provider string) int { return s.p.Int("limits.chunk." + provider) }

// SetChunkChars stores a provider's chunk size; 0 returns to the default.
func (s *Settings) SetChunkChars(provider string, n int) { s.setOrRemove("limits.chunk."+provider, n) }

// Parallel is the user's number of requests at once for a provider's long
// text (0 = the provider's own limit, else 3).
func (s *Settings) Parallel(provider string) int { return s.p.Int("limits.parallel." + provider) }

// SetParallel stores a provider's parallel requests; 0 returns to the default.
func (s *Settings) SetParallel(provider string, n int) { s.setOrRemove("limits.parallel."+provider, n) }

func (s *Settings) setOrRemove(key string, n int) {
	if n <= 0 {
		s.p.RemoveValue(key)
		return
	}
	s.p.SetInt(key, n)
}

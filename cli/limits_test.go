package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"chorus/internal/scripted"
	"chorus/settings"
)

// Without --chunk-chars, speak uses the chunk size saved in the desktop
// app's Settings for the provider; the flag still wins.
func TestSpeakUsesTheLimitsSavedInSettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "preferences.json")
	old := settings.PreferencesFile
	settings.PreferencesFile = func() string { return path }
	t.Cleanup(func() { settings.PreferencesFile = old })
	os.WriteFile(path, []byte(`{"limits.chunk.cli-saved":40,"limits.parallel.cli-saved":1}`), 0o600)
	p := scripted.Register(t, &scripted.Provider{ID: "cli-saved"})
	p.Caps.MaxChars = 200
	text := strings.Repeat("This is one sentence of the text. ", 5)
	dir := t.TempDir()
	r := runWith(t, longEngine(t), "speak", "--provider", "cli-saved", "--no-cache", "--out", filepath.Join(dir, "a.wav"), text)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	saved := len(p.Requests())
	for _, q := range p.Requests() {
		if len(q.Text) > 40 {
			t.Errorf("a request of %d characters with 40 saved", len(q.Text))
		}
	}
	r = runWith(t, longEngine(t), "speak", "--provider", "cli-saved", "--no-cache", "--chunk-chars", "200", "--out", filepath.Join(dir, "b.wav"), text)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if flagged := len(p.Requests()) - saved; saved < 4 || flagged >= saved {
		t.Errorf("%d requests with the saved 40 characters, %d with --chunk-chars 200", saved, flagged)
	}
}

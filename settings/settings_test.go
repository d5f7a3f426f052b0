package settings

import (
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"
)

// Limits are kept per provider, and 0 returns to the default.
func TestLimitsPerProvider(t *testing.T) {
	s := New(test.NewTempApp(t).Preferences())
	s.SetChunkChars("openai", 1200)
	s.SetParallel("openai", 2)
	if s.ChunkChars("openai") != 1200 || s.Parallel("openai") != 2 || s.ChunkChars("local") != 0 || s.Parallel("local") != 0 {
		t.Errorf("openai %d/%d, local %d/%d", s.ChunkChars("openai"), s.Parallel("openai"), s.ChunkChars("local"), s.Parallel("local"))
	}
	s.SetChunkChars("openai", 0)
	s.SetParallel("openai", -1)
	if s.ChunkChars("openai") != 0 || s.Parallel("openai") != 0 {
		t.Errorf("after reset %d/%d", s.ChunkChars("openai"), s.Parallel("openai"))
	}
}

// The command line reads the limits from the desktop app's preferences file.
func TestSavedLimitsFromThePreferencesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "preferences.json")
	old := PreferencesFile
	PreferencesFile = func() string { return path }
	t.Cleanup(func() { PreferencesFile = old })
	if c, n := SavedLimits("openai"); c != 0 || n != 0 {
		t.Errorf("no file: %d/%d", c, n)
	}
	os.WriteFile(path, []byte(`{"limits.chunk.openai":1200,"limits.parallel.openai":2,"provider":"openai"}`), 0o600)
	if c, n := SavedLimits("openai"); c != 1200 || n != 2 {
		t.Errorf("saved: %d/%d", c, n)
	}
	if c, n := SavedLimits("local"); c != 0 || n != 0 {
		t.Errorf("another provider: %d/%d", c, n)
	}
}

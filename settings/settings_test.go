package settings

import (
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

package settings

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
)

// GUIAppID is the desktop app's ID, which names its preferences folder.
const GUIAppID = "io.github.chorus.studio"

// PreferencesFile is where the desktop app's preferences are kept (Fyne
// stores them there as JSON), so that the command line can read what was
// chosen in Settings. Tests may replace it.
var PreferencesFile = func() string {
	var root string
	switch runtime.GOOS {
	case "darwin":
		home, _ := os.UserHomeDir()
		root = filepath.Join(home, "Library", "Preferences")
	case "windows":
		home, _ := os.UserHomeDir()
		root = filepath.Join(home, "AppData", "Roaming")
	default:
		root, _ = os.UserConfigDir()
	}
	return filepath.Join(root, "fyne", GUIAppID, "preferences.json")
}

// SavedLimits is the chunk size and parallel requests saved for a provider
// in the desktop app's Settings (0 for each one not saved, or when the
// preferences cannot be read).
func SavedLimits(provider string) (chunk, parallel int) {
	b, err := os.ReadFile(PreferencesFile())
	if err != nil {
		return 0, 0
	}
	var prefs map[string]any
	if json.Unmarshal(b, &prefs) != nil {
		return 0, 0
	}
	num := func(key string) int {
		if v, ok := prefs[key].(float64); ok && v > 0 {
			return int(v)
		}
		return 0
	}
	return num("limits.chunk." + provider), num("limits.parallel." + provider)
}

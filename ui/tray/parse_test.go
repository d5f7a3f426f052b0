package tray

import (
	"strings"
	"testing"
)

func TestParseShortcut(t *testing.T) {
	for in, want := range map[string]string{
		"Ctrl+Alt+S":      "Ctrl+Alt+S",
		" ctrl + alt + s": "Ctrl+Alt+S",
		"shift+ctrl+f8":   "Ctrl+Shift+F8",
		"Super+5":         "Super+5",
		"Control+Alt+F12": "Ctrl+Alt+F12",
		"Win+Shift+R":     "Shift+Super+R",
	} {
		sc, err := ParseShortcut(in)
		if err != nil || sc.String() != want {
			t.Errorf("ParseShortcut(%q) = %q, %v; want %q", in, sc, err, want)
		}
	}
	for in, says := range map[string]string{
		"S":            "modifiers and a key",
		"Shift+S":      "needs Ctrl, Alt or Super",
		"Ctrl+Hyper+S": "not a modifier",
		"Ctrl+Alt+F13": "letter, a digit or F1 to F12",
		"Ctrl+Alt+é":   "letter, a digit or F1 to F12",
		"":             "modifiers and a key",
	} {
		if _, err := ParseShortcut(in); err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("ParseShortcut(%q) error %v, want one saying %q", in, err, says)
		}
	}
}

package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// The page the Settings window's Voices tab shows is the natural-voices
// page (settingswin's own tests check that an added page replaces the
// placeholder tab).
func TestSettingsVoicesPageListsNaturalVoices(t *testing.T) {
	t.Setenv("CHORUS_VOICES_DIR", t.TempDir())
	s, _ := newTestStudio(t)
	found := false
	for _, o := range test.LaidOutObjects(s.voicesPage()) {
		if l, ok := o.(*widget.Label); ok && strings.HasPrefix(l.Text, "Natural voices run on this computer") {
			found = true
		}
	}
	if !found {
		t.Error("the Voices page does not show the natural voices")
	}
}

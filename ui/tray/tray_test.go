package tray

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func TestMenuItemsRunTheirActions(t *testing.T) {
	var called []string
	rec := func(name string) func() { return func() { called = append(called, name) } }
	keep := false
	m := Menu(Actions{SpeakClipboard: rec("clipboard"), SpeakSelection: rec("selection"),
		TogglePause: rec("pause"), Stop: rec("stop"), Show: rec("show"), Quit: rec("quit"),
		KeepInTray: func() bool { return keep }, SetKeepInTray: func(v bool) { keep = v }})
	var labels []string
	for _, it := range m.Items {
		if it.IsSeparator {
			continue
		}
		labels = append(labels, it.Label)
		it.Action()
	}
	want := "Speak clipboard|Speak selection|Pause/Resume|Stop|Show Chorus|Keep running in the tray when the window closes|Quit"
	if got := strings.Join(labels, "|"); got != want {
		t.Errorf("menu = %s\nwant   %s", got, want)
	}
	if got := strings.Join(called, ","); got != "clipboard,selection,pause,stop,show,quit" {
		t.Errorf("actions called: %s", got)
	}
	if !keep || !m.Items[6].Checked {
		t.Errorf("the keep item did not turn the setting on (keep=%v checked=%v)", keep, m.Items[6].Checked)
	}
	if !m.Items[len(m.Items)-1].IsQuit {
		t.Error("Quit is not marked IsQuit; the driver would add a second Quit")
	}
}

// The keep setting starts as stored: off by default.
func TestMenuShowsTheStoredSetting(t *testing.T) {
	noop := func() {}
	m := Menu(Actions{SpeakClipboard: noop, SpeakSelection: noop, TogglePause: noop, Stop: noop, Show: noop, Quit: noop,
		KeepInTray: func() bool { return false }, SetKeepInTray: func(bool) {}})
	for _, it := range m.Items {
		if strings.HasPrefix(it.Label, "Keep running") && it.Checked {
			t.Error("keep in tray is checked though the setting is off")
		}
	}
}

// The test driver has no tray: Install says so instead of pretending.
func TestInstallWithoutTray(t *testing.T) {
	a := test.NewTempApp(t)
	_, isDesktop := a.(interface{ SetSystemTrayMenu(*fyne.Menu) })
	if got := Install(a, nil, Actions{KeepInTray: func() bool { return false }}); got != isDesktop {
		t.Errorf("Install = %v, driver has a tray: %v", got, isDesktop)
	}
}

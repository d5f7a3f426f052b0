package ui

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2/test"

	"chorus/internal/scripted"
	"chorus/player"
)

// With no sound device, Speak says so in the window's words (no flags);
// once the sound server is back, Speak plays: the device is opened again,
// not remembered as missing.
func TestNoDeviceThenRetryPlays(t *testing.T) {
	s, sink := newTestStudio(t)
	var mu sync.Mutex
	missing := true
	s.Engine.OpenSink = func() (player.Sink, error) {
		mu.Lock()
		defer mu.Unlock()
		if missing {
			return nil, fmt.Errorf("%w: no sound server", player.ErrNoDevice)
		}
		return sink, nil
	}
	scripted.Register(t, &scripted.Provider{ID: "ui-nodev"})
	s.RefreshProviders()
	s.selectProvider("ui-nodev")
	test.Type(s.Text, "Is anyone listening?")
	test.Tap(s.SpeakButton)
	eventually(t, "the no-device error", func() bool { return strings.HasPrefix(s.Status.Text, "Error: ") })
	msg := s.Status.Text
	if !strings.Contains(msg, "sound server") || strings.Contains(msg, "--") || !strings.Contains(msg, "save it to a file instead") {
		t.Errorf("no device: %q", msg)
	}
	if s.Busy() || !s.PauseButton.Disabled() {
		t.Errorf("after the failure: busy %v, pause enabled %v", s.Busy(), !s.PauseButton.Disabled())
	}
	mu.Lock()
	missing = false
	mu.Unlock()
	test.Tap(s.SpeakButton)
	eventually(t, "played once the device is back", func() bool { return strings.HasPrefix(s.Status.Text, "Done") })
	if len(sink.Samples()) == 0 {
		t.Error("nothing reached the sink")
	}
	if s.Text.Text != "Is anyone listening?" {
		t.Errorf("the text changed to %q", s.Text.Text)
	}
}

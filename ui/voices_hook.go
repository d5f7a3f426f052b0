package ui

import (
	"strings"
	"sync"

	"fyne.io/fyne/v2"

	"chorus/providers/piper"
	"chorus/ui/settingswin"
	"chorus/ui/voicespage"
	"chorus/voices"
)

// voicesMenuItem opens the Voices page (natural voices to download).
func (s *Studio) voicesMenuItem() *fyne.MenuItem {
	return fyne.NewMenuItem("Voices…", func() {
		voicespage.ShowDialog(s.Window, voicespage.Options{Engine: s.Engine, OnChange: s.naturalVoiceChanged})
	})
}

// addVoicesPage puts the natural voices (search, download, remove, play a
// sample) on the Voices page of the Settings window.
func (s *Studio) addVoicesPage() { settingswin.AddPage("Voices", s.voicesPage) }

// voicesPage builds the Voices page's content.
func (s *Studio) voicesPage() fyne.CanvasObject {
	return voicespage.New(s.Window, voicespage.Options{Engine: s.Engine, OnChange: s.naturalVoiceChanged}).Content()
}

// naturalVoiceChanged makes a newly installed natural voice the default for
// new text; espeak-ng stays selectable.
func (s *Studio) naturalVoiceChanged(id string, installed bool) {
	if installed {
		s.Settings.SetProvider(voicespage.ProviderID)
		s.Settings.SetVoice(voicespage.ProviderID, id)
	}
	s.RefreshProviders()
}

// offerNaturalVoice makes the one first-launch offer of a natural voice.
func (s *Studio) offerNaturalVoice() {
	voicespage.Offer(s.Window, s.App.Preferences(), func(id string) { s.naturalVoiceChanged(id, true) })
}

// preloading holds the natural voices being loaded ahead of Speak.
var preloading sync.Map

// preloadNaturalVoice loads a picked natural voice right away, so the first
// Speak does not wait for it, and says "Loading voice…" meanwhile.
func (s *Studio) preloadNaturalVoice() {
	if s.ProviderID() != voicespage.ProviderID {
		return
	}
	id := s.VoiceID()
	if id == "" {
		id = piper.DefaultVoice()
	}
	dir, err := voices.Dir()
	if id == "" || err != nil || piper.LoadTime(id) > 0 {
		return
	}
	base, _, _ := strings.Cut(id, "#")
	if _, err := voices.Open(dir, base); err != nil {
		return
	}
	if _, busy := preloading.LoadOrStore(base, true); busy {
		return
	}
	s.SetStatus("Loading voice…")
	go func() {
		defer preloading.Delete(base)
		err := piper.Preload(base, 0)
		fyne.Do(func() {
			if err != nil {
				s.SetStatus("The voice could not be loaded: " + err.Error())
			} else if s.Status.Text == "Loading voice…" {
				s.SetStatus("Voice ready.")
			}
		})
	}()
}

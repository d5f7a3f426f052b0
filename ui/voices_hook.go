package ui

import (
	"fyne.io/fyne/v2"

	"chorus/ui/voicespage"
)

// voicesMenuItem opens the Voices page (natural voices to download).
func (s *Studio) voicesMenuItem() *fyne.MenuItem {
	return fyne.NewMenuItem("Voices…", func() {
		voicespage.ShowDialog(s.Window, voicespage.Options{Engine: s.Engine, OnChange: s.naturalVoiceChanged})
	})
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

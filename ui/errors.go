package ui

import (
	"strings"

	"fyne.io/fyne/v2/widget"

	"chorus/providers"
	"chorus/ui/plain"
)

// Errors in the window speak a window user's language (package plain) and
// each offers its action as a button.

// PlainError turns an error into sentences for a person.
func PlainError(err error) string { return plain.Error(err) }

// errorAction is the button an error offers, or "" for none.
func errorAction(err error) string {
	switch providers.KindOf(err) {
	case providers.KindAuth, providers.KindForbidden, providers.KindMissingKey:
		return "Open Settings"
	case providers.KindServer, providers.KindNetwork, providers.KindRateLimit, providers.KindCutStream:
		return "Retry"
	case providers.KindValidation:
		if strings.Contains(strings.ToLower(err.Error()), "format") {
			return "Choose another format"
		}
	}
	return ""
}

// showError puts an error in the status line in plain words, with its
// action as a button; the text is kept.
func (s *Studio) showError(err error) {
	msg := PlainError(err)
	s.SetStatus("Error: " + msg)
	s.setAction(errorAction(err))
	k := providers.KindOf(err)
	if k == providers.KindMissingKey && s.OpenSettings != nil {
		s.OpenSettings(s.ProviderID())
	}
}

// setAction shows the status line's action button for label ("" hides it).
func (s *Studio) setAction(label string) {
	if s.ActionButton == nil {
		return
	}
	id := s.ProviderID()
	switch label {
	case "Open Settings":
		s.ActionButton.OnTapped = func() {
			if s.OpenSettings != nil {
				s.OpenSettings(id)
			}
		}
	case "Retry":
		s.ActionButton.OnTapped = func() { s.ActionButton.Hide(); s.Speak() }
	case "Choose another format":
		s.ActionButton.OnTapped = func() {
			s.ActionButton.Hide()
			s.Advanced.OpenAll()
			s.Window.Canvas().Focus(s.Format)
		}
	default:
		s.ActionButton.Hide()
		return
	}
	s.ActionButton.SetText(label)
	s.ActionButton.Importance = widget.HighImportance
	s.ActionButton.Show()
}

package ui

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2/widget"

	"chorus/providers"
)

// Errors in the window speak a window user's language: no command lines or
// flags, sentences that start with a capital and end with one full stop, no
// decoder internals; and each offers its action as a button.

var (
	cliCommand      = regexp.MustCompile("(?:run |use |try )?[`“\"']?chorus(?: [a-z][\\w-]*)+(?: --?[\\w-]+(?:[= ][^\\s`”\"']+)?)*[`”\"']?")
	cliFlag         = regexp.MustCompile(`\s*\(?--[a-z][\w-]*(?:[= ][^\s,;)]+)?\)?`)
	codecDetail     = regexp.MustCompile(`(?i)(?:at |in )?frame \d+ \(\d+ of \d+ bytes\)`)
	doubleStops     = regexp.MustCompile(`\.(\s*\.)+`)
	spaceBeforeStop = regexp.MustCompile(`\s+\.(\s|$)`)
	sentenceGaps    = regexp.MustCompile(`([.!?]) +([a-z])`)
)

// PlainError turns an error into sentences for a person.
func PlainError(err error) string {
	msg := err.Error()
	if providers.KindOf(err) == providers.KindCutStream || codecDetail.MatchString(msg) {
		msg = codecDetail.ReplaceAllString(msg, "")
		if !strings.Contains(strings.ToLower(msg), "broke") {
			msg += ". The connection broke before all the audio arrived"
		}
	}
	msg = cliCommand.ReplaceAllString(msg, "use the matching setting")
	msg = cliFlag.ReplaceAllString(msg, "")
	msg = strings.Join(strings.Fields(msg), " ")
	msg = strings.TrimSpace(strings.TrimRight(msg, " :;,"))
	msg = sentenceGaps.ReplaceAllStringFunc(msg, func(m string) string {
		r, size := utf8.DecodeLastRuneInString(m)
		return m[:len(m)-size] + string(unicode.ToUpper(r))
	})
	if r, size := utf8.DecodeRuneInString(msg); size > 0 {
		msg = string(unicode.ToUpper(r)) + msg[size:]
	}
	if !strings.HasSuffix(msg, ".") && !strings.HasSuffix(msg, "?") && !strings.HasSuffix(msg, "!") {
		msg += "."
	}
	msg = spaceBeforeStop.ReplaceAllString(msg, ".$1")
	return doubleStops.ReplaceAllString(msg, ".")
}

// errorAction is the button an error offers, or "" for none.
func errorAction(err error) string {
	switch providers.KindOf(err) {
	case providers.KindAuth, providers.KindForbidden, providers.KindMissingKey, providers.KindUnavailable:
		if strings.Contains(err.Error(), "key") || providers.KindOf(err) != providers.KindUnavailable {
			return "Open Settings"
		}
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
	if (k == providers.KindMissingKey || k == providers.KindUnavailable && strings.Contains(err.Error(), "API key")) && s.OpenSettings != nil {
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

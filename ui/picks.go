package ui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"

	"chorus/providers"
)

// Every picker is remembered per provider: switching from one provider to
// another and back restores what was chosen for each, and a value the newly
// chosen provider does not offer is never sent — its default is chosen and
// the status line says so. Model, voice, format and sample rate live in
// package settings; speed, language, transport and the provider options are
// kept here under "pick.<provider>.<field>".

// pickKey is the preference key of one provider's choice of one field.
func pickKey(provider, field string) string { return "pick." + provider + "." + field }

func (s *Studio) prefs() fyne.Preferences { return s.App.Preferences() }

// fixedRates are offered for providers with a fixed output rate: the rate
// then applies to exports.
var fixedRates = []int{8000, 16000, 22050, 24000, 44100, 48000}

// providerChanged refills the pickers from the provider's capabilities and
// what was chosen for that provider before, then loads voices in the
// background.
func (s *Studio) providerChanged() {
	id := s.ProviderID()
	reg, caps := s.capabilities()
	s.Settings.SetProvider(id)
	s.restoring = true
	defer func() { s.restoring = false }()
	var dropped []string // choices the provider does not offer

	var models []string
	for _, m := range caps.Models {
		models = append(models, m.ID)
	}
	s.Model.SetOptions(models)
	model := s.Settings.Model(id)
	if model != "" && len(models) > 0 && !slices.Contains(models, model) {
		dropped = append(dropped, "model “"+model+"”")
		model = ""
	}
	if model == "" {
		model = caps.DefaultModel()
	}
	s.Model.SetText(model)

	s.Format.Options = caps.Formats
	f := s.Settings.Format(id)
	if f != "" && !slices.Contains(caps.Formats, f) {
		dropped = append(dropped, "format “"+f+"”")
		f = ""
	}
	if f == "" {
		f = caps.DefaultFormat()
	}
	s.Format.SetSelected(f)
	s.Format.Refresh()

	lo, hi, def := 0.25, 4.0, 1.0
	if caps.Speed.Max > 0 {
		lo, hi = caps.Speed.Min, caps.Speed.Max
		if caps.Speed.Default > 0 {
			def = caps.Speed.Default
		}
	}
	s.Speed.Min, s.Speed.Max = lo, hi
	v := s.prefs().FloatWithFallback(pickKey(id, "speed"), def)
	if v < lo || v > hi {
		dropped = append(dropped, "speed "+strconv.FormatFloat(v, 'g', 3, 64)+"×")
		v = min(max(def, lo), hi)
	}
	s.Speed.SetValue(v)
	s.Speed.Refresh()

	rates := []string{"default"}
	offered := caps.SampleRates
	if len(offered) == 0 {
		offered = fixedRates
	}
	for _, r := range offered {
		rates = append(rates, strconv.Itoa(r))
	}
	s.SampleRate.Options = rates
	rate := "default"
	if r := s.Settings.SampleRate(id); r != 0 {
		if slices.Contains(offered, r) {
			rate = strconv.Itoa(r)
		} else {
			dropped = append(dropped, "sample rate "+strconv.Itoa(r)+" Hz")
		}
	}
	s.SampleRate.SetSelected(rate)

	s.Language.SetOptions(caps.Languages)
	lang := s.prefs().String(pickKey(id, "language"))
	if lang != "" && len(caps.Languages) > 0 && !slices.Contains(caps.Languages, lang) {
		dropped = append(dropped, "language “"+lang+"”")
		lang = ""
	}
	s.Language.SetText(lang)

	s.Voice.Loading()
	s.Voice.SetSearchable(caps.VoiceSearch)
	s.Voice.SetVoice(s.Settings.Voice(id))
	s.updateCount()
	s.modelChanged(s.Model.Text)

	if len(dropped) > 0 {
		s.SetStatus(fmt.Sprintf("%s does not offer the %s chosen before, so its default is used.", reg.Name, strings.Join(dropped, ", ")))
	}
	s.loadVoices(id)
}

// checkVoice replaces a remembered voice the provider does not list with
// its default voice, and says so. Providers that search a larger library
// keep whatever was picked from a search.
func (s *Studio) checkVoice(voices []providers.Voice) {
	v := s.VoiceID()
	if v == "" || len(voices) == 0 {
		return
	}
	for _, x := range voices {
		if x.ID == v {
			return
		}
	}
	reg, _ := providers.Lookup(s.ProviderID())
	if reg.Capabilities.VoiceSearch {
		return
	}
	s.restoring = true
	s.Voice.SetVoice(defaultVoice(s.ProviderID()))
	s.restoring = false
	s.Settings.SetVoice(s.ProviderID(), s.VoiceID())
	s.SetStatus(fmt.Sprintf("%s has no voice “%s”, so its default voice is used.", reg.Name, v))
}

// defaultVoice is the voice a provider starts with ("" lets it choose).
func defaultVoice(provider string) string {
	if provider == "local" {
		return "en-us"
	}
	return ""
}

// remember keeps the current choices for the selected provider.
func (s *Studio) remember() {
	if s.restoring {
		return
	}
	s.preloadNaturalVoice() // voices_hook.go
	id := s.ProviderID()
	s.Settings.SetVoice(id, s.VoiceID())
	if s.Format.Selected != "" {
		s.Settings.SetFormat(id, s.Format.Selected)
	}
	r, _ := strconv.Atoi(s.SampleRate.Selected)
	s.Settings.SetSampleRate(id, r)
	s.prefs().SetFloat(pickKey(id, "speed"), s.Speed.Value)
	s.Settings.SetSpeed(s.Speed.Value)
	s.prefs().SetString(pickKey(id, "language"), strings.TrimSpace(s.Language.Text))
	if s.transportPick != nil {
		s.prefs().SetString(pickKey(id, "transport"), s.transportPick.Selected)
	}
	for _, f := range s.optionFields {
		s.prefs().SetString(pickKey(id, "opt."+f.opt.Key), f.value())
	}
}

// voicesFiltered says in the status line how many voices match what is
// typed in the voice field (the picker narrows its list).
func (s *Studio) voicesFiltered(shown, total int, query string) {
	if s.restoring {
		return
	}
	s.SetStatus(fmt.Sprintf("%d of %d voices match “%s”.", shown, total, query))
}

package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"chorus/providers/openai"
	"chorus/ui/modal"
)

// ShowAddEndpoint asks for a custom OpenAI-compatible endpoint (a local
// Kokoro-FastAPI or LocalAI server, say), saves it and selects it. Its key,
// if it needs one, goes to the keychain through Settings, never here.
func (s *Studio) ShowAddEndpoint() {
	id := widget.NewEntry()
	id.SetPlaceHolder("kokoro")
	name := widget.NewEntry()
	name.SetPlaceHolder("Kokoro on this machine")
	base := widget.NewEntry()
	base.SetPlaceHolder("http://localhost:8880/v1")
	models := widget.NewEntry()
	models.SetPlaceHolder("kokoro (comma-separated; empty: ask the server)")
	voices := widget.NewEntry()
	voices.SetPlaceHolder("af_heart, am_adam (empty: ask the server)")
	formats := widget.NewEntry()
	formats.SetPlaceHolder("mp3, wav, pcm (empty: all OpenAI formats)")
	insecure := widget.NewCheck("Allow plain http:// to another machine", nil)
	items := []*widget.FormItem{
		widget.NewFormItem("ID", id), widget.NewFormItem("Name", name), widget.NewFormItem("Base URL", base),
		widget.NewFormItem("Models", models), widget.NewFormItem("Voices", voices),
		widget.NewFormItem("Formats", formats), widget.NewFormItem("", insecure),
	}
	d := dialog.NewForm("Add an OpenAI-compatible endpoint", "Add", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		p := openai.Profile{ID: strings.TrimSpace(id.Text), Name: strings.TrimSpace(name.Text),
			BaseURL: strings.TrimSpace(base.Text), Models: openai.SplitList(models.Text), Voices: openai.SplitList(voices.Text),
			Formats: openai.SplitList(formats.Text), AllowInsecureHTTP: insecure.Checked}
		if err := s.AddEndpoint(p); err != nil {
			modal.ShowError(err, s.Window)
		}
	}, s.Window)
	d.Resize(fyne.NewSize(560, 420))
	modal.Show(d, s.Window)
}

// AddEndpoint validates, saves and selects a custom endpoint.
func (s *Studio) AddEndpoint(p openai.Profile) error {
	if err := p.Check(); err != nil {
		return err
	}
	if err := s.Profiles.Save(p); err != nil {
		return err
	}
	s.RefreshProviders()
	s.selectProvider(p.ID)
	s.SetStatus("Added " + p.ID + ". If it needs a key, add it in Settings.")
	return nil
}

// RemoveEndpoint forgets the selected custom endpoint.
func (s *Studio) RemoveEndpoint(id string) error {
	if err := s.Profiles.Delete(id); err != nil {
		return err
	}
	s.RefreshProviders()
	s.selectProvider("local")
	return nil
}

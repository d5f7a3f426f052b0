// Package ui is Chorus's window: pickers for provider, model, voice, format
// and speed over a text editor, Speak/Stop/Export, and a status line. It is a
// thin layer over package core; all waiting happens in worker goroutines that
// report back through fyne.Do, so the window never blocks.
package ui

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"chorus/core"
	"chorus/providers"
	"chorus/settings"
)

// uiDo runs f on the UI goroutine. Workers call it for every widget
// change. Tests replace it to run updates on the test goroutine, because
// Fyne's test driver runs fyne.Do inline on the calling goroutine.
var uiDo = fyne.Do

// Title is the main window's title.
const Title = "Chorus"

// Studio is the main window's model and widgets. Fields are exported so
// headless tests can drive the real widgets.
type Studio struct {
	App      fyne.App
	Window   fyne.Window
	Engine   *core.Engine
	Settings *settings.Settings
	// OpenSettings, when set, opens the Settings window at a provider's row.
	OpenSettings func(providerID string)
	// Profiles stores custom OpenAI-compatible endpoints.
	Profiles *settings.ProfileStore

	Provider     *widget.Select
	Model        *widget.SelectEntry
	Voice        *widget.SelectEntry
	Format       *widget.Select
	Speed        *widget.Slider
	SpeedLabel   *widget.Label
	SampleRate   *widget.Select
	Language     *widget.SelectEntry
	Instructions *widget.Entry
	Batch        *widget.Check
	Text         *editor
	Count        *widget.Label
	SpeakButton  *widget.Button
	StopButton   *widget.Button
	ExportButton *widget.Button
	Status       *widget.Label
	Advanced     *widget.Accordion
	Waveform     *Waveform
	PauseButton  *widget.Button
	Volume       *widget.Slider
	Position     *widget.Label
	Tabs         *container.AppTabs // Speak, and the feature tabs added with AddTab

	exportDialog    dialog.Dialog
	providerOptions *fyne.Container // provider-specific fields, rebuilt per provider and model
	optionFields    []*optionField
	transportPick   *widget.Select
	ts              transportState
	long            *LongView // long text: progress, reading view, overrides (long.go)
	book            *bookView // chapters panel beside the editor (book_hook.go)

	providerIDs []string
	missingKey  map[string]bool   // providers known to have no key
	refreshGen  int               // the newest RefreshProviders, so older ones don't overwrite it
	voiceIDs    map[string]string // label -> ID

	mu     sync.Mutex
	cancel context.CancelFunc
	busy   bool
	runID  int
}

// New builds the main window's content; call Show to put it on screen.
func New(app fyne.App, win fyne.Window, engine *core.Engine, st *settings.Settings) *Studio {
	s := &Studio{App: app, Window: win, Engine: engine, Settings: st, voiceIDs: map[string]string{},
		Profiles: settings.DefaultProfiles()}
	s.build()
	return s
}

func (s *Studio) build() {
	var names []string
	for _, r := range providers.List() {
		s.providerIDs = append(s.providerIDs, r.ID)
		names = append(names, s.providerLabel(r))
	}
	s.Provider = widget.NewSelect(names, func(string) { s.providerChanged() })
	s.Model = widget.NewSelectEntry(nil)
	s.Model.OnChanged = func(m string) { s.modelChanged(m) }
	s.Voice = widget.NewSelectEntry(nil)
	s.Voice.PlaceHolder = "default voice (type and press Enter to search)"
	s.Voice.OnSubmitted = s.SearchVoices
	s.Voice.OnChanged = func(string) { s.remember() }
	s.Format = widget.NewSelect(nil, func(string) { s.remember() })
	s.Speed = widget.NewSlider(0.25, 4)
	s.Speed.Step = 0.05
	s.SpeedLabel = widget.NewLabel("1.00×")
	s.Speed.OnChanged = func(v float64) { s.SpeedLabel.SetText(fmt.Sprintf("%.2f×", v)) }
	s.Speed.OnChangeEnded = func(v float64) { s.Settings.SetSpeed(v) }
	s.SampleRate = widget.NewSelect(nil, func(string) { s.remember() })
	s.Language = widget.NewSelectEntry(nil)
	s.Language.PlaceHolder = "from the voice"
	s.Instructions = widget.NewMultiLineEntry()
	s.Instructions.PlaceHolder = "How should it sound? e.g. calm and warm, like a bedtime story"
	s.Instructions.SetMinRowsVisible(2)
	s.Batch = widget.NewCheck("Wait for the whole clip (no streaming)", nil)

	s.Text = newEditor(s.Speak, s.Stop)
	s.Text.PlaceHolder = "Type or paste text, then press Speak (Ctrl+Enter)."
	s.Count = widget.NewLabel("0 characters")
	s.Text.OnChanged = func(string) { s.updateCount() }

	s.SpeakButton = widget.NewButton("Speak", s.Speak)
	s.SpeakButton.Importance = widget.HighImportance
	s.StopButton = widget.NewButton("Stop", s.Stop)
	s.StopButton.Disable()
	s.ExportButton = widget.NewButton("Export…", s.ShowExport)
	s.Status = widget.NewLabel("Ready.")
	s.Status.Wrapping = fyne.TextWrapWord

	form := widget.NewForm(
		widget.NewFormItem("Provider", s.Provider),
		widget.NewFormItem("Model", s.Model),
		widget.NewFormItem("Voice", s.Voice),
		widget.NewFormItem("Format", s.Format),
		widget.NewFormItem("Speed", container.NewBorder(nil, nil, nil, s.SpeedLabel, s.Speed)),
	)
	advanced := widget.NewForm(
		widget.NewFormItem("Sample rate", s.SampleRate),
		widget.NewFormItem("Language", s.Language),
		widget.NewFormItem("Instructions", s.Instructions),
		widget.NewFormItem("", s.Batch),
	)
	s.providerOptions = container.NewVBox()
	s.Advanced = widget.NewAccordion(widget.NewAccordionItem("Advanced", container.NewVBox(advanced, s.providerOptions)))
	s.buildTransport()
	buttons := container.NewHBox(s.SpeakButton, s.StopButton, s.PauseButton, s.ExportButton)
	left := container.NewVBox(form, s.Advanced)
	transport := container.NewBorder(nil, nil, nil, container.NewHBox(s.Position, widget.NewLabel("Volume"), container.NewGridWrap(fyne.NewSize(110, 36), s.Volume)), s.Waveform)
	bottom := container.NewVBox(transport, container.NewBorder(nil, nil, buttons, s.Count), s.longPanel(), widget.NewSeparator(), s.Status)
	editor := container.NewBorder(nil, bottom, nil, nil, s.editorArea())
	split := container.NewHSplit(container.NewVScroll(left), editor)
	split.Offset = 0.36
	s.Tabs = container.NewAppTabs(container.NewTabItem("Speak", split))
	s.Window.SetContent(s.Tabs)
	s.Window.SetTitle(Title)
	s.shortcuts()
	s.installLong()

	// Restore the last session.
	s.Speed.SetValue(s.Settings.Speed())
	s.Text.SetText(s.Settings.Text())
	id := s.Settings.Provider()
	if _, ok := providers.Lookup(id); !ok {
		id = "local"
	}
	s.selectProvider(id)
	s.RefreshProviders()
}

// AddTab adds a feature tab (Compare, History, ...) to the window.
func (s *Studio) AddTab(title string, content fyne.CanvasObject) *container.TabItem {
	item := container.NewTabItem(title, content)
	s.Tabs.Append(item)
	return item
}

// providerLabel shows whether a provider is ready to use.
func (s *Studio) providerLabel(r providers.Registration) string {
	if r.NeedsKey && s.missingKey[r.ID] {
		return r.Name + " — add key"
	}
	return r.Name
}

// RefreshProviders re-reads the registry, then the key status in a worker
// (the keychain may be slow), and relabels the picker.
func (s *Studio) RefreshProviders() {
	s.relabel()
	regs := providers.List()
	s.refreshGen++
	gen := s.refreshGen
	go func() {
		missing := map[string]bool{}
		for _, r := range regs {
			if !r.NeedsKey {
				continue
			}
			k, err := s.keyFunc()(r.ID)
			missing[r.ID] = err != nil || k == ""
		}
		uiDo(func() {
			if gen != s.refreshGen {
				return // a newer refresh is on its way
			}
			s.missingKey = missing
			s.relabel()
		})
	}()
}

func (s *Studio) keyFunc() core.KeyFunc {
	if s.Engine.Keys != nil {
		return s.Engine.Keys
	}
	getenv := s.Engine.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	return core.EnvKeys(getenv)
}

// relabel rebuilds the provider picker's options, keeping the selection.
func (s *Studio) relabel() {
	cur := s.ProviderID()
	s.providerIDs = nil
	var names []string
	for _, r := range providers.List() {
		s.providerIDs = append(s.providerIDs, r.ID)
		names = append(names, s.providerLabel(r))
	}
	s.Provider.Options = names
	for i, id := range s.providerIDs {
		if id == cur {
			s.Provider.Selected = names[i]
		}
	}
	s.Provider.Refresh()
}

func (s *Studio) selectProvider(id string) {
	for i, pid := range s.providerIDs {
		if pid == id {
			s.Provider.SetSelectedIndex(i)
			return
		}
	}
	if len(s.providerIDs) > 0 {
		s.Provider.SetSelectedIndex(0)
	}
}

// ProviderID is the selected provider's ID.
func (s *Studio) ProviderID() string {
	i := s.Provider.SelectedIndex()
	if i < 0 || i >= len(s.providerIDs) {
		return "local"
	}
	return s.providerIDs[i]
}

func (s *Studio) capabilities() (providers.Registration, providers.Capabilities) {
	r, _ := providers.Lookup(s.ProviderID())
	if r.New == nil {
		return r, providers.Capabilities{}
	}
	p, err := r.New(providers.Config{})
	if err != nil {
		return r, providers.Capabilities{}
	}
	return r, p.Capabilities()
}

// providerChanged refills the pickers from the provider's capabilities and
// the remembered choices, then loads voices in the background.
func (s *Studio) providerChanged() {
	id := s.ProviderID()
	_, caps := s.capabilities()
	s.Settings.SetProvider(id)

	var models []string
	for _, m := range caps.Models {
		models = append(models, m.ID)
	}
	s.Model.SetOptions(models)
	model := s.Settings.Model(id)
	if model == "" {
		model = caps.DefaultModel()
	}
	s.Model.SetText(model)

	s.Format.Options = caps.Formats
	f := s.Settings.Format(id)
	if f == "" || !contains(caps.Formats, f) {
		f = caps.DefaultFormat()
	}
	s.Format.SetSelected(f)

	if caps.Speed.Max > 0 {
		s.Speed.Min, s.Speed.Max = caps.Speed.Min, caps.Speed.Max
		v := min(max(s.Speed.Value, caps.Speed.Min), caps.Speed.Max)
		s.Speed.SetValue(v)
		s.Speed.Refresh()
	}

	rates := []string{"default"}
	for _, r := range caps.SampleRates {
		rates = append(rates, strconv.Itoa(r))
	}
	if len(caps.SampleRates) == 0 {
		// Fixed-rate providers: the rate applies to exports.
		for _, r := range []int{8000, 16000, 22050, 24000, 44100, 48000} {
			rates = append(rates, strconv.Itoa(r))
		}
	}
	s.SampleRate.Options = rates
	if r := s.Settings.SampleRate(id); r != 0 {
		s.SampleRate.SetSelected(strconv.Itoa(r))
	} else {
		s.SampleRate.SetSelected("default")
	}
	s.Language.SetOptions(caps.Languages)

	s.Voice.SetOptions(nil)
	s.Voice.SetText(s.Settings.Voice(id))
	s.updateCount()
	s.modelChanged(s.Model.Text)

	s.loadVoices(id)
}

// modelChanged shows the instructions box only for models that take it.
func (s *Studio) modelChanged(model string) {
	_, caps := s.capabilities()
	takes := false
	for _, m := range caps.Models {
		if m.ID == model && m.Instructions {
			takes = true
		}
	}
	if takes {
		s.Instructions.Enable()
		s.Instructions.Show()
	} else {
		s.Instructions.Hide()
	}
	s.buildOptions(caps, model)
	if model != "" {
		s.Settings.SetModel(s.ProviderID(), model)
	}
}

// SearchVoices searches the provider's voices (its public library where it
// has one) in a worker and offers the results in the voice picker.
func (s *Studio) SearchVoices(query string) {
	if _, picked := s.voiceIDs[query]; picked || strings.TrimSpace(query) == "" {
		return
	}
	id, base, model := s.ProviderID(), s.Settings.BaseURL(s.ProviderID()), s.Model.Text
	s.SetStatus("Searching voices for “" + query + "”…")
	go func() {
		voices, err := s.Engine.SearchVoices(context.Background(), id, base, model, query)
		uiDo(func() {
			if s.ProviderID() != id {
				return
			}
			if err != nil {
				s.showError(fmt.Errorf("voice search failed: %w", err))
				return
			}
			s.setVoices(voices)
			s.SetStatus(fmt.Sprintf("%d voices match “%s”: pick one from the list.", len(voices), query))
		})
	}()
}

// loadVoices asks the provider for its voices in a worker.
func (s *Studio) loadVoices(id string) {
	base := s.Settings.BaseURL(id)
	model := s.Model.Text
	go func() {
		voices, err := s.Engine.Voices(context.Background(), id, base, model)
		uiDo(func() {
			if s.ProviderID() != id {
				return
			}
			if err != nil {
				s.showError(fmt.Errorf("could not list voices: %w", err))
				return
			}
			s.setVoices(voices)
		})
	}()
}

func (s *Studio) setVoices(voices []providers.Voice) {
	labels, ids := providers.VoiceChoices(voices)
	s.voiceIDs = ids
	s.Voice.SetOptions(labels)
	if s.Voice.Text == "" && s.ProviderID() == "local" {
		s.Voice.SetText("en-us")
	}
	// Don't bury something newer (an export's result, an error) under this.
	if !s.Busy() && (s.Status.Text == "" || strings.HasPrefix(s.Status.Text, "Ready")) {
		s.SetStatus(fmt.Sprintf("Ready. %d voices.", len(voices)))
	}
}

// VoiceID maps the voice field (a picked label or a typed ID) to an ID.
func (s *Studio) VoiceID() string {
	t := strings.TrimSpace(s.Voice.Text)
	if id, ok := s.voiceIDs[t]; ok {
		return id
	}
	if i := strings.Index(t, " — "); i > 0 {
		return t[:i]
	}
	return t
}

func (s *Studio) remember() {
	s.preloadNaturalVoice() // voices_hook.go
	id := s.ProviderID()
	if v := s.VoiceID(); v != "" {
		s.Settings.SetVoice(id, v)
	}
	if s.Format.Selected != "" {
		s.Settings.SetFormat(id, s.Format.Selected)
	}
	r, _ := strconv.Atoi(s.SampleRate.Selected)
	s.Settings.SetSampleRate(id, r)
}

func (s *Studio) updateCount() {
	s.Count.SetText(s.countText()) // characters, per-request limit, chunks, cost (long.go)
}

// Request collects the pickers into a request.
func (s *Studio) Request() providers.Request {
	rate, _ := strconv.Atoi(s.SampleRate.Selected)
	req := providers.Request{
		Text: s.Text.Text, Model: strings.TrimSpace(s.Model.Text), Voice: s.VoiceID(),
		Format: s.Format.Selected, Speed: s.Speed.Value, SampleRate: rate,
		Language: strings.TrimSpace(s.Language.Text), Batch: s.Batch.Checked,
	}
	if s.Instructions.Visible() {
		req.Instructions = strings.TrimSpace(s.Instructions.Text)
	}
	req.Options = s.providerOptionValues()
	if s.transportPick != nil {
		req.Transport = s.transportPick.Selected
	}
	return req
}

// SetStatus shows a message in the status line (UI goroutine only).
func (s *Studio) SetStatus(msg string) { s.Status.SetText(msg) }

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (s *Studio) shortcuts() {
	c := s.Window.Canvas()
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { s.Speak() })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyEnter, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { s.Speak() })
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeyEscape {
			s.Stop()
		}
	})
}

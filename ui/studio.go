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
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"chorus/core"
	"chorus/providers"
	"chorus/settings"
	"chorus/ui/modal"
	"chorus/ui/tip"
	"chorus/ui/tray"
	"chorus/ui/voicepicker"
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

	Provider     *KeySelect
	Model        *KeySelectEntry
	Voice        *voicepicker.Picker // the voice field, its drop-down, count and Preview
	Format       *KeySelect
	Speed        *KeySlider
	SpeedLabel   *widget.Label
	SampleRate   *KeySelect
	Language     *KeySelectEntry
	Instructions *KeyEntry
	Batch        *KeyCheck
	Text         *editor
	Count        *widget.Label
	SpeakButton  *KeyButton
	StopButton   *KeyButton
	// PreviewButton plays a short sample of the chosen voice.
	PreviewButton *widget.Button
	ExportButton  *KeyButton
	Status        *widget.Label
	ActionButton  *widget.Button // the action an error offers (errors.go)
	Advanced      *widget.Accordion
	Waveform      *Waveform
	PauseButton   *KeyButton
	Volume        *KeySlider
	VolumeLabel   *widget.Label // the volume as a percentage
	MuteButton    *tip.Button   // mutes and unmutes (icon only, with a tooltip)
	Position      *widget.Label
	Tabs          *container.AppTabs // Speak, and the feature tabs added with AddTab
	Menu          *fyne.MainMenu     // the window's menus (menu.go)

	exportDialog    dialog.Dialog
	providerOptions *fyne.Container // provider-specific fields, rebuilt per provider and model
	optionFields    []*optionField
	transportPick   *widget.Select
	ts              transportState
	long            *LongView // long text: progress, reading view, overrides (long.go)
	book            *bookView // chapters panel beside the editor (book_hook.go)

	providerIDs []string
	missingKey  map[string]bool // providers known to have no key
	// Hotkey is the global speak-selection shortcut, when the desktop
	// integration has set one up; Settings → General changes it.
	Hotkey *tray.Hotkey
	// OnShortcutChanged, when set, hears that the user changed Hotkey.
	OnShortcutChanged func()
	// OnKeysChecked, when set, hears which providers lack a key each time
	// the keys are read again (the Compare tab marks them too).
	OnKeysChecked func(missing map[string]bool)
	refreshGen    int              // the newest RefreshProviders, so older ones don't overwrite it
	restoring     bool             // providerChanged is filling the pickers: don't remember them
	draft         *draftSaver      // saves the text as it is typed (draft.go)
	opened        string           // the text as it was opened from a file, to tell unsaved edits
	override      string           // Speak clipboard: the text to speak instead of the editor's
	recentItem    *fyne.MenuItem   // File → Open recent
	countTimer    *time.Timer      // the debounced count line
	countGen      int              // the newest scheduled count
	countRuns     int              // how often the count line was worked out (tests)
	unmuted       float64          // the volume before Mute
	split         *container.Split // pickers | editor

	mu     sync.Mutex
	cancel context.CancelFunc
	busy   bool
	runID  int
}

// New builds the main window's content; call Show to put it on screen.
func New(app fyne.App, win fyne.Window, engine *core.Engine, st *settings.Settings) *Studio {
	s := &Studio{App: app, Window: win, Engine: engine, Settings: st, Profiles: settings.DefaultProfiles()}
	s.build()
	return s
}

func (s *Studio) build() {
	var names []string
	for _, r := range providers.List() {
		s.providerIDs = append(s.providerIDs, r.ID)
		names = append(names, s.providerLabel(r))
	}
	k := keyHook{onEsc: s.Escape, onF10: s.ToggleMenu}
	s.Provider = newKeySelect(k, names, func(string) { s.providerChanged() })
	s.Model = newKeySelectEntry(k)
	s.Model.OnChanged = func(m string) { s.modelChanged(m) }
	s.Voice = voicepicker.New(k.handled)
	s.Voice.OnSearch = s.SearchVoices
	s.Voice.OnChanged = s.remember
	s.Voice.OnFilter = s.voicesFiltered
	s.Voice.OnPreview = s.PreviewVoice
	s.Format = newKeySelect(k, nil, func(string) { s.remember() })
	s.Speed = newKeySlider(k, 0.25, 4, s.TogglePause)
	s.Speed.Step = 0.05
	s.SpeedLabel = widget.NewLabel("1.00×")
	s.Speed.OnChanged = func(v float64) { s.SpeedLabel.SetText(fmt.Sprintf("%.2f×", v)) }
	s.Speed.OnChangeEnded = func(float64) { s.remember() }
	s.SampleRate = newKeySelect(k, nil, func(string) { s.remember() })
	s.Language = newKeySelectEntry(k)
	s.Language.PlaceHolder = "from the voice"
	s.Language.OnChanged = func(string) { s.remember() }
	s.Instructions = newKeyEntry(k, true)
	s.Instructions.PlaceHolder = "How should it sound? e.g. calm and warm, like a bedtime story"
	s.Instructions.SetMinRowsVisible(2)
	s.Batch = newKeyCheck(k, "Wait for the whole clip (no streaming)")

	s.Text = newEditor(s.Speak, s.Escape)
	s.Text.PlaceHolder = "Type or paste text, then press Speak (Ctrl+Enter)."
	s.Count = widget.NewLabel("0 characters")
	s.Text.OnChanged = func(t string) { s.scheduleCount(len(t)); s.textChanged(t) }

	s.SpeakButton = newKeyButton(k, "Speak", s.Speak)
	s.SpeakButton.Importance = widget.HighImportance
	s.StopButton = newKeyButton(k, "Stop", s.Stop)
	s.StopButton.Disable()
	s.ExportButton = newKeyButton(k, "Export…", s.ShowExport)
	s.PreviewButton = s.Voice.Preview
	s.Status = widget.NewLabel("Ready.")
	s.Status.Wrapping = fyne.TextWrapWord
	s.ActionButton = widget.NewButton("", nil)
	s.ActionButton.Hide()

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
	transport := container.NewBorder(nil, nil, nil, container.NewHBox(s.Position, s.MuteButton, container.NewGridWrap(fyne.NewSize(110, 36), s.Volume), s.VolumeLabel), s.Waveform)
	bottom := container.NewVBox(transport, container.NewBorder(nil, nil, buttons, s.Count), s.longPanel(), widget.NewSeparator(), container.NewBorder(nil, nil, nil, s.ActionButton, s.Status))
	editor := container.NewBorder(nil, bottom, nil, nil, s.editorArea())
	split := container.NewHSplit(container.NewVScroll(left), editor)
	split.Offset = s.prefs().FloatWithFallback(splitKey, 0.36)
	s.split = split
	s.Tabs = container.NewAppTabs(container.NewTabItem("Speak", split))
	s.Window.SetContent(s.Tabs)
	s.Window.SetTitle(Title)
	s.shortcuts()
	s.installLong()

	// Restore the last session.
	s.Speed.SetValue(s.Settings.Speed())
	s.Text.SetText(s.restoreText())
	id := s.Settings.Provider()
	if _, ok := providers.Lookup(id); !ok {
		id = "local"
	}
	s.selectProvider(id)
	s.RefreshProviders()
}

const (
	splitKey = "window.split"
	tabKey   = "window.tab"
)

// SaveLayout keeps the split position and the open tab for the next start.
func (s *Studio) SaveLayout() {
	s.prefs().SetFloat(splitKey, s.split.Offset)
	s.prefs().SetString(tabKey, s.Tabs.Selected().Text)
}

// RestoreTab opens the tab that was open at the last quit (call it after
// the feature tabs are added).
func (s *Studio) RestoreTab() {
	name := s.prefs().String(tabKey)
	for _, it := range s.Tabs.Items {
		if it.Text == name {
			s.Tabs.Select(it)
		}
	}
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
			if s.OnKeysChecked != nil {
				s.OnKeysChecked(missing)
			}
		})
	}()
}

// KeyChanged refreshes what depends on a provider's key at once: the "add
// key" marks, and the voices when that provider is the one chosen.
func (s *Studio) KeyChanged(providerID string) {
	s.RefreshProviders()
	if providerID == s.ProviderID() {
		s.loadVoices(providerID)
	}
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
	return r, r.Capabilities
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
	if model != "" && !s.restoring {
		s.Settings.SetModel(s.ProviderID(), model)
	}
}

// SearchVoices searches the provider's voices (its public library where it
// has one) in a worker and offers the results in the voice picker.
func (s *Studio) SearchVoices(query string) {
	if _, picked := s.Voice.Choices()[query]; picked || strings.TrimSpace(query) == "" {
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
				s.Voice.SetVoices(nil) // a typed ID still works
				s.showError(fmt.Errorf("could not list voices: %w", err))
				return
			}
			s.setVoices(voices)
		})
	}()
}

// setVoices hands the provider's voices to the voice picker.
func (s *Studio) setVoices(voices []providers.Voice) {
	s.Voice.SetVoices(voices)
	s.checkVoice(voices)
	if s.Voice.Entry.Text == "" && s.ProviderID() == "local" {
		s.Voice.SetVoice("en-us")
	}
	// Don't bury something newer (an export's result, an error) under this.
	if !s.Busy() && (s.Status.Text == "" || strings.HasPrefix(s.Status.Text, "Ready")) {
		s.SetStatus(fmt.Sprintf("Ready. %d voices.", len(voices)))
	}
}

// VoiceID maps the voice field (a picked label or a typed ID) to an ID.
func (s *Studio) VoiceID() string { return s.Voice.VoiceID() }

func (s *Studio) updateCount() {
	s.countRuns++
	s.Count.SetText(s.countText()) // characters, per-request limit, chunks, cost (long.go)
}

// countDelay is how long typing in a long text must pause before the count
// line (which splits the text into chunks) is worked out again.
const countDelay = 25 * time.Millisecond // the line costs ~1 ms at 20,000 characters (BenchmarkCountLine20k)

// longCount is the text length above which the count line is debounced.
const longCount = 4000

// scheduleCount updates the count line at once for a short text, else once
// typing pauses, so typing in a long text stays fluid.
func (s *Studio) scheduleCount(n int) {
	if n < longCount {
		s.updateCount()
		return
	}
	s.countGen++
	gen := s.countGen
	if s.countTimer != nil {
		s.countTimer.Stop()
	}
	s.countTimer = time.AfterFunc(countDelay, func() {
		uiDo(func() {
			if gen == s.countGen {
				s.updateCount()
			}
		})
	})
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
// An error's action button stays until the next message.
func (s *Studio) SetStatus(msg string) {
	s.Status.SetText(msg)
	if s.ActionButton != nil {
		s.ActionButton.Hide()
	}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Escape closes the dialog on top of the window, else stops playback.
func (s *Studio) Escape() {
	if !modal.DismissTop(s.Window.Canvas()) {
		s.Stop()
	}
}

func (s *Studio) shortcuts() {
	c := s.Window.Canvas()
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { s.Speak() })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyEnter, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { s.Speak() })
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		switch ev.Name {
		case fyne.KeyEscape:
			s.Escape()
		case fyne.KeySpace: // nothing has the focus: Space pauses
			s.TogglePause()
		case fyne.KeyF10:
			s.ToggleMenu()
		}
	})
}

// Package comparetab is the Compare tab: a shortlist of voices from any
// provider, one line of text, Render all, and a card per voice that fills in
// as its audio arrives, with a waveform, play/stop and measurements. It also
// runs the blind A/B test, shows the voice tally, keeps favourites and
// exports every rendering with its reports. The logic lives in package
// compare; this package only shows it. Workers report back through
// fyne.Do, so the window never blocks.
package comparetab

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"chorus/audio"
	"chorus/audio/codec"
	"chorus/compare"
	"chorus/core"
	"chorus/pricing"
	"chorus/providers"
	"chorus/ui/modal"
	"chorus/ui/plain"
	"chorus/ui/tip"
	"chorus/ui/voicepicker"
)

// uiDo runs f on the UI goroutine; the voice loads use it. Tests replace
// it to run the updates on the test goroutine, because Fyne's test driver
// runs fyne.Do inline on the worker.
var uiDo = fyne.Do

// Options configures the tab. Every field may be left zero.
type Options struct {
	// ConfigDir holds the tally, favourites and shortlist; "" means
	// compare.DefaultDir() (os.UserConfigDir()/chorus).
	ConfigDir string
	// Prices estimates costs; nil uses the user's price table.
	Prices *pricing.Table
	// BaseURL returns the user's base URL override for a provider.
	BaseURL func(provider string) string
	// Gap is the silence between voices in Play all; 0 means compare.DefaultGap.
	Gap time.Duration
	// Rand shuffles blind pairs; nil uses a random seed.
	Rand *rand.Rand
}

// Tab is the Compare tab. Widgets are exported so headless tests can drive
// them; change them only on the UI goroutine.
type Tab struct {
	win    fyne.Window
	engine *core.Engine
	opts   Options
	lists  *compare.Lists
	tally  *compare.Tally

	Text          *widget.Entry       // the line to compare
	Provider      *widget.Select      // picker: provider
	Model         *widget.SelectEntry // picker: model ("" = default)
	Speed         *widget.Select      // picker: speed ("1×" = the provider's normal speed)
	Voice         *voicepicker.Picker // picker: voice (a label or a typed ID), its count and Preview
	Add           *widget.Button      // adds the picked voice to the shortlist
	PreviewButton *widget.Button      // plays a sample of the picked voice
	Favourites    *widget.Select      // adds a favourite to the shortlist
	Render        *widget.Button      // Render all
	StopRender    *widget.Button      // cancels the render
	PlayAll       *widget.Button      // plays every card in turn
	StopPlay      *widget.Button      // silences playback
	Format        *widget.Select      // export format
	Export        *widget.Button      // Export all…
	Status        *widget.Label       // what happened last
	Cards         []*Card             // one per entry of the last render
	Views         *container.AppTabs  // Cards, Blind test, Tally
	Blind         *BlindView          // the blind A/B test
	Tally         *TallyView          // the voice ranking

	shortlist    []compare.Entry
	shortlistBox *fyne.Container
	cardsBox     *fyne.Container
	cardsHolder  *fyne.Container
	root         fyne.CanvasObject
	providerIDs  []string
	voiceNames   map[string]string // "provider:voice id" -> picker label, for the tally
	voiceGen     int               // the newest voice load or search, so older ones don't overwrite it

	session   *compare.Session // last finished render
	rendering context.CancelFunc
	playing   context.CancelFunc // stops the current playback
	playToken chan struct{}      // identifies the current playback
	lastDone  chan struct{}      // closed when the last started playback has ended
	playCard  int                // card being played, -1 for none

	work sync.WaitGroup // background goroutines, for Wait
}

// New builds the tab. It loads the favourites, shortlist and tally from
// the config folder (problems are shown in the status line) and adds the
// 1–9/Space keys to win's canvas, keeping the handler that was there.
func New(win fyne.Window, engine *core.Engine, opts Options) *Tab {
	t := &Tab{win: win, engine: engine, opts: opts, playCard: -1, voiceNames: map[string]string{}}
	if t.opts.Gap == 0 {
		t.opts.Gap = compare.DefaultGap
	}
	if t.opts.Prices == nil {
		t.opts.Prices = pricing.DefaultTable()
	}
	var loadErrs []error
	dir := opts.ConfigDir
	if dir == "" {
		d, err := compare.DefaultDir()
		loadErrs = append(loadErrs, err)
		dir = d
	}
	var lists, tally string
	if dir != "" {
		lists, tally = filepath.Join(dir, compare.ListsFile), filepath.Join(dir, compare.TallyFile)
	}
	var err error
	t.lists, err = compare.LoadLists(lists)
	loadErrs = append(loadErrs, err)
	t.tally, err = compare.LoadTally(tally)
	loadErrs = append(loadErrs, err)
	t.shortlist = t.lists.Shortlist()
	t.build()
	if err := errors.Join(loadErrs...); err != nil {
		t.Status.SetText(plain.Error(err))
	}
	t.installKeys()
	return t
}

// Content is the tab's content, for Studio.AddTab.
func (t *Tab) Content() fyne.CanvasObject { return t.root }

// Wait blocks until background work started so far has finished (tests).
func (t *Tab) Wait() { t.work.Wait() }

func (t *Tab) build() {
	t.Text = widget.NewEntry()
	t.Text.PlaceHolder = "One line to hear in every voice"
	t.Text.OnSubmitted = func(string) { t.RenderAll() }

	for _, r := range providers.List() {
		t.providerIDs = append(t.providerIDs, r.ID)
	}
	var names []string
	for _, id := range t.providerIDs {
		r, _ := providers.Lookup(id)
		names = append(names, r.Name)
	}
	t.Model = widget.NewSelectEntry(nil)
	t.Model.PlaceHolder = "default model"
	t.Voice = voicepicker.New(nil)
	t.Voice.OnPreview = t.PreviewVoice
	t.Voice.OnSearch = t.searchVoices
	t.Speed = widget.NewSelect([]string{"0.75×", "0.9×", "1×", "1.1×", "1.25×", "1.5×"}, nil)
	t.Speed.SetSelected("1×")
	t.Provider = widget.NewSelect(names, func(string) { t.providerChanged() })
	t.Provider.PlaceHolder = "provider"
	t.Add = widget.NewButtonWithIcon("Add", theme.ContentAddIcon(), t.addPicked)
	t.PreviewButton = t.Voice.Preview
	t.Favourites = widget.NewSelect(nil, func(key string) {
		if key == "" {
			return
		}
		if e, err := compare.ParseEntry(key); err == nil {
			t.AddEntry(e)
		}
		t.Favourites.ClearSelected()
	})
	t.Favourites.PlaceHolder = "add a favourite…"
	t.refreshFavourites()

	t.Render = widget.NewButtonWithIcon("Render all", theme.MediaPlayIcon(), t.RenderAll)
	t.Render.Importance = widget.HighImportance
	t.StopRender = widget.NewButtonWithIcon("Stop", theme.MediaStopIcon(), t.StopRendering)
	t.StopRender.Disable()
	t.PlayAll = widget.NewButton("Play all in turn", t.PlayAllInTurn)
	t.StopPlay = widget.NewButtonWithIcon("Stop playback", theme.MediaStopIcon(), t.StopPlayback)
	t.Format = widget.NewSelect(codec.ExportNames(), nil)
	t.Format.SetSelected("wav")
	t.Export = widget.NewButtonWithIcon("Export all…", theme.DocumentSaveIcon(), t.showExport)
	t.Status = widget.NewLabel("Add voices, type a line, then Render all. Keys: 1–9 play a card, Space stops.")
	t.Status.Wrapping = fyne.TextWrapWord

	pick := widget.NewForm(
		widget.NewFormItem("Provider", t.Provider),
		widget.NewFormItem("Model", t.Model),
		widget.NewFormItem("Voice", t.Voice),
		widget.NewFormItem("Speed", t.Speed),
	)
	t.shortlistBox = container.NewVBox()
	left := container.NewVBox(widget.NewLabelWithStyle("Shortlist", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		pick, t.Add, t.Favourites, widget.NewSeparator(), t.shortlistBox)

	grid := &fillGrid{cardWidth: 330, cardHeight: 210}
	t.cardsBox = container.New(grid)
	t.cardsHolder = container.NewStack(container.NewVScroll(t.cardsBox))
	grid.reflow = func() { t.cardsHolder.Refresh() } // the scroll learns the new height
	t.Blind = newBlindView(t)
	t.Tally = newTallyView(t)
	t.Views = container.NewAppTabs(
		container.NewTabItem("Cards", t.cardsHolder),
		container.NewTabItem("Blind test", t.Blind.root),
		container.NewTabItem("Tally", t.Tally.root),
	)
	t.Views.OnSelected = func(ti *container.TabItem) {
		if ti.Text == "Tally" {
			t.Tally.Refresh()
		}
	}
	top := container.NewBorder(nil, nil, nil,
		container.NewHBox(t.Render, t.StopRender, t.PlayAll, t.StopPlay), t.Text)
	bottom := container.NewVBox(widget.NewSeparator(),
		container.NewBorder(nil, nil, container.NewHBox(t.Format, t.Export), nil, t.Status))
	split := container.NewHSplit(container.NewVScroll(left), t.Views)
	split.Offset = 0.3
	t.root = container.NewBorder(top, bottom, nil, nil, split)
	t.refreshShortlist()
	if len(t.providerIDs) > 0 {
		t.Provider.SetSelectedIndex(0)
	}
}

// providerChanged refills the model list and loads the voices in a worker.
func (t *Tab) providerChanged() {
	id := t.providerID()
	if id == "" {
		return
	}
	r, _ := providers.Lookup(id)
	var models []string
	for _, m := range r.Capabilities.Models {
		models = append(models, m.ID)
	}
	t.Model.SetOptions(models)
	t.Model.SetText("")
	t.Voice.Loading()
	t.Voice.SetSearchable(r.Capabilities.VoiceSearch)
	t.Voice.SetVoice("")
	t.loadVoices(id, "", func(ctx context.Context, base string) ([]providers.Voice, error) {
		return t.engine.Voices(ctx, id, base, "")
	})
}

// searchVoices runs the provider's own voice search in a worker and offers
// the results in the voice picker.
func (t *Tab) searchVoices(query string) {
	id, model := t.providerID(), strings.TrimSpace(t.Model.Text)
	if id == "" {
		return
	}
	t.Status.SetText("Searching voices for “" + query + "”…")
	t.loadVoices(id, query, func(ctx context.Context, base string) ([]providers.Voice, error) {
		return t.engine.SearchVoices(ctx, id, base, model, query)
	})
}

// loadVoices fetches provider id's voices in a worker and hands them to
// the picker, unless the provider changed or a newer load started; query
// is the search they answer ("" for the provider's list).
func (t *Tab) loadVoices(id, query string, fetch func(ctx context.Context, base string) ([]providers.Voice, error)) {
	t.voiceGen++
	gen := t.voiceGen
	base := t.baseURL(id)
	t.work.Add(1)
	go func() {
		defer t.work.Done()
		voices, err := fetch(context.Background(), base)
		uiDo(func() {
			if t.providerID() != id || gen != t.voiceGen {
				return
			}
			switch {
			case err != nil && query != "":
				t.Status.SetText(plain.Say("Voice search failed: ", err))
				return
			case err != nil:
				t.Voice.SetVoices(nil) // a typed ID still works
				t.Status.SetText(plain.Say("Could not list voices: ", err))
				return
			}
			t.Voice.SetVoices(voices)
			for label, vid := range t.Voice.Choices() {
				t.voiceNames[id+":"+vid] = label
			}
			if query != "" {
				t.Status.SetText(fmt.Sprintf("%d voices match “%s”: pick one from the list.", len(voices), query))
			}
		})
	}()
}

func (t *Tab) providerID() string {
	i := t.Provider.SelectedIndex()
	if i < 0 || i >= len(t.providerIDs) {
		return ""
	}
	return t.providerIDs[i]
}

func (t *Tab) baseURL(id string) string {
	if t.opts.BaseURL == nil {
		return ""
	}
	return t.opts.BaseURL(id)
}

// addPicked adds the pickers' voice to the shortlist.
func (t *Tab) addPicked() {
	id := t.providerID()
	if id == "" {
		t.Status.SetText("Choose a provider first.")
		return
	}
	voice := t.Voice.VoiceID()
	speed, _ := strconv.ParseFloat(strings.TrimSuffix(t.Speed.Selected, "×"), 64)
	if speed == 1 {
		speed = 0 // the provider's default
	}
	t.AddEntry(compare.Entry{Provider: id, Model: strings.TrimSpace(t.Model.Text), Voice: voice, Speed: speed})
}

// AddEntry appends a voice to the shortlist (once) and saves it.
func (t *Tab) AddEntry(e compare.Entry) {
	if slices.ContainsFunc(t.shortlist, func(x compare.Entry) bool { return x.Key() == e.Key() && x.Speed == e.Speed }) {
		t.Status.SetText(e.Label() + " is already on the shortlist.")
		return
	}
	t.shortlist = append(t.shortlist, e)
	t.shortlistChanged()
}

// Shortlist returns the voices on the shortlist, in order.
func (t *Tab) Shortlist() []compare.Entry { return slices.Clone(t.shortlist) }

// MoveEntry moves shortlist entry i by delta places (-1 up, +1 down).
func (t *Tab) MoveEntry(i, delta int) {
	j := i + delta
	if i < 0 || j < 0 || i >= len(t.shortlist) || j >= len(t.shortlist) {
		return
	}
	t.shortlist[i], t.shortlist[j] = t.shortlist[j], t.shortlist[i]
	t.shortlistChanged()
}

// RemoveEntry removes shortlist entry i.
func (t *Tab) RemoveEntry(i int) {
	if i < 0 || i >= len(t.shortlist) {
		return
	}
	t.shortlist = slices.Delete(t.shortlist, i, i+1)
	t.shortlistChanged()
}

func (t *Tab) shortlistChanged() {
	if err := t.lists.SetShortlist(t.shortlist); err != nil {
		t.Status.SetText(plain.Error(err))
	}
	t.refreshShortlist()
}

// refreshShortlist rebuilds the shortlist rows.
func (t *Tab) refreshShortlist() {
	t.shortlistBox.RemoveAll()
	if len(t.shortlist) == 0 {
		t.shortlistBox.Add(widget.NewLabel("No voices yet: pick one above and press Add."))
	}
	for i, e := range t.shortlist {
		label := widget.NewLabel(fmt.Sprintf("%d. %s", i+1, e.ShortLabel()))
		label.Truncation = fyne.TextTruncateEllipsis
		star := t.favouriteCheck(e)
		up := tip.NewIconButton(theme.MoveUpIcon(), "Move up", func() { t.MoveEntry(i, -1) })
		down := tip.NewIconButton(theme.MoveDownIcon(), "Move down", func() { t.MoveEntry(i, 1) })
		del := tip.NewIconButton(theme.DeleteIcon(), "Remove from the shortlist", func() { t.RemoveEntry(i) })
		t.shortlistBox.Add(container.NewBorder(nil, nil, nil, container.NewHBox(star, up, down, del), label))
	}
	t.shortlistBox.Refresh()
}

// favouriteCheck is a "★" check box that stars the voice.
func (t *Tab) favouriteCheck(e compare.Entry) *widget.Check {
	c := widget.NewCheck("★", nil)
	c.Checked = t.lists.IsFavourite(e)
	c.OnChanged = func(on bool) { t.SetFavourite(e, on) }
	return c
}

// SetFavourite stars or unstars a voice, saves, and updates every check.
func (t *Tab) SetFavourite(e compare.Entry, on bool) {
	if t.lists.IsFavourite(e) == on {
		return
	}
	if err := t.lists.SetFavourite(e, on); err != nil {
		t.Status.SetText(plain.Error(err))
	}
	t.refreshFavourites()
	t.refreshShortlist()
	for _, c := range t.Cards {
		if c.result.Entry.Key() == e.Key() && c.Star.Checked != on {
			c.Star.SetChecked(on)
		}
	}
}

// IsFavourite reports whether the voice is starred.
func (t *Tab) IsFavourite(e compare.Entry) bool { return t.lists.IsFavourite(e) }

func (t *Tab) refreshFavourites() {
	var keys []string
	for _, f := range t.lists.Favourites() {
		keys = append(keys, f.Key())
	}
	t.Favourites.SetOptions(keys)
}

// RenderAll renders the text in every shortlisted voice at once; cards fill
// in as each voice arrives.
func (t *Tab) RenderAll() {
	text := strings.TrimSpace(t.Text.Text)
	switch {
	case t.rendering != nil:
		t.Status.SetText("Already rendering: press Stop first.")
		return
	case text == "":
		t.Status.SetText("Type a line to compare first.")
		return
	case len(t.shortlist) == 0:
		t.Status.SetText("Add at least one voice to the shortlist first.")
		return
	}
	t.StopPlayback()
	t.Blind.End()
	old := t.session
	t.session = nil
	entries := slices.Clone(t.shortlist)
	t.Cards = nil
	t.cardsBox.RemoveAll()
	for i, e := range entries {
		c := newCard(t, i, e)
		t.Cards = append(t.Cards, c)
		t.cardsBox.Add(c.root)
	}
	t.cardsBox.Refresh()
	t.Views.SelectIndex(0)
	ctx, cancel := context.WithCancel(context.Background())
	t.rendering = cancel
	t.Render.Disable()
	t.StopRender.Enable()
	t.Status.SetText(fmt.Sprintf("Rendering %d voices…", len(entries)))
	t.work.Add(1)
	go func() {
		defer t.work.Done()
		if old != nil {
			old.Close()
		}
		s, err := compare.Render(ctx, t.engine, text, entries, compare.Options{
			Prices: t.opts.Prices, BaseURL: t.opts.BaseURL,
			OnProgress: func(p compare.Progress) {
				fyne.Do(func() { t.Cards[p.Index].update(p) })
			},
		})
		fyne.Do(func() { t.renderFinished(s, err) })
	}()
}

// renderFinished keeps the session and reports the outcome.
func (t *Tab) renderFinished(s *compare.Session, err error) {
	if t.rendering != nil {
		t.rendering()
	}
	t.rendering = nil
	t.Render.Enable()
	t.StopRender.Disable()
	if err != nil {
		t.Status.SetText(plain.Error(err))
		return
	}
	t.session = s
	failed := len(s.Results) - s.Succeeded()
	msg := fmt.Sprintf("Rendered %d of %d voices.", s.Succeeded(), len(s.Results))
	if failed > 0 {
		msg += fmt.Sprintf(" %d failed: see their cards.", failed)
	}
	if s.Succeeded() > 0 {
		msg += " Press 1–9 to play a card, Space to stop."
	}
	t.Status.SetText(msg)
}

// StopRendering cancels the render; finished voices keep their audio.
func (t *Tab) StopRendering() {
	if t.rendering != nil {
		t.rendering()
	}
}

// Session is the last finished comparison, or nil.
func (t *Tab) Session() *compare.Session { return t.session }

// result returns card i's result when it has audio (cards can play as
// soon as they are done, before the others finish).
func (t *Tab) result(i int) (compare.Result, bool) {
	if i < 0 || i >= len(t.Cards) || !t.Cards[i].result.OK() {
		return compare.Result{}, false
	}
	return t.Cards[i].result, true
}

// PlayCard plays card i (0-based) through the engine's sink, stopping
// whatever was playing: one card plays at a time.
func (t *Tab) PlayCard(i int) {
	r, ok := t.result(i)
	if !ok {
		t.Status.SetText(fmt.Sprintf("Card %d has no audio to play.", i+1))
		return
	}
	t.play(i, func(ctx context.Context) error { return compare.PlayResult(ctx, t.engine, r, nil) })
}

// PlayAllInTurn plays every rendered card in order with a short gap.
func (t *Tab) PlayAllInTurn() {
	s := t.session
	if s == nil || s.Succeeded() == 0 {
		t.Status.SetText("Nothing to play yet: Render all first.")
		return
	}
	t.play(-1, func(ctx context.Context) error {
		return compare.PlayInTurn(ctx, t.engine, s, t.opts.Gap, nil, func(i int) {
			fyne.Do(func() { t.markPlaying(i) })
		})
	})
}

// play stops the current playback and starts a new one in a worker; the
// worker waits for the previous one to end so two never overlap. The new
// state is set before the old playback is cancelled, so the old worker
// sees at once that it no longer owns the controls.
func (t *Tab) play(card int, run func(context.Context) error) {
	prevCancel, prevDone := t.playing, t.lastDone
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.playing, t.playToken, t.lastDone = cancel, done, done
	t.markPlaying(card)
	if prevCancel != nil {
		prevCancel()
	}
	t.work.Add(1)
	go func() {
		defer t.work.Done()
		defer close(done)
		if prevDone != nil {
			<-prevDone
		}
		err := run(ctx)
		fyne.Do(func() {
			if t.playToken != done {
				return // stopped, or a newer playback took over
			}
			t.playing, t.playToken = nil, nil
			t.markPlaying(-1)
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Status.SetText(plain.Say("Could not play: ", err))
			}
		})
	}()
}

// StopPlayback silences whatever is playing.
func (t *Tab) StopPlayback() {
	cancel := t.playing
	t.playing, t.playToken = nil, nil
	t.markPlaying(-1)
	if cancel != nil {
		cancel()
	}
}

// Playing is the card being played, or -1.
func (t *Tab) Playing() int { return t.playCard }

func (t *Tab) markPlaying(i int) {
	t.playCard = i
	for j, c := range t.Cards {
		c.setPlaying(j == i)
	}
}

// HandleKey plays card N for keys 1–9 and stops on Space. It reports
// whether it used the key. The canvas calls it only when no widget (such
// as the text field) has the focus.
func (t *Tab) HandleKey(ev *fyne.KeyEvent) bool {
	if ev.Name == fyne.KeySpace {
		t.StopPlayback()
		return true
	}
	if len(ev.Name) == 1 && ev.Name[0] >= '1' && ev.Name[0] <= '9' {
		t.PlayCard(int(ev.Name[0] - '1'))
		return true
	}
	return false
}

// installKeys chains HandleKey in front of the canvas's key handler while
// the tab is on screen.
func (t *Tab) installKeys() {
	c := t.win.Canvas()
	prev := c.OnTypedKey()
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if t.root.Visible() && c.Focused() == nil && t.HandleKey(ev) {
			return
		}
		if prev != nil {
			prev(ev)
		}
	})
}

// showExport asks for a folder, then exports every rendered voice.
func (t *Tab) showExport() {
	if t.session == nil || t.session.Succeeded() == 0 {
		t.Status.SetText("Nothing to export yet: Render all first.")
		return
	}
	modal.ShowFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil || u == nil {
			return
		}
		dir := u.Path()
		enc := t.exportEncoding()
		if existing := compare.Existing(t.session, dir, enc); len(existing) > 0 {
			modal.ShowConfirm("Replace files?",
				fmt.Sprintf("%s already has %s. Replace them?", dir, strings.Join(existing, ", ")),
				func(ok bool) {
					if ok {
						t.ExportAll(dir, true)
					}
				}, t.win)
			return
		}
		t.ExportAll(dir, false)
	}, t.win)
}

func (t *Tab) exportEncoding() audio.Encoding {
	if t.Format.Selected == "ogg" {
		return audio.Opus
	}
	if t.Format.Selected == "" {
		return audio.WAV
	}
	return audio.Encoding(t.Format.Selected)
}

// ExportAll writes every rendered voice to dir in the chosen format, with
// compare.csv and compare.json, in a worker.
func (t *Tab) ExportAll(dir string, replace bool) {
	s := t.session
	if s == nil {
		t.Status.SetText("Nothing to export yet: Render all first.")
		return
	}
	enc := t.exportEncoding()
	t.Export.Disable()
	t.Status.SetText("Exporting…")
	t.work.Add(1)
	go func() {
		defer t.work.Done()
		out, err := compare.Export(s, dir, enc, replace)
		fyne.Do(func() {
			t.Export.Enable()
			if err != nil {
				t.Status.SetText(plain.Say("Could not export: ", err))
				return
			}
			t.Status.SetText(fmt.Sprintf("Saved %d files with %s and %s in %s.", len(out.Files), compare.CSVFile, compare.ReportFile, dir))
		})
	}()
}

// showCards puts the cards back, or hides them behind msg (blind test).
func (t *Tab) showCards(msg string) {
	if msg == "" {
		t.cardsHolder.Objects = []fyne.CanvasObject{container.NewVScroll(t.cardsBox)}
	} else {
		l := widget.NewLabel(msg)
		l.Wrapping = fyne.TextWrapWord
		t.cardsHolder.Objects = []fyne.CanvasObject{container.NewCenter(l)}
	}
	t.cardsHolder.Refresh()
}

// LabelFor names a tally key (PROVIDER:MODEL:VOICE) as a person reads it:
// the voice's name as the voice picker shows it, the provider's display
// name and the model, e.g. "Jenny — English (GB) · Piper · default model".
func (t *Tab) LabelFor(key string) string {
	e, err := compare.ParseEntry(key)
	if err != nil {
		return key
	}
	voice := e.Voice
	if voice == "" {
		voice = "default voice"
	} else if name, ok := t.voiceNames[e.Provider+":"+e.Voice]; ok {
		voice = name
	}
	provider := e.Provider
	if r, ok := providers.Lookup(e.Provider); ok && r.Name != "" {
		provider = r.Name
	}
	model := e.Model
	if model == "" {
		model = "default model"
	}
	return voice + " · " + provider + " · " + model
}

// MarkMissingKeys relabels the provider picker: a provider that needs a
// key and has none reads "OpenAI — add key", as in the Speak tab. The
// chosen provider stays chosen.
func (t *Tab) MarkMissingKeys(missing map[string]bool) {
	names := make([]string, len(t.providerIDs))
	for i, id := range t.providerIDs {
		r, _ := providers.Lookup(id)
		names[i] = r.Name
		if r.NeedsKey && missing[id] {
			names[i] += " — add key"
		}
	}
	picked := t.Provider.SelectedIndex()
	changed := t.Provider.OnChanged
	t.Provider.OnChanged = nil // relabelling is not a new choice
	t.Provider.SetOptions(names)
	if picked >= 0 && picked < len(names) {
		t.Provider.SetSelectedIndex(picked)
	}
	t.Provider.OnChanged = changed
}

// PreviewVoice plays a short sample of the picked voice (the provider's own
// sample when it hosts one, else a line spoken in it, cached), as one more
// playback: Stop playback silences it.
func (t *Tab) PreviewVoice() {
	id := t.providerID()
	if id == "" {
		t.Status.SetText("Choose a provider first.")
		return
	}
	v := t.Voice.Voice()
	model, base := strings.TrimSpace(t.Model.Text), t.baseURL(id)
	name := v.ID
	if name == "" {
		name = "the default voice"
	}
	t.Status.SetText("Playing a sample of " + name + "…")
	t.play(-1, func(ctx context.Context) error {
		_, _, err := t.engine.Preview(ctx, id, base, model, v, nil)
		if err == nil {
			fyne.Do(func() { t.Status.SetText("Played a sample of " + name + ".") })
		}
		return err
	})
}

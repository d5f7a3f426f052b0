// Package settingswin is Chorus's Settings panel: one row per provider that
// takes an API key, showing where its key comes from (none, keychain,
// environment, session only), with a password entry to add or replace it,
// Test, Remove and a base-URL override. Keys go only to the OS keychain
// (package settings/keys), or stay in memory for this run when the keychain
// is unavailable and the user chooses so. Keychain and network calls run off
// the UI goroutine and report back through fyne.Do, so the window never
// blocks.
package settingswin

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"chorus/core"
	"chorus/pricing"
	"chorus/providers"
	"chorus/settings/keys"
	"chorus/ui/modal"
	"chorus/ui/plain"
)

// DefaultTestTimeout bounds one Test.
const DefaultTestTimeout = 30 * time.Second

// Options connects the panel to the rest of the app. Every field is optional.
type Options struct {
	// BaseURL returns the saved base-URL override for a provider ("" means
	// the provider's default). The app implements it with Fyne preferences.
	BaseURL func(id string) string
	// SetBaseURL saves a base-URL override; "" clears it. It is called only
	// with a valid http(s) URL or "", never with a key. When nil, the panel
	// shows no base-URL entries.
	SetBaseURL func(id, url string)
	// Engine builds providers for Test (HTTP client, environment); nil means
	// a zero core.Engine. Its Keys is not used: Test takes keys from the store.
	Engine *core.Engine
	// OnChange runs on the UI goroutine after a provider's key was saved,
	// kept for this run or removed, e.g. to refresh the main window's pickers.
	OnChange func(id string)
	// TestTimeout bounds one Test; 0 means DefaultTestTimeout.
	TestTimeout time.Duration
	// Limits returns a provider's saved chunk size and parallel requests
	// (0 = the provider's default); SetLimits saves them, only valid values
	// (0 clears). When SetLimits is nil the limits are shown read-only.
	Limits    func(id string) (chunk, parallel int)
	SetLimits func(id string, chunk, parallel int)
}

// Panel is the Settings content. Build it with New; it reads the providers
// once, so build a new one each time Settings opens.
type Panel struct {
	win fyne.Window
	// confirm asks a yes/no question (a dialog; tests answer it).
	confirm func(title, message string, answer func(bool))
	store   *keys.Store
	opts    Options

	rows    []*row
	byID    map[string]*row
	list    *widget.List    // the providers, left
	detail  *fyne.Container // the chosen provider's controls, right
	scroll  *container.Scroll
	content fyne.CanvasObject

	banner     *fyne.Container
	bannerText *widget.Label
	downErr    error // the keychain's last "unavailable" error, nil when it works

	pending sync.WaitGroup // background jobs, so tests can wait for them
}

// row is one provider's controls.
type row struct {
	reg     providers.Registration
	box     fyne.CanvasObject
	status  *widget.Label
	entry   *widget.Entry
	save    *widget.Button
	test    *widget.Button
	remove  *widget.Button
	session *widget.Button
	baseURL *widget.Entry
	urlNote *widget.Label
	chunk   *widget.Entry // characters per request ("" = the provider's limit)
	par     *widget.Entry // parallel requests ("" = the default)
	limNote *widget.Label
	message *widget.Label
	busy    bool
	st      keys.Status
	loaded  bool // st has been read at least once
	askKey  bool // Focus asked for a key before the status was known
}

// New builds the Settings panel for every provider in providers.List() that
// takes a key (NeedsKey or KeyOptional) and starts reading their key status
// in the background. win is the window the panel is shown in.
func New(win fyne.Window, store *keys.Store, opts Options) *Panel {
	if opts.TestTimeout <= 0 {
		opts.TestTimeout = DefaultTestTimeout
	}
	p := &Panel{win: win, store: store, opts: opts, byID: map[string]*row{}}
	p.confirm = func(title, message string, answer func(bool)) { modal.ShowConfirm(title, message, answer, win) }

	p.bannerText = widget.NewLabel("")
	p.bannerText.Wrapping = fyne.TextWrapWord
	p.bannerText.Importance = widget.DangerImportance
	sessionNote := widget.NewLabel("Until it works, you can use “Keep for this run only” on a provider: " +
		"the key is then used until Chorus quits and never written anywhere.")
	sessionNote.Wrapping = fyne.TextWrapWord
	p.banner = container.NewVBox(p.bannerText, sessionNote)
	p.banner.Hide()

	for _, reg := range providers.List() {
		if !reg.NeedsKey && !reg.KeyOptional {
			continue
		}
		r := p.newRow(reg)
		p.rows = append(p.rows, r)
		p.byID[reg.ID] = r
	}
	intro := widget.NewLabel("API keys are kept in your system keychain (service “chorus”), never in Chorus's settings files. " +
		"A key in the environment variable shown for a provider overrides the keychain for that run.")
	intro.Wrapping = fyne.TextWrapWord
	p.detail = container.NewStack()
	p.scroll = container.NewVScroll(p.detail)
	if len(p.rows) == 0 {
		p.content = container.NewBorder(container.NewVBox(intro, p.banner), nil, nil, nil,
			widget.NewLabel("No provider needs an API key."))
		p.Refresh()
		return p
	}
	// Two panes: the providers with their key status on the left, the
	// chosen one's key, Test, Remove, base URL, limits and price on the right.
	p.list = widget.NewList(func() int { return len(p.rows) },
		func() fyne.CanvasObject {
			name := widget.NewLabel("")
			name.TextStyle.Bold = true
			return container.NewVBox(name, widget.NewLabel(""))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			r := p.rows[i]
			texts := o.(*fyne.Container).Objects
			texts[0].(*widget.Label).SetText(r.reg.Name)
			st := texts[1].(*widget.Label)
			st.Importance = r.status.Importance
			st.SetText(r.status.Text)
		})
	p.list.OnSelected = func(i widget.ListItemID) { p.show(p.rows[i]) }
	split := container.NewHSplit(p.list, p.scroll)
	split.Offset = 0.28
	p.content = container.NewBorder(container.NewVBox(intro, p.banner), nil, nil, nil, split)
	p.list.Select(0)
	p.Refresh()
	return p
}

// show puts a provider's controls in the right pane.
func (p *Panel) show(r *row) {
	p.detail.Objects = []fyne.CanvasObject{r.box}
	p.detail.Refresh()
	p.scroll.ScrollToTop()
}

// relist redraws the provider list (after a status changed).
func (p *Panel) relist() {
	if p.list != nil {
		p.list.Refresh()
	}
}

// Show opens the panel in a dialog over win, focused on providerID's row when
// it is not "" (for "choosing a provider without a key opens Settings at its
// row"), and returns it.
func Show(win fyne.Window, store *keys.Store, opts Options, providerID string) *Panel {
	p := New(win, store, opts)
	d := dialog.NewCustom("Settings", "Close", p.Content(), win)
	d.Resize(fyne.NewSize(640, 560))
	modal.Show(d, win)
	if providerID != "" {
		p.Focus(providerID)
	}
	return p
}

// Content is the panel's canvas object, for a window or a dialog.
func (p *Panel) Content() fyne.CanvasObject { return p.content }

// Focus shows a provider's controls, puts the cursor in its key entry and
// asks for a key when it has none. Call it once the panel is shown. It
// reports whether the provider has a row.
func (p *Panel) Focus(providerID string) bool {
	r, ok := p.byID[providerID]
	if !ok {
		return false
	}
	for i, x := range p.rows {
		if x == r {
			p.list.Select(i)
		}
	}
	if c := p.win.Canvas(); c != nil {
		c.Focus(r.entry)
	}
	r.askKey = true
	if r.loaded {
		r.maybeAskForKey()
	}
	return true
}

// maybeAskForKey prompts for a key once, after Focus, when there is none.
func (r *row) maybeAskForKey() {
	if !r.askKey {
		return
	}
	r.askKey = false
	if r.st.State == keys.None || r.st.State == keys.Unavailable {
		r.message.SetText("Paste your " + r.reg.Name + " API key here, then press Save.")
	}
}

// Refresh re-reads every provider's key status in the background.
func (p *Panel) Refresh() {
	ids := make([]string, len(p.rows))
	for i, r := range p.rows {
		ids[i] = r.reg.ID
	}
	p.background(func() {
		sts := make([]keys.Status, len(ids))
		var down error
		for i, id := range ids {
			sts[i] = p.store.Status(id)
			if keys.IsUnavailable(sts[i].Err) && down == nil {
				down = sts[i].Err
			}
		}
		fyne.Do(func() {
			for i, r := range p.rows {
				r.setStatus(sts[i])
			}
			p.setDown(down)
			p.relist()
		})
	})
}

// background runs f off the UI goroutine; f reports back with fyne.Do.
func (p *Panel) background(f func()) {
	p.pending.Add(1)
	goFunc(func() {
		defer p.pending.Done()
		f()
	})
}

// goFunc starts background work. Tests that drive the panel from code which
// cannot wait in between (Show) replace it to run the work in line.
var goFunc = func(f func()) { go f() }

// wait blocks until background jobs are done (tests).
func (p *Panel) wait() { p.pending.Wait() }

// setDown shows or hides the keychain banner and the session-only buttons.
func (p *Panel) setDown(err error) {
	p.downErr = err
	if err == nil {
		p.banner.Hide()
	} else {
		p.bannerText.SetText(bannerText(err))
		p.banner.Show()
	}
	for _, r := range p.rows {
		r.syncSessionButton(p.downErr != nil)
	}
}

// bannerText is the keychain error without a particular provider's variable.
func bannerText(err error) string {
	msg := err.Error()
	var ke *keys.KeychainError
	if errors.As(err, &ke) {
		general := *ke
		general.ID = ""
		msg = general.Error()
	}
	msg = strings.ReplaceAll(msg, "<ID>_API_KEY", "the provider's environment variable (shown with it)")
	return plain.Error(errors.New(msg))
}

func (p *Panel) newRow(reg providers.Registration) *row {
	r := &row{reg: reg}
	r.status = widget.NewLabel("checking…")
	r.entry = widget.NewPasswordEntry()
	r.entry.SetPlaceHolder("Paste an API key")
	r.entry.OnSubmitted = func(string) { p.save(r) }
	r.save = widget.NewButton("Save", func() { p.save(r) })
	r.save.Importance = widget.HighImportance
	r.test = widget.NewButton("Test", func() { p.test(r) })
	r.remove = widget.NewButton("Remove", func() {
		// Removing a key cannot be undone: ask first.
		p.confirm("Remove the key?", "Remove the API key for "+reg.Name+" from the keychain? You will need to paste it again to use "+reg.Name+".",
			func(ok bool) {
				if ok {
					p.remove(r)
				}
			})
	})
	r.session = widget.NewButton("Keep for this run only", func() { p.keepForSession(r) })
	r.session.Hide()
	r.message = widget.NewLabel("")
	r.message.Wrapping = fyne.TextWrapWord

	heading := reg.Name
	if reg.KeyOptional && !reg.NeedsKey {
		heading += " (key optional)"
	}
	title := widget.NewLabelWithStyle(heading, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	envNote := widget.NewLabel("Environment variable: " + reg.KeyEnv())
	envNote.Importance = widget.LowImportance
	top := container.NewBorder(nil, nil, title, r.status)
	buttons := container.NewHBox(r.save, r.test, r.remove)
	items := []fyne.CanvasObject{top, envNote, container.NewBorder(nil, nil, nil, buttons, r.entry), r.session}

	if reg.DefaultBaseURL != "" && p.opts.SetBaseURL != nil {
		r.baseURL = widget.NewEntry()
		r.baseURL.SetPlaceHolder(reg.DefaultBaseURL)
		if p.opts.BaseURL != nil {
			r.baseURL.SetText(p.opts.BaseURL(reg.ID))
		}
		r.urlNote = widget.NewLabel("")
		r.urlNote.Importance = widget.DangerImportance
		r.urlNote.Hide()
		r.baseURL.OnChanged = func(s string) { p.changeBaseURL(r, s) }
		items = append(items, container.NewBorder(nil, nil, widget.NewLabel("Base URL"), nil, r.baseURL), r.urlNote)
	}
	if l := limitsText(reg); l != "" {
		limits := widget.NewLabel(l)
		limits.Wrapping = fyne.TextWrapWord
		items = append(items, limits)
	}
	if p.opts.SetLimits != nil {
		items = append(items, p.limitControls(r)...)
	}
	if reg.Website != "" {
		if u, err := url.Parse(reg.Website); err == nil {
			items = append(items, container.NewHBox(widget.NewLabel("Get a key:"), widget.NewHyperlink(reg.Website, u)))
		}
	}
	items = append(items, r.message)
	r.box = container.NewVBox(items...)
	return r
}

// setStatus shows where the key comes from.
func (r *row) setStatus(st keys.Status) {
	r.st = st
	r.loaded = true
	defer r.maybeAskForKey()
	text := st.String()
	switch st.State {
	case keys.None:
		r.status.Importance = widget.MediumImportance
		if r.reg.NeedsKey {
			r.status.Importance = widget.WarningImportance
		}
	case keys.Unavailable:
		r.status.Importance = widget.DangerImportance
		text = "keychain unavailable"
	default:
		r.status.Importance = widget.SuccessImportance
	}
	r.status.SetText(text)
	if st.State == keys.Environment && st.EnvVar != "" {
		r.message.SetText(st.EnvVar + " is set for this run; Settings cannot override it.")
		r.message.Show()
	}
	if st.State == keys.None {
		r.entry.SetPlaceHolder("Paste an API key")
	} else {
		r.entry.SetPlaceHolder("Paste a new key to replace it")
	}
}

// syncSessionButton shows "Keep for this run only" while the keychain is
// unavailable.
func (r *row) syncSessionButton(down bool) {
	if down {
		r.session.Show()
	} else {
		r.session.Hide()
	}
}

func (r *row) setBusy(busy bool, msg string) {
	r.busy = busy
	for _, b := range []*widget.Button{r.save, r.test, r.remove, r.session} {
		if busy {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	if msg != "" {
		r.message.SetText(msg)
	}
}

// save stores the typed key in the keychain.
func (p *Panel) save(r *row) {
	if r.busy {
		return
	}
	key := r.entry.Text
	if strings.TrimSpace(key) == "" {
		r.message.SetText("Paste a key in the box first.")
		return
	}
	id := r.reg.ID
	r.setBusy(true, "Saving to the keychain…")
	p.background(func() {
		err := p.store.Set(id, key)
		st := p.store.Status(id)
		fyne.Do(func() {
			r.setBusy(false, "")
			r.setStatus(st)
			p.relist()
			switch {
			case err == nil:
				r.entry.SetText("")
				msg := "Saved in the keychain."
				if st.State == keys.Environment {
					msg += " " + st.EnvVar + " is set, so that key is used instead while it is set."
				}
				r.message.SetText(msg)
				if p.downErr != nil && st.Err == nil {
					p.setDown(nil)
				}
				p.changed(id)
			case keys.IsUnavailable(err):
				r.message.SetText(err.Error() + "\nOr choose “Keep for this run only”: the key is used until Chorus quits and never written anywhere.")
				p.setDown(err)
			default:
				r.message.SetText(err.Error())
			}
		})
	})
}

// keepForSession keeps the typed key in memory for this run. It touches no
// keychain, so it runs on the UI goroutine.
func (p *Panel) keepForSession(r *row) {
	if r.busy {
		return
	}
	if err := p.store.SetSession(r.reg.ID, r.entry.Text); err != nil {
		r.message.SetText(err.Error())
		return
	}
	r.entry.SetText("")
	r.message.SetText("Kept for this run only: it is not saved anywhere. Next time, add it again or fix the keychain and press Save.")
	p.changed(r.reg.ID)
	p.refreshRow(r)
}

// refreshRow re-reads one provider's status in the background.
func (p *Panel) refreshRow(r *row) {
	id := r.reg.ID
	p.background(func() {
		st := p.store.Status(id)
		fyne.Do(func() { r.setStatus(st); p.relist() })
	})
}

// test checks the typed key, or the current one when the box is empty.
func (p *Panel) test(r *row) {
	if r.busy {
		return
	}
	key := r.entry.Text
	id := r.reg.ID
	base := ""
	if p.opts.BaseURL != nil {
		base = p.opts.BaseURL(id)
	}
	what := "Testing the saved key…"
	if strings.TrimSpace(key) != "" {
		what = "Testing the key in the box (not saved yet)…"
	}
	r.setBusy(true, what)
	p.background(func() {
		ctx, cancel := context.WithTimeout(context.Background(), p.opts.TestTimeout)
		defer cancel()
		msg, err := p.store.Check(ctx, p.opts.Engine, id, base, key)
		if err != nil {
			msg = err.Error()
		}
		fyne.Do(func() {
			r.setBusy(false, "")
			r.message.SetText(msg)
		})
	})
}

// remove deletes the key from the keychain and the session.
func (p *Panel) remove(r *row) {
	if r.busy {
		return
	}
	id := r.reg.ID
	r.setBusy(true, "Removing…")
	p.background(func() {
		err := p.store.Delete(id)
		st := p.store.Status(id)
		fyne.Do(func() {
			r.setBusy(false, "")
			r.setStatus(st)
			p.relist()
			var msg string
			switch {
			case err == nil:
				msg = "Removed."
				p.changed(id)
			case errors.Is(err, keys.ErrNotStored):
				msg = "No key was saved, so there was nothing to remove."
			default:
				msg = err.Error()
				if keys.IsUnavailable(err) {
					p.setDown(err)
				}
			}
			if st.State == keys.Environment {
				msg += " " + st.EnvVar + " is still set in the environment and provides a key; unset it to stop using that key."
			}
			r.message.SetText(msg)
		})
	})
}

// changeBaseURL saves a valid base URL (or "") and flags anything else.
func (p *Panel) changeBaseURL(r *row, s string) {
	s = strings.TrimSpace(s)
	if err := checkBaseURL(s); err != nil {
		r.urlNote.SetText(err.Error())
		r.urlNote.Show()
		return
	}
	r.urlNote.Hide()
	p.opts.SetBaseURL(r.reg.ID, s)
}

// checkBaseURL accepts "" or an absolute http(s) URL with a host.
func checkBaseURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsAny(s, " \t") {
		return errors.New("not saved: enter a full URL such as https://api.example.com/v1, or leave it empty for the default")
	}
	return nil
}

func (p *Panel) changed(id string) {
	if p.opts.OnChange != nil {
		p.opts.OnChange(id)
	}
}

// limitsText says what one request may hold, how many run at once and
// what the provider charges, from its capabilities and the price table.
func limitsText(reg providers.Registration) string {
	var parts []string
	model := ""
	c := reg.Capabilities
	model = c.DefaultModel()
	if c.MaxChars > 0 {
		parts = append(parts, fmt.Sprintf("up to %s characters per request (longer text is split)", thousands(c.MaxChars)))
	}
	if c.Concurrency > 0 {
		parts = append(parts, fmt.Sprintf("%d at once", c.Concurrency))
	}
	out := ""
	if len(parts) > 0 {
		out = "Limits: " + strings.Join(parts, ", ") + "."
	}
	if price, ok := pricing.DefaultTable().Estimate(reg.ID, model, 1_000_000); ok {
		if out != "" {
			out += " "
		}
		if price == 0 {
			out += "Price: free."
		} else {
			out += fmt.Sprintf("Price: about $%.2f per million characters", price)
			if model != "" {
				out += " with " + model
			}
			out += "."
		}
	}
	return out
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// providerLimits is what the provider itself allows per request and at
// once (0: no limit of its own).
func providerLimits(reg providers.Registration) (maxChars, concurrency int) {
	if prov, err := reg.New(providers.Config{}); err == nil {
		c := prov.Capabilities()
		return c.MaxChars, c.Concurrency
	}
	return 0, 0
}

// maxParallel bounds parallel requests for a provider that states no limit.
const maxParallel = 16

// limitControls are the editable chunk size and parallel requests, checked
// as they are typed, saved when valid, with a Reset to default.
func (p *Panel) limitControls(r *row) []fyne.CanvasObject {
	maxChars, conc := providerLimits(r.reg)
	r.chunk, r.par = widget.NewEntry(), widget.NewEntry()
	r.chunk.SetPlaceHolder("provider's limit")
	r.par.SetPlaceHolder("default")
	if conc > 0 {
		r.par.SetPlaceHolder(fmt.Sprintf("default (%d)", conc))
	} else {
		r.par.SetPlaceHolder("default (3)")
	}
	if maxChars > 0 {
		r.chunk.SetPlaceHolder(fmt.Sprintf("provider's limit (%s)", thousands(maxChars)))
	}
	if p.opts.Limits != nil {
		c, n := p.opts.Limits(r.reg.ID)
		if c > 0 {
			r.chunk.SetText(fmt.Sprint(c))
		}
		if n > 0 {
			r.par.SetText(fmt.Sprint(n))
		}
	}
	r.limNote = widget.NewLabel("")
	r.limNote.Wrapping = fyne.TextWrapWord
	r.limNote.Importance = widget.DangerImportance
	r.limNote.Hide()
	r.chunk.OnChanged = func(string) { p.changeLimits(r) }
	r.par.OnChanged = func(string) { p.changeLimits(r) }
	reset := widget.NewButton("Reset to default", func() {
		r.chunk.SetText("")
		r.par.SetText("")
		p.changeLimits(r)
	})
	form := widget.NewForm(widget.NewFormItem("Chunk size", r.chunk), widget.NewFormItem("Parallel requests", r.par))
	return []fyne.CanvasObject{form, container.NewHBox(reset), r.limNote}
}

// changeLimits saves both limits when both are valid, else names the
// allowed range under them and saves nothing.
func (p *Panel) changeLimits(r *row) {
	maxChars, conc := providerLimits(r.reg)
	chunk, err := checkLimit(r.chunk.Text, "Chunk size", maxChars, 100_000_000, "characters")
	if err == nil {
		hi := conc
		if hi <= 0 {
			hi = maxParallel
		}
		var par int
		if par, err = checkLimit(r.par.Text, "Parallel requests", hi, hi, "at once"); err == nil {
			r.limNote.Hide()
			p.opts.SetLimits(r.reg.ID, chunk, par)
			return
		}
	}
	r.limNote.SetText(err.Error())
	r.limNote.Show()
}

// checkLimit reads a limit: "" is 0 (the default), else a whole number from
// 1 to max (the provider's own limit when it has one, else fallback).
func checkLimit(v, name string, max, fallback int, unit string) (int, error) {
	v = strings.TrimSpace(strings.ReplaceAll(v, ",", ""))
	if v == "" {
		return 0, nil
	}
	if max <= 0 {
		max = fallback
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return 0, fmt.Errorf("%s: not saved. Enter a whole number from 1 to %s %s, or leave it empty for the default.", name, thousands(max), unit)
	}
	return n, nil
}

// Package voicespage is the Voices page: the natural (Piper) voices that can
// be downloaded, with search, a language filter, size, quality and licence,
// Download / Cancel / Remove with progress, and "Play sample" once a voice
// is installed. It also makes the one first-launch offer of a natural voice.
package voicespage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"chorus/core"
	"chorus/providers"
	"chorus/ui/modal"
	"chorus/ui/plain"
	"chorus/voices"
)

// ProviderID is the provider natural voices are spoken by.
const ProviderID = "piper"

// allLanguages is the language filter's "no filter" choice.
const allLanguages = "All languages"

// samples are the sentences "Play sample" speaks, by language subtag.
var samples = map[string]string{
	"en": "Hello! This is how I sound when I read your text aloud.",
	"de": "Hallo! So klinge ich, wenn ich Ihren Text vorlese.",
	"fr": "Bonjour ! Voici ma voix quand je lis votre texte.",
	"es": "¡Hola! Así sueno cuando leo tu texto en voz alta.",
	"it": "Ciao! Ecco come suono quando leggo il tuo testo.",
	"pt": "Olá! É assim que eu soo quando leio o seu texto.",
	"nl": "Hallo! Zo klink ik als ik je tekst voorlees.",
}

// Options wires the page to the rest of the app.
type Options struct {
	Engine *core.Engine // plays samples; nil disables "Play sample"
	// OnChange is called (on the UI goroutine) after a voice is
	// installed or removed, so pickers can refresh.
	OnChange func(voiceID string, installed bool)
	// Catalog overrides the catalog (tests); nil loads it (CHORUS_VOICE_CATALOG or built in).
	Catalog *voices.Catalog
}

// Page is the Voices page.
type Page struct {
	win     fyne.Window
	opts    Options
	dir     string
	cat     *voices.Catalog
	search  *widget.Entry
	lang    *widget.Select
	list    *fyne.Container
	note    *widget.Label
	rows    map[string]*row
	content fyne.CanvasObject

	progressed chan string  // tests: each progress text shown, when set
	do         func(func()) // runs widget updates on the UI thread (fyne.Do; tests replace it)

	mu      sync.Mutex
	pending sync.WaitGroup
}

type row struct {
	v        voices.Voice
	box      *fyne.Container
	status   *widget.Label
	bar      *widget.ProgressBar
	download *widget.Button
	cancel   *widget.Button
	remove   *widget.Button
	play     *widget.Button
	stop     context.CancelFunc // of the download under way
}

// New builds the page.
func New(win fyne.Window, opts Options) *Page {
	p := &Page{win: win, opts: opts, rows: map[string]*row{}}
	p.note = widget.NewLabel("")
	p.note.Wrapping = fyne.TextWrapWord
	p.note.Hide()
	p.search = widget.NewEntry()
	p.search.SetPlaceHolder("Search voices by name or language")
	p.search.OnChanged = func(string) { p.filter() }
	p.lang = widget.NewSelect(nil, func(string) { p.filter() })
	p.list = container.NewVBox()
	intro := widget.NewLabel("Natural voices run on this computer: no key and no network once downloaded. " +
		"Each is a download of about 60 MB.")
	intro.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(intro, container.NewBorder(nil, nil, nil, p.lang, p.search), p.note)
	p.content = container.NewBorder(top, nil, nil, nil, container.NewVScroll(p.list))

	dir, err := voices.Dir()
	p.dir = dir
	cat := opts.Catalog
	if cat == nil && err == nil {
		cat, err = voices.Load(context.Background(), nil)
	}
	if err != nil {
		p.note.SetText(plain.Say("The voice list could not be read: ", err))
		p.note.Show()
		cat = &voices.Catalog{}
	}
	p.cat = cat
	langs := []string{allLanguages}
	for _, v := range cat.Voices {
		r := p.newRow(v)
		p.rows[v.ID] = r
		if !slices.Contains(langs, v.Language) {
			langs = append(langs, v.Language)
		}
	}
	slices.Sort(langs[1:])
	p.lang.Options = langs
	p.lang.SetSelected(allLanguages)
	p.filter()
	return p
}

// Content is the page's canvas object.
func (p *Page) Content() fyne.CanvasObject { return p.content }

func (p *Page) installed(id string) bool {
	_, err := voices.Open(p.dir, id)
	return err == nil
}

func (p *Page) newRow(v voices.Voice) *row {
	r := &row{v: v}
	title := widget.NewLabelWithStyle(fmt.Sprintf("%s — %s", v.Name, v.Language), fyne.TextAlign(0), fyne.TextStyle{Bold: true})
	details := widget.NewLabel(fmt.Sprintf("%s quality · %.0f MB · %s · credit: %s", v.Quality, float64(v.Size())/1e6, v.License, v.Attribution))
	details.Wrapping = fyne.TextWrapWord
	r.status = widget.NewLabel("")
	r.bar = widget.NewProgressBar()
	r.bar.Hide()
	r.download = widget.NewButton("Download", func() { p.startDownload(r) })
	r.download.Importance = widget.HighImportance
	r.cancel = widget.NewButton("Cancel", func() {
		if r.stop != nil {
			r.stop()
		}
	})
	r.remove = widget.NewButton("Remove", func() { p.confirmRemove(r) })
	r.play = widget.NewButton("Play sample", func() { p.playSample(r) })
	buttons := container.NewHBox(r.download, r.cancel, r.remove, r.play)
	r.box = container.NewVBox(title, details, r.bar, container.NewBorder(nil, nil, nil, buttons, r.status), widget.NewSeparator())
	p.sync(r)
	return r
}

// sync shows the buttons that apply to the row's state.
func (p *Page) sync(r *row) {
	busy := r.stop != nil
	inst := !busy && p.installed(r.v.ID)
	show(r.download, !busy && !inst)
	show(r.cancel, busy)
	show(r.remove, inst)
	show(r.play, inst && p.opts.Engine != nil)
	show(r.bar, busy)
	if inst {
		r.status.SetText("Installed")
	} else if !busy && r.status.Text == "Installed" {
		r.status.SetText("")
	}
}

func show(o fyne.CanvasObject, on bool) {
	if on {
		o.Show()
	} else {
		o.Hide()
	}
}

// filter shows the rows matching the search text and language.
func (p *Page) filter() {
	q := strings.ToLower(strings.TrimSpace(p.search.Text))
	lang := p.lang.Selected
	p.list.RemoveAll()
	n := 0
	for _, v := range p.cat.Voices {
		if lang != "" && lang != allLanguages && v.Language != lang {
			continue
		}
		hay := strings.ToLower(v.ID + " " + v.Name + " " + v.Language + " " + v.Quality)
		if q != "" && !strings.Contains(hay, q) {
			continue
		}
		p.list.Add(p.rows[v.ID].box)
		n++
	}
	if n == 0 {
		p.list.Add(widget.NewLabel("No voice matches. Clear the search or pick another language."))
	}
	p.list.Refresh()
}

func (p *Page) startDownload(r *row) {
	ctx, cancel := context.WithCancel(context.Background())
	r.stop = cancel
	r.bar.SetValue(0)
	r.status.SetText("Starting the download…")
	p.sync(r)
	p.pending.Add(1)
	go func() {
		defer p.pending.Done()
		_, err := voices.Install(ctx, p.dir, r.v, voices.Options{Progress: func(pr voices.Progress) {
			text := progressText(pr)
			p.ui(func() {
				r.bar.SetValue(pr.Percent() / 100)
				r.status.SetText(text)
			})
			if p.progressed != nil {
				select {
				case p.progressed <- text:
				default:
				}
			}
		}})
		cancel()
		p.ui(func() {
			r.stop = nil
			switch {
			case errors.Is(err, context.Canceled):
				r.status.SetText("Download cancelled. Nothing was kept.")
			case err != nil:
				r.status.SetText(plain.Say("Download failed, nothing was kept: ", err) + " Try again.")
			}
			p.sync(r)
			if err == nil && p.opts.OnChange != nil {
				p.opts.OnChange(r.v.ID, true)
			}
		})
	}()
}

func progressText(pr voices.Progress) string {
	s := fmt.Sprintf("%.1f of %.1f MB, %.1f MB/s", float64(pr.Done)/1e6, float64(pr.Total)/1e6, pr.Rate/1e6)
	if pr.Remaining > 0 {
		s += fmt.Sprintf(", %s left", pr.Remaining.Round(time.Second))
	}
	return s
}

func (p *Page) confirmRemove(r *row) {
	modal.ShowConfirm("Remove voice", fmt.Sprintf("Remove %s from this computer? You can download it again later.", r.v.Name),
		func(ok bool) {
			if !ok {
				return
			}
			if err := voices.Remove(p.dir, r.v.ID); err != nil {
				r.status.SetText(plain.Say("Could not remove it: ", err))
			}
			p.sync(r)
			if p.opts.OnChange != nil {
				p.opts.OnChange(r.v.ID, false)
			}
		}, p.win)
}

func (p *Page) playSample(r *row) {
	lang, _, _ := strings.Cut(r.v.Language, "-")
	text, ok := samples[lang]
	if !ok {
		text = samples["en"]
	}
	r.status.SetText("Loading voice…")
	r.play.Disable()
	p.pending.Add(1)
	go func() {
		defer p.pending.Done()
		_, err := p.opts.Engine.Speak(context.Background(), core.Job{Provider: ProviderID,
			Request: providers.Request{Text: text, Voice: r.v.ID}, Play: true,
			OnEvent: func(ev core.Event) {
				if ev.Stage == core.StageFirstAudio {
					p.ui(func() { r.status.SetText("Playing…") })
				}
			}})
		p.ui(func() {
			r.play.Enable()
			if err != nil {
				r.status.SetText(plain.Say("The sample could not be played: ", err))
				return
			}
			p.sync(r)
		})
	}()
}

// Wait blocks until downloads and samples under way have finished (tests).
func (p *Page) Wait() { p.pending.Wait() }

// OfferKey is the preference set once the first-launch offer was shown.
const OfferKey = "voices.offered"

// OfferVoice is the voice the first-launch offer downloads.
const OfferVoice = "en_GB-jenny_dioco-medium"

// Offer asks once, on first launch, whether to download a natural English
// voice, never when one is installed and never again after it was shown.
// Nothing is downloaded unless the person says yes. onInstalled runs on the
// UI goroutine once the voice is in place.
func Offer(win fyne.Window, prefs fyne.Preferences, onInstalled func(voiceID string)) {
	if prefs.Bool(OfferKey) {
		return
	}
	dir, err := voices.Dir()
	if err != nil {
		return
	}
	if list, _ := voices.List(dir); len(list) > 0 {
		return
	}
	cat, err := voices.Load(context.Background(), nil)
	if err != nil {
		return
	}
	v, ok := cat.Find(OfferVoice)
	if !ok {
		return
	}
	prefs.SetBool(OfferKey, true)
	msg := fmt.Sprintf("Download a natural English voice, %.0f MB? It sounds far more natural and runs on this computer. "+
		"You can also do it later in Voices.", float64(v.Size())/1e6)
	ask := dialog.NewConfirm("Natural voice", msg, func(yes bool) {
		if !yes {
			return
		}
		bar := widget.NewProgressBar()
		status := widget.NewLabel("Starting the download…")
		ctx, cancel := context.WithCancel(context.Background())
		d := dialog.NewCustom("Downloading Jenny", "Cancel", container.NewVBox(bar, status), win)
		d.SetOnClosed(cancel)
		modal.Show(d, win)
		go func() {
			_, err := voices.Install(ctx, dir, v, voices.Options{Progress: func(pr voices.Progress) {
				fyne.Do(func() { bar.SetValue(pr.Percent() / 100); status.SetText(progressText(pr)) })
			}})
			fyne.Do(func() {
				d.Hide()
				switch {
				case errors.Is(err, context.Canceled):
				case err != nil:
					modal.ShowError(fmt.Errorf("The voice was not installed: %v. You can try again in Voices.", err), win)
				default:
					if onInstalled != nil {
						onInstalled(v.ID)
					}
				}
			})
		}()
	}, win)
	ask.SetConfirmText("Download")
	ask.SetDismissText("Not now")
	modal.Show(ask, win)
}

// ShowDialog opens the page in a dialog over win.
func ShowDialog(win fyne.Window, opts Options) *Page {
	p := New(win, opts)
	d := dialog.NewCustom("Voices", "Close", p.Content(), win)
	d.Resize(fyne.NewSize(680, 560))
	modal.Show(d, win)
	return p
}

// ui runs f on the UI thread.
func (p *Page) ui(f func()) {
	if p.do != nil {
		p.do(f)
		return
	}
	fyne.Do(f)
}

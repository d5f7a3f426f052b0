package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"

	"chorus/assets"
	"chorus/cli"
	"chorus/core"
	"chorus/internal/screentext"
	"chorus/ui"
	"chorus/ui/tray"
)

// Preference keys of the desktop integration.
const (
	prefKeepInTray     = "tray.keep_on_close"
	prefToldKeep       = "tray.told_keep_on_close"
	prefToldNoShortcut = "tray.told_no_shortcut"
)

// startDesktop hooks the tray, the global shortcut and the single-instance
// socket into the window when it starts.
func startDesktop(engine *core.Engine) {
	ui.OnStart = func(a fyne.App, w fyne.Window, s *ui.Studio) {
		sp := &screenSpeaker{engine: engine, studio: s}
		var stopped []func() // run when the app stops
		show := func() { w.Show(); w.RequestFocus() }
		stop := func() { s.Stop(); sp.stop() }
		if srv, err := cli.ServeInstance(engine, cli.InstanceHooks{
			Show: func() { fyne.Do(show) }, Stop: func() { fyne.Do(stop) }}); err == nil {
			stopped = append(stopped, func() { srv.Close() })
		} else {
			fmt.Fprintln(os.Stderr, "chorus:", err, "- this window will not take over chorus speak and chorus stop")
		}
		prefs := a.Preferences()
		keep := func() bool { return prefs.Bool(prefKeepInTray) }
		if tray.Install(a, assets.Icon, tray.Actions{
			SpeakClipboard: func() { sp.speak(screentext.Clipboard) },
			SpeakSelection: func() { sp.speak(screentext.Selection) },
			TogglePause:    s.TogglePause, Stop: stop, Show: show, Quit: a.Quit,
			KeepInTray: keep, SetKeepInTray: func(v bool) { prefs.SetBool(prefKeepInTray, v) },
		}) {
			tray.KeepOnClose(w, keep, func() bool { return prefs.Bool(prefToldKeep) },
				func() { prefs.SetBool(prefToldKeep, true) },
				func(msg string) { a.SendNotification(fyne.NewNotification("Chorus", msg)) })
		}
		hk := tray.NewHotkey(prefs.String(ui.ShortcutKey), func() { fyne.Do(func() { sp.speak(screentext.Selection) }) })
		s.Hotkey = hk
		stopped = append(stopped, hk.Close)
		a.Lifecycle().SetOnStopped(func() {
			for _, f := range stopped {
				f()
			}
		})
		_, err := hk.Current()
		s.OnShortcutChanged = addSpeechItems(w, sp, hk)
		if err != nil && !prefs.Bool(prefToldNoShortcut) {
			prefs.SetBool(prefToldNoShortcut, true)
			s.SetStatus(tray.NoShortcutAdvice)
		}
	}
}

// screenSpeaker speaks the clipboard or the selection with the window's
// chosen provider and voice, one at a time.
type screenSpeaker struct {
	engine *core.Engine
	studio *ui.Studio
	mu     sync.Mutex
	cancel context.CancelFunc
}

// speak runs on the UI goroutine: it reads the pickers there, then reads the
// text and speaks in a worker.
func (sp *screenSpeaker) speak(src screentext.Source) {
	sp.studio.Stop()
	sp.stop()
	s := sp.studio
	id := s.ProviderID()
	job := core.Job{Provider: id, BaseURL: s.Settings.BaseURL(id), Request: s.Request(), Play: true}
	ctx, cancel := context.WithCancel(context.Background())
	sp.mu.Lock()
	sp.cancel = cancel
	sp.mu.Unlock()
	go func() {
		defer cancel()
		text, err := screentext.Read(ctx, src)
		if err == nil {
			job.Request.Text = text
			fyne.Do(func() { s.SetStatus("Speaking the " + string(src) + "…") })
			_, err = sp.engine.Speak(ctx, job)
		}
		stopped := ctx.Err() != nil
		fyne.Do(func() {
			switch {
			case stopped:
				s.SetStatus("Stopped.")
			case err != nil:
				s.SetStatus(sentence(err.Error()))
			default:
				s.SetStatus("Done.")
			}
		})
	}()
}

func (sp *screenSpeaker) stop() {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.cancel != nil {
		sp.cancel()
	}
}

// sentence starts msg with a capital and ends it with a full stop.
func sentence(msg string) string {
	r, n := utf8.DecodeRuneInString(msg)
	msg = string(unicode.ToUpper(r)) + msg[n:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

// addSpeechItems adds Speak selection (and Speak clipboard, unless the window
// already offers it) to the window's Speech menu.
// The selection item names the global shortcut when it was grabbed.
func addSpeechItems(w fyne.Window, sp *screenSpeaker, hk *tray.Hotkey) (relabel func()) {
	mm := w.MainMenu()
	if mm == nil {
		return func() {}
	}
	selection := fyne.NewMenuItem("Speak selection", func() { sp.speak(screentext.Selection) })
	relabel = func() {
		selection.Label = "Speak selection"
		if sc, err := hk.Current(); err == nil {
			selection.Label += " (" + sc.String() + ")"
		}
		mm.Refresh()
	}
	for _, m := range mm.Items {
		if m.Label != "Speech" {
			continue
		}
		hasClipboard := false
		for _, it := range m.Items {
			hasClipboard = hasClipboard || strings.HasPrefix(it.Label, "Speak clipboard")
		}
		if !hasClipboard {
			m.Items = append(m.Items, fyne.NewMenuItem("Speak clipboard", func() { sp.speak(screentext.Clipboard) }))
		}
		m.Items = append(m.Items, selection)
	}
	relabel()
	return relabel
}

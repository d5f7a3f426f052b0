package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"

	"chorus/assets"
	"chorus/core"
	"chorus/settings"
	"chorus/settings/keys"
	"chorus/ui/comparetab"
	"chorus/ui/history"
	"chorus/ui/settingswin"
)

// AppID is Chorus's application ID (also in FyneApp.toml).
const AppID = "io.github.chorus.studio"

// Run opens the main window and returns when it is closed.
func Run(engine *core.Engine, store *keys.Store) {
	a := app.NewWithID(AppID)
	a.SetIcon(assets.Icon)
	w := a.NewWindow(Title)
	st := settings.New(a.Preferences())
	s := New(a, w, engine, st)
	ct := comparetab.New(w, engine, comparetab.Options{BaseURL: st.BaseURL})
	s.AddTab("Compare", ct.Content())
	s.OnKeysChecked = ct.MarkMissingKeys
	s.RefreshProviders() // the Compare tab hears the key status too
	hv := history.NewView(w, engine)
	s.AddTab("History", hv.Content())
	s.Tabs.OnSelected = func(t *container.TabItem) {
		if t.Text == "History" { // clips spoken since it was last shown
			hv.Reload()
		}
	}
	ApplyTheme(a, a.Preferences().StringWithFallback(themeKey, "System"))
	var open *settingswin.Window
	s.OpenSettings = func(focus string) {
		if open != nil { // one Settings window: bring it forward
			open.Win.RequestFocus()
			if focus != "" {
				open.Panel.Focus(focus)
			}
			return
		}
		open = settingswin.ShowWindow(a, store, settingswin.Options{Engine: engine,
			BaseURL: st.BaseURL, SetBaseURL: st.SetBaseURL,
			Limits:    func(id string) (int, int) { return st.ChunkChars(id), st.Parallel(id) },
			SetLimits: func(id string, c, n int) { st.SetChunkChars(id, c); st.SetParallel(id, n); s.updateCount() },
			OnChange:  s.KeyChanged}, focus, s.GeneralPage)
		open.Win.SetOnClosed(func() { open = nil })
	}
	w.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyComma, Modifier: fyne.KeyModifierShortcutDefault},
		func(fyne.Shortcut) { s.OpenSettings("") })
	s.addVoicesPage() // voices_hook.go
	s.InstallMenu()
	s.RestoreTab()
	w.Resize(st.WindowSize())
	w.SetOnClosed(func() {
		s.Stop()
		st.SetWindowSize(w.Canvas().Size())
		st.SetText(keepable(s.Text.Text))
		s.FlushDraft()
		s.SaveLayout()
	})
	w.Canvas().Focus(s.Text)
	if OnStart != nil {
		OnStart(a, w, s)
	}
	a.Lifecycle().SetOnStarted(s.offerNaturalVoice) // voices_hook.go
	w.ShowAndRun()
}

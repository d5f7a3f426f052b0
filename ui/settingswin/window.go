package settingswin

import (
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"chorus/settings/keys"
	"chorus/ui/modal"
)

// A page is one tab of the Settings window besides API keys and General.
type page struct {
	name    string
	content func() fyne.CanvasObject
}

var (
	pagesMu sync.Mutex
	pages   []page
)

// AddPage adds a tab to the Settings window (for example "Voices", where
// local voices are downloaded). content is called each time the window
// opens, on the UI goroutine. A page added under a name already present
// replaces it. Call it at start-up, before the window is first shown.
func AddPage(name string, content func() fyne.CanvasObject) {
	pagesMu.Lock()
	defer pagesMu.Unlock()
	for i, p := range pages {
		if p.name == name {
			pages[i].content = content
			return
		}
	}
	pages = append(pages, page{name, content})
}

// voicesPlaceholder is the Voices tab until a page of that name is added.
func voicesPlaceholder() fyne.CanvasObject {
	l := widget.NewLabel("Local voices will be listed here, to download and remove.")
	l.Wrapping = fyne.TextWrapWord
	return container.NewPadded(l)
}

// Window is the Settings window: API keys, General, Voices and any page
// added with AddPage.
type Window struct {
	Win   fyne.Window
	Panel *Panel
	Tabs  *container.AppTabs
}

// ShowWindow opens Settings in a window of its own, at providerID's row when
// it is not "". general builds the General tab for the window (nil for none).
func ShowWindow(a fyne.App, store *keys.Store, opts Options, providerID string, general func(fyne.Window) fyne.CanvasObject) *Window {
	w := a.NewWindow("Chorus Settings")
	p := New(w, store, opts)
	tabs := container.NewAppTabs(container.NewTabItem("API keys", p.Content()))
	if general != nil {
		tabs.Append(container.NewTabItem("General", general(w)))
	}
	pagesMu.Lock()
	list := append([]page(nil), pages...)
	pagesMu.Unlock()
	hasVoices := false
	for _, pg := range list {
		hasVoices = hasVoices || pg.name == "Voices"
		tabs.Append(container.NewTabItem(pg.name, pg.content()))
	}
	if !hasVoices {
		tabs.Append(container.NewTabItem("Voices", voicesPlaceholder()))
	}
	w.SetContent(tabs)
	modal.EscapeCloses(w, w.Close) // as preferences windows do
	w.Resize(fyne.NewSize(720, 560))
	w.Show()
	if providerID != "" {
		p.Focus(providerID)
	}
	return &Window{Win: w, Panel: p, Tabs: tabs}
}

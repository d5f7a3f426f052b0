// Package history is the History tab: past clips (text, provider, voice,
// date, length) with Play, Export and Delete. Audio comes from the cache,
// so playing or exporting a clip sends no request.
package history

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"chorus/audio"
	"chorus/cache"
	"chorus/core"
	"chorus/providers"
	"chorus/ui/modal"
	"chorus/ui/plain"
	"chorus/ui/savedialog"
)

// Do runs f on the UI goroutine; tests replace it.
var Do = fyne.Do

// View is the History tab's model and widgets (exported for tests).
type View struct {
	Engine *core.Engine
	Window fyne.Window

	List    *widget.List
	Status  *widget.Label
	Refresh *widget.Button

	mu       sync.Mutex
	clips    []cache.Clip
	gone     map[uint64]bool // clips whose audio has left the cache
	playing  uint64          // the clip playing now (0: none)
	gen      int             // counts Play calls, so a finished clip does not reset a newer one
	cancel   context.CancelFunc
	lastDir  string // the folder of the last export, offered next time
	lastDirs fyne.Preferences
}

// exportDirKey remembers the folder of the last export between sessions.
const exportDirKey = "history.exportDir"

// New returns the History tab's content. With no cache in the engine it
// says how to get one instead.
func New(win fyne.Window, engine *core.Engine) fyne.CanvasObject {
	return NewView(win, engine).Content()
}

// NewView builds the view and loads the list.
func NewView(win fyne.Window, engine *core.Engine) *View {
	v := &View{Engine: engine, Window: win, Status: widget.NewLabel("")}
	if a := fyne.CurrentApp(); a != nil {
		v.lastDirs = a.Preferences()
		v.lastDir = v.lastDirs.String(exportDirKey)
	}
	v.List = widget.NewList(v.count, v.create, v.update)
	v.Refresh = widget.NewButton("Refresh", v.Reload)
	v.Reload()
	return v
}

// Content is the tab's layout.
func (v *View) Content() fyne.CanvasObject {
	clear := widget.NewButton("Clear history", func() {
		modal.ShowConfirm("Clear history?", "Remove every clip from the history? Cached audio stays until it is evicted.", func(ok bool) {
			if ok && v.Engine.Cache != nil {
				v.report(v.Engine.Cache.ClearHistory())
				v.Reload()
			}
		}, v.Window)
	})
	top := container.NewBorder(nil, nil, nil, container.NewHBox(v.Refresh, clear), v.Status)
	return container.NewBorder(top, nil, nil, nil, v.List)
}

// Reload re-reads the history.
func (v *View) Reload() {
	if v.Engine.Cache == nil {
		v.Status.SetText("No cache: history is off. Chorus keeps it in " + cacheDirHint())
		return
	}
	clips, err := v.Engine.Cache.Clips()
	if err != nil {
		v.Status.SetText(plain.Say("Could not read the history: ", err))
		return
	}
	gone := map[uint64]bool{}
	for _, c := range clips {
		if !v.Engine.Cache.Playable(c) {
			gone[c.ID] = true
		}
	}
	v.mu.Lock()
	v.clips, v.gone = clips, gone
	v.mu.Unlock()
	v.Status.SetText(Clips(len(clips)))
	v.List.Refresh()
}

// Clips counts clips in words: "1 clip", "3 clips".
func Clips(n int) string {
	if n == 1 {
		return "1 clip"
	}
	return fmt.Sprintf("%d clips", n)
}

func cacheDirHint() string {
	d, err := cache.DefaultDir()
	if err != nil {
		return "your cache folder (set XDG_CACHE_HOME)"
	}
	return d
}

// Clips is the list shown, newest first.
func (v *View) Clips() []cache.Clip {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]cache.Clip(nil), v.clips...)
}

func (v *View) count() int { return len(v.Clips()) }

func (v *View) create() fyne.CanvasObject {
	title := widget.NewLabel("")
	title.Truncation = fyne.TextTruncateEllipsis
	info := widget.NewLabel("")
	buttons := container.NewHBox(widget.NewButtonWithIcon("Play", theme.MediaPlayIcon(), nil),
		widget.NewButtonWithIcon("Export…", theme.DocumentSaveIcon(), nil), widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), nil))
	return container.NewBorder(nil, nil, nil, buttons, container.NewVBox(title, info))
}

func (v *View) update(id widget.ListItemID, o fyne.CanvasObject) {
	clips := v.Clips()
	if id >= len(clips) {
		return
	}
	c := clips[id]
	row := o.(*fyne.Container)
	texts := row.Objects[0].(*fyne.Container)
	texts.Objects[0].(*widget.Label).SetText(c.Title(80))
	v.mu.Lock()
	gone, playing := v.gone[c.ID], v.playing == c.ID
	v.mu.Unlock()
	texts.Objects[1].(*widget.Label).SetText(Describe(c, gone))
	buttons := row.Objects[1].(*fyne.Container).Objects
	play := buttons[0].(*widget.Button)
	if playing {
		play.SetText("Stop")
		play.SetIcon(theme.MediaStopIcon())
		play.OnTapped = v.Stop
	} else {
		play.SetText("Play")
		play.SetIcon(theme.MediaPlayIcon())
		play.OnTapped = func() { v.Play(c) }
	}
	for _, b := range buttons[:2] {
		if gone {
			b.(*widget.Button).Disable()
		} else {
			b.(*widget.Button).Enable()
		}
	}
	buttons[1].(*widget.Button).OnTapped = func() { v.ShowExport(c) }
	buttons[2].(*widget.Button).OnTapped = func() { v.AskDelete(c) }
}

// Describe is a clip's second line: when, who spoke it (provider, voice,
// model), the format and the length, and whether its audio is gone.
func Describe(c cache.Clip, gone bool) string {
	provider := c.Provider
	if r, ok := providers.Lookup(c.Provider); ok && r.Name != "" {
		provider = r.Name
	}
	voice := c.Voice
	if voice == "" {
		voice = "default voice"
	}
	parts := []string{c.Created.Local().Format("2006-01-02 15:04"), provider, voice}
	if c.Model != "" {
		parts = append(parts, c.Model)
	}
	if c.Format != "" {
		parts = append(parts, strings.ToUpper(c.Format))
	}
	if c.Speed != 0 && c.Speed != 1 {
		parts = append(parts, fmt.Sprintf("%g×", c.Speed))
	}
	parts = append(parts, c.Duration.Round(100*time.Millisecond).String())
	if gone {
		parts = append(parts, "audio no longer cached: speak it again to replay")
	}
	return strings.Join(parts, " · ")
}

// Play plays a clip from the cache in a worker; playing another stops it.
func (v *View) Play(c cache.Clip) {
	ctx, cancel := context.WithCancel(context.Background())
	v.mu.Lock()
	if v.cancel != nil {
		v.cancel()
	}
	v.cancel, v.playing = cancel, c.ID
	v.gen++
	gen := v.gen
	v.mu.Unlock()
	v.List.Refresh()
	v.Status.SetText("Playing: " + c.Title(40))
	go func() {
		_, err := v.Engine.PlayClip(ctx, c, nil, "", false)
		Do(func() {
			v.mu.Lock()
			latest := v.gen == gen
			if latest {
				v.playing = 0
			}
			v.mu.Unlock()
			if !latest { // another clip has started since
				return
			}
			v.List.Refresh()
			switch {
			case ctx.Err() != nil:
				v.Status.SetText("Stopped.")
			case err != nil:
				v.Status.SetText(plain.Say("Could not play it: ", err))
			default:
				v.Status.SetText("Done.")
			}
		})
	}()
}

// Stop stops a clip that is playing.
func (v *View) Stop() {
	v.mu.Lock()
	if v.cancel != nil {
		v.cancel()
		v.cancel = nil
	}
	v.playing = 0
	v.mu.Unlock()
	v.List.Refresh()
}

// ShowExport asks where to save a clip, then writes it from the cache.
// Nothing touches the disk until the export writes the file atomically.
func (v *View) ShowExport(c cache.Clip) {
	savedialog.Show(v.Window, savedialog.Options{
		Title: "Export clip",
		Dir:   v.lastDir,
		Name:  core.OutputName(c.Text, audio.WAV),
		Hint:  "The extension picks the format: .wav .mp3 .flac .ogg .pcm",
	}, func(path string, replace bool) { v.Export(c, path, replace) })
}

// Export writes a clip to path in a worker (format from the extension).
func (v *View) Export(c cache.Clip, path string, force bool) {
	v.Status.SetText("Exporting to " + filepath.Base(path) + "…")
	v.lastDir = filepath.Dir(path)
	if v.lastDirs != nil {
		v.lastDirs.SetString(exportDirKey, v.lastDir)
	}
	go func() {
		res, err := v.Engine.PlayClip(context.Background(), c, nil, path, force)
		Do(func() {
			if err != nil {
				v.Status.SetText(plain.Say("Could not export it: ", err))
				return
			}
			v.Status.SetText(fmt.Sprintf("Saved %s (%.1f s).", path, res.Stats.AudioSeconds))
		})
	}()
}

// AskDelete asks before removing a clip from the history.
func (v *View) AskDelete(c cache.Clip) {
	modal.ShowConfirm("Delete this clip?", "Remove “"+c.Title(50)+"” from the history? This cannot be undone.", func(ok bool) {
		if ok {
			v.Delete(c)
		}
	}, v.Window)
}

// Delete removes a clip from the history.
func (v *View) Delete(c cache.Clip) {
	if v.Engine.Cache == nil {
		return
	}
	v.report(v.Engine.Cache.DeleteClip(c.ID))
	v.Reload()
}

func (v *View) report(err error) {
	if err != nil {
		v.Status.SetText(plain.Error(err))
	}
}

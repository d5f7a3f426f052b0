// Package history is the History tab: past clips (text, provider, voice,
// date, length) with Play, Export and Delete. Audio comes from the cache,
// so playing or exporting a clip sends no request.
package history

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"chorus/audio"
	"chorus/cache"
	"chorus/core"
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

	mu     sync.Mutex
	clips  []cache.Clip
	cancel context.CancelFunc
}

// New returns the History tab's content. With no cache in the engine it
// says how to get one instead.
func New(win fyne.Window, engine *core.Engine) fyne.CanvasObject {
	return NewView(win, engine).Content()
}

// NewView builds the view and loads the list.
func NewView(win fyne.Window, engine *core.Engine) *View {
	v := &View{Engine: engine, Window: win, Status: widget.NewLabel("")}
	v.List = widget.NewList(v.count, v.create, v.update)
	v.Refresh = widget.NewButton("Refresh", v.Reload)
	v.Reload()
	return v
}

// Content is the tab's layout.
func (v *View) Content() fyne.CanvasObject {
	clear := widget.NewButton("Clear history", func() {
		dialog.ShowConfirm("Clear history?", "Remove every clip from the history? Cached audio stays until it is evicted.", func(ok bool) {
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
		v.Status.SetText("Could not read the history: " + err.Error())
		return
	}
	v.mu.Lock()
	v.clips = clips
	v.mu.Unlock()
	v.Status.SetText(fmt.Sprintf("%d clips", len(clips)))
	v.List.Refresh()
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
	buttons := container.NewHBox(widget.NewButton("Play", nil), widget.NewButton("Export…", nil), widget.NewButton("Delete", nil))
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
	voice := c.Voice
	if voice == "" {
		voice = "default voice"
	}
	texts.Objects[1].(*widget.Label).SetText(fmt.Sprintf("%s · %s · %s · %s", c.Created.Local().Format("2006-01-02 15:04"),
		c.Provider, voice, c.Duration.Round(100*time.Millisecond)))
	buttons := row.Objects[1].(*fyne.Container).Objects
	buttons[0].(*widget.Button).OnTapped = func() { v.Play(c) }
	buttons[1].(*widget.Button).OnTapped = func() { v.ShowExport(c) }
	buttons[2].(*widget.Button).OnTapped = func() { v.Delete(c) }
}

// Play plays a clip from the cache in a worker; playing another stops it.
func (v *View) Play(c cache.Clip) {
	ctx, cancel := context.WithCancel(context.Background())
	v.mu.Lock()
	if v.cancel != nil {
		v.cancel()
	}
	v.cancel = cancel
	v.mu.Unlock()
	v.Status.SetText("Playing: " + c.Title(40))
	go func() {
		_, err := v.Engine.PlayClip(ctx, c, nil, "", false)
		Do(func() {
			if err != nil && ctx.Err() == nil {
				v.Status.SetText("Could not play it: " + err.Error())
			} else if err == nil {
				v.Status.SetText("Done.")
			}
		})
	}()
}

// Stop stops a clip that is playing.
func (v *View) Stop() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.cancel != nil {
		v.cancel()
		v.cancel = nil
	}
}

// ShowExport asks where to save a clip, then writes it from the cache.
// Nothing touches the disk until the export writes the file atomically.
func (v *View) ShowExport(c cache.Clip) {
	savedialog.Show(v.Window, savedialog.Options{
		Title: "Export clip",
		Name:  core.OutputName(c.Text, audio.WAV),
		Hint:  "The extension picks the format: .wav .mp3 .flac .ogg .pcm",
	}, func(path string, replace bool) { v.Export(c, path, replace) })
}

// Export writes a clip to path in a worker (format from the extension).
func (v *View) Export(c cache.Clip, path string, force bool) {
	v.Status.SetText("Exporting to " + filepath.Base(path) + "…")
	go func() {
		res, err := v.Engine.PlayClip(context.Background(), c, nil, path, force)
		Do(func() {
			if err != nil {
				v.Status.SetText("Could not export it: " + err.Error())
				return
			}
			v.Status.SetText(fmt.Sprintf("Saved %s (%.1f s).", path, res.Stats.AudioSeconds))
		})
	}()
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
		v.Status.SetText(err.Error())
	}
}

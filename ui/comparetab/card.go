package comparetab

import (
	"fmt"
	"image"
	"image/color"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"chorus/compare"
	"chorus/ui/plain"
)

// Card shows one voice of a comparison: its name, a favourite star, the
// waveform, play/stop, the measurements and, on failure, the error.
type Card struct {
	Title   *widget.Label
	Star    *widget.Check
	Phase   *widget.Label // queued, requesting, receiving, done, failed
	Wave    *canvas.Raster
	Play    *widget.Button
	Figures *widget.Label // the measurements
	Error   *widget.Label

	tab    *Tab
	index  int
	result compare.Result
	root   fyne.CanvasObject

	mu    sync.Mutex // peaks are read by the raster on the render goroutine
	peaks []float32
}

func newCard(t *Tab, i int, e compare.Entry) *Card {
	c := &Card{tab: t, index: i, result: compare.Result{Index: i, Entry: e}}
	c.Title = widget.NewLabelWithStyle(fmt.Sprintf("%d. %s", i+1, e.Label()), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.Title.Truncation = fyne.TextTruncateEllipsis
	c.Star = t.favouriteCheck(e)
	c.Phase = widget.NewLabel("queued")
	c.Wave = canvas.NewRaster(c.draw)
	c.Wave.SetMinSize(fyne.NewSize(300, 56))
	c.Play = widget.NewButtonWithIcon("Play", theme.MediaPlayIcon(), func() {
		if t.Playing() == i {
			t.StopPlayback()
		} else {
			t.PlayCard(i)
		}
	})
	c.Play.Disable()
	c.Figures = widget.NewLabel("")
	c.Error = widget.NewLabel("")
	c.Error.Wrapping = fyne.TextWrapWord
	c.Error.Importance = widget.DangerImportance
	c.Error.Hide()
	head := container.NewBorder(nil, nil, nil, c.Star, c.Title)
	controls := container.NewBorder(nil, nil, c.Play, nil, c.Phase)
	body := container.NewVBox(head, c.Wave, controls, c.Figures, c.Error)
	c.root = widget.NewCard("", "", body)
	return c
}

// Result is the card's result so far.
func (c *Card) Result() compare.Result { return c.result }

// update shows a progress report (UI goroutine).
func (c *Card) update(p compare.Progress) {
	c.result = p.Result
	c.Title.SetText(fmt.Sprintf("%d. %s", c.index+1, p.Result.Label()))
	switch p.Phase {
	case compare.PhaseFirstByte:
		c.Phase.SetText(fmt.Sprintf("receiving… first byte after %.0f ms", p.Result.Stats.TTFBMs))
	case compare.PhaseDone:
		c.Phase.SetText("done")
		c.Figures.SetText(Figures(p.Result))
		c.mu.Lock()
		c.peaks = p.Result.Peaks
		c.mu.Unlock()
		c.Wave.Refresh()
		c.Play.Enable()
	case compare.PhaseFailed:
		c.Phase.SetText("failed")
		c.Error.SetText(plain.Error(p.Result.Err))
		// The error takes the room of the waveform and the figures.
		c.Wave.Hide()
		c.Figures.Hide()
		c.Error.Show()
		c.root.Refresh()
	default:
		c.Phase.SetText(p.Phase.String() + "…")
	}
}

// Figures formats a result's measurements for a card.
func Figures(r compare.Result) string {
	cost := "cost unknown"
	if r.CostKnown {
		cost = fmt.Sprintf("$%.4f", r.CostUSD)
	}
	st := r.Stats
	return fmt.Sprintf("TTFB %.0f ms · first audio %.0f ms · total %.0f ms\naudio %.2f s · RTF %.2f · %.1f KB · %s",
		st.TTFBMs, st.FirstAudioMs, st.TotalMs, st.AudioSeconds, r.RTF, float64(st.Bytes)/1000, cost)
}

func (c *Card) setPlaying(on bool) {
	if on {
		c.Play.SetText("Stop")
		c.Play.SetIcon(theme.MediaStopIcon())
	} else if c.Play.Text != "Play" {
		c.Play.SetText("Play")
		c.Play.SetIcon(theme.MediaPlayIcon())
	}
}

// Peaks returns the waveform the card draws.
func (c *Card) Peaks() []float32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.peaks
}

// draw renders the peak envelope as mirrored vertical bars.
func (c *Card) draw(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	peaks := c.Peaks()
	if len(peaks) == 0 || w <= 0 || h <= 0 {
		return img
	}
	fg := color.RGBAModel.Convert(theme.Color(theme.ColorNamePrimary)).(color.RGBA)
	mid := h / 2
	for x := range w {
		p := peaks[x*len(peaks)/w]
		half := max(int(p*float32(h)/2), 1)
		for y := max(mid-half, 0); y < min(mid+half, h); y++ {
			img.SetRGBA(x, y, fg)
		}
	}
	return img
}

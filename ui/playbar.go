package ui

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"chorus/core"
)

// PlaybackBar shows how much has been heard (the primary fill) over how
// much has been synthesized (a lighter secondary fill), as video players
// show buffering.
type PlaybackBar struct {
	widget.BaseWidget
	Played, Synthesized float64 // fractions, 0 to 1
}

// NewPlaybackBar returns an empty bar.
func NewPlaybackBar() *PlaybackBar {
	b := &PlaybackBar{}
	b.ExtendBaseWidget(b)
	return b
}

// Set updates both fills.
func (b *PlaybackBar) Set(played, synthesized float64) {
	b.Played, b.Synthesized = clamp01(played), clamp01(synthesized)
	b.Refresh()
}

func clamp01(v float64) float64 { return min(max(v, 0), 1) }

// CreateRenderer draws the track and the two fills.
func (b *PlaybackBar) CreateRenderer() fyne.WidgetRenderer {
	r := &playbarRenderer{b: b, track: canvas.NewRectangle(color.Transparent), synth: canvas.NewRectangle(color.Transparent), played: canvas.NewRectangle(color.Transparent)}
	r.Refresh()
	return r
}

type playbarRenderer struct {
	b                    *PlaybackBar
	track, synth, played *canvas.Rectangle
}

func (r *playbarRenderer) Layout(sz fyne.Size) {
	h := float32(8)
	y := (sz.Height - h) / 2
	for _, x := range []struct {
		rect *canvas.Rectangle
		frac float64
	}{{r.track, 1}, {r.synth, r.b.Synthesized}, {r.played, r.b.Played}} {
		x.rect.Move(fyne.NewPos(0, y))
		x.rect.Resize(fyne.NewSize(sz.Width*float32(x.frac), h))
		x.rect.CornerRadius = h / 2
	}
}

func (r *playbarRenderer) MinSize() fyne.Size { return fyne.NewSize(60, 16) }

func (r *playbarRenderer) Refresh() {
	r.track.FillColor = theme.Color(theme.ColorNameInputBackground)
	r.synth.FillColor = theme.Color(theme.ColorNameDisabled)
	r.played.FillColor = theme.Color(theme.ColorNamePrimary)
	r.Layout(r.b.Size())
	canvas.Refresh(r.b)
}

func (r *playbarRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.track, r.synth, r.played}
}

func (r *playbarRenderer) Destroy() {}

// mark is where in the audio a sentence was first heard.
type mark struct {
	at time.Duration
	p  core.Progress
}

// markAt is the sentence being heard at pos: the last one that began at or
// before it.
func markAt(marks []mark, pos time.Duration) (mark, bool) {
	var m mark
	found := false
	for _, x := range marks {
		if x.at > pos {
			break
		}
		m, found = x, true
	}
	return m, found
}

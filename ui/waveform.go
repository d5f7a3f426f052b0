package ui

import (
	"image"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Waveform draws the clip's peak envelope as it arrives, with the play
// position; tapping it seeks there.
type Waveform struct {
	widget.BaseWidget
	raster *canvas.Raster

	peaks    []float32
	perPeak  time.Duration
	position time.Duration
	// OnSeek is called with the time tapped.
	OnSeek func(time.Duration)
}

// NewWaveform returns an empty waveform.
func NewWaveform() *Waveform {
	w := &Waveform{}
	w.raster = canvas.NewRaster(w.draw)
	w.ExtendBaseWidget(w)
	return w
}

// CreateRenderer draws the raster.
func (w *Waveform) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(w.raster)
}

// MinSize keeps the waveform a readable strip.
func (w *Waveform) MinSize() fyne.Size { return fyne.NewSize(200, 48) }

// Set updates the peaks (each covering perPeak of audio) and the position.
func (w *Waveform) Set(peaks []float32, perPeak, position time.Duration) {
	w.peaks, w.perPeak, w.position = peaks, perPeak, position
	w.raster.Refresh()
}

// Duration is the audio the waveform shows.
func (w *Waveform) Duration() time.Duration { return time.Duration(len(w.peaks)) * w.perPeak }

// Tapped seeks to the tapped time.
func (w *Waveform) Tapped(ev *fyne.PointEvent) {
	if w.OnSeek == nil || len(w.peaks) == 0 || w.Size().Width <= 0 {
		return
	}
	ratio := float64(ev.Position.X / w.Size().Width)
	w.OnSeek(time.Duration(ratio * float64(w.Duration())))
}

func (w *Waveform) draw(width, height int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	bg := theme.Color(theme.ColorNameInputBackground)
	fg := theme.Color(theme.ColorNamePrimary)
	played := theme.Color(theme.ColorNameForeground)
	for i := range img.Pix {
		r, g, b, a := bg.RGBA()
		switch i % 4 {
		case 0:
			img.Pix[i] = uint8(r >> 8)
		case 1:
			img.Pix[i] = uint8(g >> 8)
		case 2:
			img.Pix[i] = uint8(b >> 8)
		case 3:
			img.Pix[i] = uint8(a >> 8)
		}
	}
	n := len(w.peaks)
	if n == 0 || width == 0 {
		return img
	}
	posX := int(float64(w.position) / float64(w.Duration()) * float64(width))
	mid := height / 2
	for x := range width {
		// The peaks under this column.
		from, to := x*n/width, (x+1)*n/width
		if to <= from {
			to = from + 1
		}
		var p float32
		for _, v := range w.peaks[from:min(to, n)] {
			p = max(p, v)
		}
		h := int(p * float32(mid))
		c := fg
		if x < posX {
			c = played
		}
		for y := mid - h; y <= mid+h && y < height; y++ {
			if y >= 0 {
				img.Set(x, y, c)
			}
		}
	}
	if posX >= 0 && posX < width {
		for y := range height {
			img.Set(posX, y, color.NRGBA{R: 255, G: 80, B: 80, A: 255})
		}
	}
	return img
}

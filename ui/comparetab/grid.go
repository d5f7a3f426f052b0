package comparetab

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// fillGrid lays cards out side by side in as many columns as fit at
// cardWidth or wider, and stretches the columns to fill the width, so the
// cards use a wide window instead of leaving a gap on the right. Rows are
// as tall as their tallest card (at least cardHeight).
//
// Fyne asks a layout for its minimum size without a width, so the grid
// remembers the columns of its last layout for MinSize, and calls reflow
// (when set) once the column count changes, so that a scroll around it
// learns the new height.
type fillGrid struct {
	cardWidth, cardHeight float32
	reflow                func()

	cols int // columns of the last layout (0 before the first)
}

// columns is how many cards fit side by side in width.
func (g *fillGrid) columns(width float32, n int) int {
	pad := theme.Padding()
	cols := int((width + pad) / (g.cardWidth + pad))
	return max(1, min(cols, max(n, 1)))
}

func (g *fillGrid) rowHeights(objects []fyne.CanvasObject, cols int) []float32 {
	var heights []float32
	i := 0
	for _, o := range objects {
		if !o.Visible() {
			continue
		}
		if i%cols == 0 {
			heights = append(heights, g.cardHeight)
		}
		heights[len(heights)-1] = max(heights[len(heights)-1], o.MinSize().Height)
		i++
	}
	return heights
}

// Layout places the visible objects row by row.
func (g *fillGrid) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	visible := 0
	for _, o := range objects {
		if o.Visible() {
			visible++
		}
	}
	cols := g.columns(size.Width, visible)
	if cols != g.cols {
		first := g.cols == 0
		g.cols = cols
		if !first && g.reflow != nil {
			g.reflow()
		}
	}
	cellW := (size.Width - pad*float32(cols-1)) / float32(cols)
	heights := g.rowHeights(objects, cols)
	i := 0
	y := float32(0)
	for _, o := range objects {
		if !o.Visible() {
			continue
		}
		row, col := i/cols, i%cols
		if col == 0 && row > 0 {
			y += heights[row-1] + pad
		}
		o.Move(fyne.NewPos(float32(col)*(cellW+pad), y))
		o.Resize(fyne.NewSize(cellW, heights[row]))
		i++
	}
}

// MinSize is one card wide and as tall as the rows need in the columns of
// the last layout.
func (g *fillGrid) MinSize(objects []fyne.CanvasObject) fyne.Size {
	heights := g.rowHeights(objects, max(g.cols, 1))
	h := float32(0)
	for i, x := range heights {
		if i > 0 {
			h += theme.Padding()
		}
		h += x
	}
	return fyne.NewSize(g.cardWidth, h)
}

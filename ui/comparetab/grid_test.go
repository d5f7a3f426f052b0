package comparetab

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// Cards sit side by side and fill the width: as many columns as fit at
// the card width, stretched to the edge; fewer cards than columns use
// fewer, wider columns; the height follows the columns.
func TestCardsFillTheWidth(t *testing.T) {
	test.NewTempApp(t)
	pad := theme.Padding()
	cards := make([]fyne.CanvasObject, 5)
	for i := range cards {
		r := canvas.NewRectangle(nil)
		r.SetMinSize(fyne.NewSize(100, 150))
		cards[i] = r
	}
	g := &fillGrid{cardWidth: 330, cardHeight: 210}
	reflows := 0
	g.reflow = func() { reflows++ }
	box := container.New(g, cards...)
	box.Resize(fyne.NewSize(1200, 800))
	// 1200 px fit three 330 px cards: 3 columns of (1200-2·pad)/3.
	w := (1200 - 2*pad) / 3
	for i, c := range cards {
		col, row := i%3, i/3
		if c.Size().Width != w || c.Position().X != float32(col)*(w+pad) || c.Position().Y != float32(row)*(210+pad) {
			t.Errorf("card %d at %v size %v; want column %d row %d, width %v", i, c.Position(), c.Size(), col, row, w)
		}
	}
	if last := cards[2]; last.Position().X+last.Size().Width != 1200 {
		t.Errorf("the last column ends at %v, not at the edge", last.Position().X+last.Size().Width)
	}
	if got := box.MinSize().Height; got != 2*210+pad {
		t.Errorf("height for 2 rows = %v", got)
	}
	// Narrow: one column, five rows; the scroll is told.
	box.Resize(fyne.NewSize(400, 800))
	if cards[1].Position().X != 0 || cards[1].Size().Width != 400 || reflows != 1 {
		t.Errorf("narrow: card 1 at %v size %v, %d reflows", cards[1].Position(), cards[1].Size(), reflows)
	}
	if got := box.MinSize().Height; got != 5*210+4*pad {
		t.Errorf("height for 5 rows = %v", got)
	}
	// Two cards in a wide window: two wide columns, not three with a gap.
	two := container.New(&fillGrid{cardWidth: 330, cardHeight: 210}, cards[0], cards[1])
	two.Resize(fyne.NewSize(1200, 400))
	if cards[1].Position().X+cards[1].Size().Width != 1200 {
		t.Errorf("two cards leave a gap: second ends at %v", cards[1].Position().X+cards[1].Size().Width)
	}
}

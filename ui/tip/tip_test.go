package tip

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Resting the pointer on the button shows its tip; leaving or tapping hides
// it; the button still taps.
func TestTipShowsOnHover(t *testing.T) {
	test.NewTempApp(t)
	shown := make(chan func(), 4)
	do = func(f func()) { shown <- f }
	defer func() { do = fyne.Do }()
	Delay = 10 * time.Millisecond
	tapped := 0
	b := NewIconButton(theme.DeleteIcon(), "Remove from the shortlist", func() { tapped++ })
	w := test.NewWindow(b)
	defer w.Close()
	w.Resize(fyne.NewSize(200, 100))

	b.MouseIn(&desktop.MouseEvent{PointEvent: fyne.PointEvent{AbsolutePosition: fyne.NewPos(5, 5)}})
	(<-shown)()
	if !b.Showing() {
		t.Fatal("no tip after resting on the button")
	}
	var label *widget.Label
	for _, o := range test.LaidOutObjects(w.Canvas().Overlays().Top()) {
		if l, ok := o.(*widget.Label); ok {
			label = l
		}
	}
	if label == nil || label.Text != "Remove from the shortlist" {
		t.Errorf("tip label %v", label)
	}
	b.MouseOut()
	if b.Showing() {
		t.Error("the tip stays after the pointer left")
	}
	b.MouseIn(&desktop.MouseEvent{})
	test.Tap(b)
	select {
	case f := <-shown:
		f()
	case <-time.After(50 * time.Millisecond):
	}
	if b.Showing() || tapped != 1 {
		t.Errorf("after a tap: tip showing %v, tapped %d", b.Showing(), tapped)
	}
}

// No icon-only button without a tip: the window's source builds icon-only
// buttons with NewIconButton only.
func TestNoIconOnlyButtonWithoutATip(t *testing.T) {
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), `NewButtonWithIcon("",`) {
			t.Errorf("%s makes an icon-only button without a tooltip: use tip.NewIconButton", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

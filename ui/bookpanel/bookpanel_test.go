package bookpanel

import (
	"image/png"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"chorus/book"
	"chorus/documents"
)

func TestChaptersRenameSkipReorderSpeakExport(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewWindow(nil)
	defer w.Close()
	p := New(w)
	p.SetDocument(&documents.Document{Title: "Tale", Author: "Ann", Chapters: []documents.Chapter{
		{Title: "Beginning", Text: "Once."}, {Title: "", Text: "Middle text."}, {Title: "End", Text: "Done."}}})
	var spoken []string
	p.OnSpeak = func(i int, ch book.Chapter) { spoken = append(spoken, ch.Title) }
	p.Estimate = func() ([]book.Estimate, error) {
		return []book.Estimate{{Title: "Beginning", Characters: 5, Requests: 1, CostKnown: true, Cost: 0.01, Audio: time.Second},
			{Title: "Total", Characters: 5, Requests: 1, CostKnown: true, Cost: 0.01, Audio: time.Second}}, nil
	}
	var picked *ExportChoice
	p.OnExportBook = func(c ExportChoice) { picked = &c }
	editor := widget.NewMultiLineEntry()
	editor.SetText("Once.\n\nMiddle text.\n\nDone.")
	w.SetContent(container.NewHSplit(editor, p.Object()))
	w.Resize(fyne.NewSize(900, 520))

	if p.Book.Chapters[1].Title != "Chapter 2" {
		t.Fatalf("untitled chapter shown as %q", p.Book.Chapters[1].Title)
	}
	p.list.Select(2)
	p.Move(2, 1)
	p.Rename(1, "  The End  ")
	if got := []string{p.Book.Chapters[0].Title, p.Book.Chapters[1].Title, p.Book.Chapters[2].Title}; strings.Join(got, "|") != "Beginning|The End|Chapter 2" {
		t.Fatalf("order %v", got)
	}
	// Untick chapter 1 in the list: it is skipped.
	for _, o := range test.LaidOutObjects(p.list) {
		if c, ok := o.(*widget.Check); ok {
			test.Tap(c)
			break
		}
	}
	if !p.Book.Chapters[0].Skip || p.Book.Chapters[1].Skip {
		t.Fatalf("skip flags %v %v", p.Book.Chapters[0].Skip, p.Book.Chapters[1].Skip)
	}
	p.list.Select(1)
	p.list.Refresh()
	shoot(t, w, "panel")
	for _, o := range test.LaidOutObjects(p.Object()) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Speak" {
			test.Tap(b)
		}
	}
	if strings.Join(spoken, ",") != "The End" {
		t.Fatalf("spoke %v", spoken)
	}
	p.ShowExport()
	shoot(t, w, "export")
	var export *widget.Button
	for _, o := range test.LaidOutObjects(w.Canvas().Overlays().Top()) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Export" {
			export = b
		}
	}
	if export == nil {
		t.Fatal("the Export audiobook dialog has no Export button")
	}
	test.Tap(export)
	if picked == nil || !picked.Audiobook || picked.Loudness != -18 || picked.Title != "Tale" || picked.Author != "Ann" {
		t.Fatalf("export choice %+v", picked)
	}
}

// shoot saves the window as BOOKPANEL_SHOT-name.png when that is set.
func shoot(t *testing.T, w fyne.Window, name string) {
	if prefix := os.Getenv("BOOKPANEL_SHOT"); prefix != "" {
		f, err := os.Create(prefix + "-" + name + ".png")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, w.Canvas().Capture()); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCueTimingOfferedForSubtitlesOnly(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewWindow(nil)
	defer w.Close()
	p := New(w)
	p.SetDocument(&documents.Document{Title: "Subs", Chapters: []documents.Chapter{{Title: "Subs", Text: "One.\n\nTwo."}}})
	var picked *ExportChoice
	p.OnExportBook = func(c ExportChoice) { picked = &c }
	find := func() (*widget.Check, *widget.Button) {
		var check *widget.Check
		var export *widget.Button
		for _, o := range test.LaidOutObjects(w.Canvas().Overlays().Top()) {
			if c, ok := o.(*widget.Check); ok && strings.HasPrefix(c.Text, "Start each subtitle") {
				check = c
			}
			if b, ok := o.(*widget.Button); ok && b.Text == "Export" {
				export = b
			}
		}
		return check, export
	}
	p.ShowExport()
	if c, _ := find(); c != nil {
		t.Fatal("cue timing offered for a document without cues")
	}
	w.Canvas().Overlays().Top().Hide()
	w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())
	w.Resize(fyne.NewSize(760, 420))
	p.Cues = []book.Cue{{Start: time.Second, Text: "One."}, {Start: 3 * time.Second, Text: "Two."}}
	p.ShowExport()
	check, export := find()
	shoot(t, w, "export-timed")
	if check == nil || export == nil {
		t.Fatal("no cue timing option for subtitles")
	}
	test.Tap(check)
	test.Tap(export)
	if picked == nil || !picked.Timed || len(picked.Cues) != 2 || picked.Cues[1].Start != 3*time.Second {
		t.Fatalf("export choice %+v", picked)
	}
}

package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"chorus/documents"
	"chorus/internal/scripted"
)

// The Export audiobook dialog shows the render time, saying when it is a
// guess.
func TestBookExportShowsRenderTime(t *testing.T) {
	s, _ := newTestStudio(t)
	if s.book == nil {
		t.Fatal("no book panel")
	}
	scripted.Register(t, &scripted.Provider{ID: "ui-est"})
	s.RefreshProviders()
	s.selectProvider("ui-est")
	s.showChapters(&documents.Document{Title: "T", Chapters: []documents.Chapter{{Title: "One", Text: "Hello there."}, {Title: "Two", Text: "Goodbye."}}})
	s.book.panel.ShowExport()
	var texts []string
	for _, o := range test.LaidOutObjects(s.Window.Canvas().Overlays().Top()) {
		if l, ok := o.(*widget.Label); ok {
			texts = append(texts, l.Text)
		}
	}
	all := strings.Join(texts, "|")
	if !strings.Contains(all, "|Render time|") || !strings.Contains(all, "(a guess: not measured yet)") {
		t.Fatalf("the dialog shows %q", all)
	}
}

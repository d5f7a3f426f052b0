package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"chorus/documents"
)

// openDocument loads an e-book, web page, office document, PDF or subtitle
// file into the editor through the documents readers; on any problem the
// editor keeps its text and the status line says what to do.
func (s *Studio) openDocument(path string) {
	name := filepath.Base(path)
	if !documents.Supported(path) {
		s.SetStatus("Chorus opens text, Markdown, web pages, EPUB, Word, OpenDocument, PDF and subtitle files; save the text as one of those first.")
		return
	}
	d, err := documents.Open(context.Background(), path, documents.Options{})
	if err != nil {
		s.SetStatus("Could not open " + name + ": " + strings.TrimPrefix(err.Error(), name+": "))
		return
	}
	text := d.Text()
	if strings.TrimSpace(text) == "" {
		s.SetStatus(name + " has no text to speak.")
		return
	}
	s.askBeforeReplacing("Open "+name, func() {
		s.Text.SetText(text)
		s.updateCount()
		s.opened = text
		s.addRecent(path)
		s.showChapters(d)
		s.SetStatus(fmt.Sprintf("Opened %s: %d characters in %d chapters.", name, utf8.RuneCountInString(text), len(d.Chapters)))
	})
}

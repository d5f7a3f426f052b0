package cli

import (
	"context"
	"path/filepath"
	"strings"

	"chorus/documents"
)

// isDocument says whether --file goes through the document readers: every
// format they read except plain text, which speak reads as it is, and
// Markdown, which it reads as the GUI does (isMarkdown).
func isDocument(path string) bool {
	if isMarkdown(path) {
		return false
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".txt", ".text", "":
		return false
	}
	return documents.Supported(path)
}

// isMarkdown says whether speak reads --file as Markdown, keeping only its
// words (longtext.SpeakableMarkdown), the way the GUI opens it.
func isMarkdown(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".md", ".markdown":
		return true
	}
	return false
}

// readDocument reads an e-book, web page, office document, PDF or subtitle
// file as text normalised for speech.
func readDocument(path string) (string, error) {
	d, err := documents.Open(context.Background(), path, documents.Options{})
	if err != nil {
		return "", usageErr("cannot read %s: %v", path, err)
	}
	return d.Text(), nil
}

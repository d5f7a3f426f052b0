package cli

import (
	"context"
	"path/filepath"
	"strings"

	"chorus/documents"
)

// isDocument says whether --file goes through the document readers: every
// format they read except plain text, which speak reads as it is.
func isDocument(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".txt", ".text", "":
		return false
	}
	return documents.Supported(path)
}

// readDocument reads an e-book, web page, office document, PDF, Markdown or
// subtitle file as text normalised for speech.
func readDocument(path string) (string, error) {
	d, err := documents.Open(context.Background(), path, documents.Options{})
	if err != nil {
		return "", usageErr("cannot read %s: %v", path, err)
	}
	return d.Text(), nil
}

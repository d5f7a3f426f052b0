package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"chorus/book"
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

// runTimedSpeak speaks a subtitle file with each cue at its start time and
// writes one file (--out), reporting cues that ran past their slot.
func runTimedSpeak(ctx context.Context, env *Env, file, out string, force bool, provider, model, voice, baseURL, castFile string, l book.Loudness) int {
	ext := strings.ToLower(filepath.Ext(file))
	if ext != ".srt" && ext != ".vtt" {
		return fail(env, usageErr("--timed works with subtitle files (.srt or .vtt), not %s", filepath.Base(file)))
	}
	if out == "" {
		return fail(env, usageErr("--timed writes one file: give it with --out subs.mp3 (or .wav, .m4a, .flac, .opus)"))
	}
	cues, err := documents.ReadCues(file)
	if err != nil {
		return fail(env, usageErr("%v", err))
	}
	if len(cues) == 0 {
		return fail(env, usageErr("%s has no cues with text", file))
	}
	r := &book.Renderer{Engine: env.Engine, Default: book.Voice{Provider: provider, Model: model, Voice: voice, BaseURL: baseURL}}
	if castFile != "" {
		if r.Cast, err = book.LoadCast(castFile); err != nil {
			return fail(env, usageErr("%v", err))
		}
	}
	bc := make([]book.Cue, len(cues))
	for i, c := range cues {
		bc[i] = book.Cue{Start: c.Start, Text: c.Text}
	}
	name := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	rd, ov, err := r.RenderCues(ctx, &book.Book{Title: name}, name, bc)
	if errors.Is(err, book.ErrUnknownVoice) {
		return fail(env, usageErr("%v", err))
	} else if err != nil {
		return fail(env, err)
	}
	defer rd.Close()
	fmt.Fprintf(env.Stderr, "%d cues: %s\n", len(cues), ov)
	if err := rd.ExportBook(ctx, out, "", l, force); err != nil {
		return fail(env, err)
	}
	fmt.Fprintln(env.Stderr, "saved "+out)
	return ExitOK
}

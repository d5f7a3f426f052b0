package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"chorus/book"
	"chorus/documents"
	"chorus/providers"
	"chorus/ui/bookpanel"
	"chorus/ui/modal"
	"chorus/ui/plain"
)

// bookView holds the Chapters panel beside the editor (ui/bookpanel).
type bookView struct {
	panel *bookpanel.Panel
	split *container.Split
	box   *fyne.Container
}

// withChapters puts the editor in a box that gains the Chapters panel when a
// document with more than one chapter is opened.
func (s *Studio) withChapters(editor fyne.CanvasObject) fyne.CanvasObject {
	p := bookpanel.New(s.Window)
	bv := &bookView{panel: p, box: container.NewStack(editor)}
	bv.split = container.NewHSplit(editor, p.Object())
	bv.split.Offset = 0.68
	p.OnSpeak = func(_ int, ch book.Chapter) {
		s.Text.SetText(ch.Text)
		s.Speak()
	}
	p.OnExport = func(_ int, ch book.Chapter) {
		s.Text.SetText(ch.Text)
		s.ShowExport()
	}
	p.Estimate = func() ([]book.Estimate, error) { return s.bookRenderer().Estimate(p.Book) }
	p.OnExportBook = s.exportBook
	p.Text = func() string { return s.Text.Text }
	p.SetText = s.Text.SetText // through the editor, so the draft is saved
	p.Voices = func(ctx context.Context, id, model string) ([]providers.Voice, error) {
		return s.Engine.Voices(ctx, id, s.Settings.BaseURL(id), model)
	}
	p.DefaultVoice = func() book.Voice { return s.bookRenderer().Default }
	s.book = bv
	return bv.box
}

// showCast opens the Cast editor of the editor's text (Edit → Cast…), also
// for a text of one chapter, whose Chapters panel is hidden.
func (s *Studio) showCast() {
	if s.book != nil {
		s.book.panel.ShowCast()
	}
}

func (s *Studio) bookRenderer() *book.Renderer {
	req := s.Request()
	r := &book.Renderer{Engine: s.Engine, Default: book.Voice{Provider: s.ProviderID(), Model: req.Model, Voice: req.Voice}, Retries: 2}
	if path, err := lexiconPath(); err == nil {
		r.Lexicon, _, _ = book.LoadLexiconFile(path) // a damaged list is reported by its editor
	}
	return r
}

// showChapters lists a document's chapters beside the editor.
func (s *Studio) showChapters(d *documents.Document) {
	if s.book == nil {
		return
	}
	s.book.panel.SetDocument(d)
	s.book.panel.Cues = nil
	if cues, err := documents.ReadCues(d.Path); err == nil {
		for _, c := range cues {
			s.book.panel.Cues = append(s.book.panel.Cues, book.Cue{Start: c.Start, Text: c.Text})
		}
	}
	if len(d.Chapters) > 1 {
		s.book.box.Objects = []fyne.CanvasObject{s.book.split}
	} else {
		s.book.box.Objects = []fyne.CanvasObject{s.book.split.Leading}
	}
	s.book.box.Refresh()
}

// showChaptersOf lists the chapters of a text or Markdown file that the
// editor opened as it is.
func (s *Studio) showChaptersOf(path string) {
	if d, err := documents.Open(context.Background(), path, documents.Options{}); err == nil {
		s.showChapters(d)
	}
}

// exportBook asks for a folder and renders the book there in the background.
func (s *Studio) exportBook(c bookpanel.ExportChoice) {
	b := *s.book.panel.Book
	b.Chapters = append([]book.Chapter(nil), b.Chapters...)
	b.Title, b.Author = c.Title, c.Author
	r := s.bookRenderer()
	modal.ShowFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil || dir == nil {
			return
		}
		s.renderBook(r, &b, dir.Path(), c)
	}, s.Window)
}

// renderBook renders b into folder in a worker. It is a run like Speak:
// Stop (or Esc) cancels it at once and nothing half-written is left; the
// chapters rendered so far stay in the cache, so rendering again does not
// pay for them twice.
func (s *Studio) renderBook(r *book.Renderer, b *book.Book, folder string, c bookpanel.ExportChoice) {
	s.mu.Lock()
	if s.busy {
		s.mu.Unlock()
		s.SetStatus("Already working: press Stop first.")
		return
	}
	if path, err := lexiconPath(); err == nil {
		if _, _, err := book.LoadLexiconFile(path); err != nil {
			s.mu.Unlock()
			s.SetStatus(plain.Say("Not rendered: the pronunciation list has a mistake (Edit → Pronunciations…): ", err))
			return
		}
	}
	ctx, runID := s.beginLocked()
	s.mu.Unlock()
	s.SetStatus("Rendering the audiobook…")
	r.OnChapter = func(i int, t string) {
		uiDo(func() {
			if ctx.Err() == nil {
				s.SetStatus(fmt.Sprintf("Rendering chapter %d of %d: %s", i+1, len(b.Chapters), t))
			}
		})
	}
	go func() {
		var msg string
		if c.Timed {
			msg = renderCuesTo(ctx, r, b, folder, c)
		} else {
			msg = renderBookTo(ctx, r, b, folder, c)
		}
		if ctx.Err() != nil {
			msg = "Stopped: the audiobook was not saved. Chapters already rendered are cached, so rendering again will not pay for them."
		}
		uiDo(func() {
			if s.end(runID) {
				s.SetStatus(msg)
			}
		})
	}()
}

func renderBookTo(ctx context.Context, r *book.Renderer, b *book.Book, folder string, c bookpanel.ExportChoice) string {
	rd, err := r.Render(ctx, b)
	if err != nil {
		return "Could not render the audiobook: " + err.Error()
	}
	defer rd.Close()
	l := book.Loudness{LUFS: c.Loudness}
	name := strings.TrimSpace(b.Title)
	if name == "" {
		name = "Audiobook"
	}
	var saved []string
	if c.PerFile {
		paths, err := rd.ExportChapters(ctx, filepath.Join(folder, name), ".mp3", b.Cover, l, false)
		if err != nil {
			return "Could not save the chapter files: " + err.Error()
		}
		saved = append(saved, fmt.Sprintf("%d chapter files", len(paths)))
	}
	if c.Audiobook {
		out := filepath.Join(folder, name+".m4b")
		if _, err := os.Stat(out); err == nil {
			return filepath.Base(out) + " already exists; choose another folder or title."
		}
		if err := rd.ExportBook(ctx, out, b.Cover, l, false); err != nil {
			return "Could not save the audiobook: " + err.Error()
		}
		msg := filepath.Base(out)
		if m, err := book.Measure(ctx, out); err == nil && c.Loudness != 0 {
			msg += fmt.Sprintf(" (%.1f LUFS)", m.LUFS)
		}
		saved = append(saved, msg)
	}
	if len(saved) == 0 {
		return "Nothing exported: tick the audiobook file or the chapter files."
	}
	return "Saved " + strings.Join(saved, " and ") + " in " + folder + "."
}

// renderCuesTo speaks subtitle cues each at its start time into one WAV
// file in folder (WAV keeps the timing exact) and says how many ran late.
func renderCuesTo(ctx context.Context, r *book.Renderer, b *book.Book, folder string, c bookpanel.ExportChoice) string {
	name := strings.TrimSpace(b.Title)
	if name == "" {
		name = "Subtitles"
	}
	out := filepath.Join(folder, name+".wav")
	if _, err := os.Stat(out); err == nil {
		return filepath.Base(out) + " already exists; choose another folder or title."
	}
	rd, ov, err := r.RenderCues(ctx, b, name, c.Cues)
	if err != nil {
		return "Could not speak the subtitles: " + err.Error()
	}
	defer rd.Close()
	if err := rd.ExportBook(ctx, out, "", book.Loudness{LUFS: c.Loudness}, false); err != nil {
		return "Could not save the subtitles' speech: " + err.Error()
	}
	return "Saved " + filepath.Base(out) + " in " + folder + ". " + ov.String()
}

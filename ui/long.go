package ui

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"chorus/core"
	"chorus/documents"
	"chorus/longtext"
	"chorus/pricing"
	"chorus/ui/modal"
)

// maxOpenBytes bounds a text file opened in the editor.
const maxOpenBytes = 16 << 20

// LongView is the long-text part of the window: progress, the reading view
// that highlights the sentence being spoken, and the chunking overrides.
// Pause and resume across chunks come from the transport bar: a long text
// is one stream through one Play, so pausing it pauses every chunk.
//
// Highlighting uses a read-only rich-text view of the chunk being spoken,
// shown over the editor while it speaks, rather than a selection in the
// Entry: Fyne 2.8's Entry has no public API to set a selection, and a
// read-only view also keeps the text from being edited while the offsets
// of a running job point into it. Showing the current chunk (not the whole
// text) keeps each update cheap even for a book chapter.
type LongView struct {
	Progress      *PlaybackBar
	ProgressLabel *widget.Label
	Reading       *widget.RichText
	ChunkChars    *widget.Entry
	Concurrency   *widget.Entry
	FromHere      *widget.Button

	panel   *fyne.Container
	reading *container.Scroll

	mu       sync.Mutex
	from     int  // byte offset "Speak from here" starts at (-1: whole text)
	active   bool // a job with progress is running
	text     string
	lastSent int
	lastWord int
	marks    []mark       // where each sentence began in the audio, to follow seeks
	places   []core.Place // the newest report's places ahead (arrived, not heard yet)
	synth    float64      // chunks synthesized, 0 to 1
	// shownStart is the byte offset in text where the reading view's text
	// begins, after a header of shownHeader bytes (-1: no text shown).
	shownStart, shownHeader int
	seek                    func(time.Duration) error // tests: instead of the transport's Seek
}

// editorArea is the editor with the reading view stacked over it.
func (s *Studio) editorArea() fyne.CanvasObject {
	s.ensureLong()
	return s.withChapters(container.NewStack(s.Text, s.long.reading)) // chapters panel: ui/book_hook.go
}

// longPanel is the progress row under the editor (hidden while idle).
func (s *Studio) longPanel() fyne.CanvasObject {
	s.ensureLong()
	return s.long.panel
}

func (s *Studio) ensureLong() {
	if s.long != nil {
		return
	}
	l := &LongView{from: -1}
	l.Progress = NewPlaybackBar()
	l.ProgressLabel = widget.NewLabel("")
	l.Reading = widget.NewRichText()
	l.Reading.Wrapping = fyne.TextWrapWord
	l.shownHeader = -1
	l.reading = container.NewVScroll(newReadingArea(l.Reading, s.tapReading)) // long_seek.go
	l.reading.Hide()
	l.panel = container.NewBorder(nil, nil, nil, l.ProgressLabel, l.Progress)
	l.panel.Hide()
	l.ChunkChars = widget.NewEntry()
	l.ChunkChars.PlaceHolder = "provider's limit"
	l.ChunkChars.Validator = positiveOrEmpty
	l.ChunkChars.OnChanged = func(string) { s.updateCount() }
	l.Concurrency = widget.NewEntry()
	l.Concurrency.PlaceHolder = "provider's limit, else 3"
	l.Concurrency.Validator = positiveOrEmpty
	l.FromHere = widget.NewButton("Speak from here", s.SpeakFromHere)
	s.long = l
}

func positiveOrEmpty(v string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	if n, err := strconv.Atoi(v); err != nil || n < 1 {
		return fmt.Errorf("a whole number of 1 or more, or empty for the default")
	}
	return nil
}

// installLong wires the long-text features into a built window: the
// Advanced overrides, drop to open, the shortcut for Speak from here.
func (s *Studio) installLong() {
	s.ensureLong()
	l := s.long
	if f := findForm(s.Advanced); f != nil {
		f.Append("Chunk size", l.ChunkChars)
		f.Append("Parallel requests", l.Concurrency)
	}
	s.Text.onSpeakFrom = s.SpeakFromHere
	s.Window.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift},
		func(fyne.Shortcut) { s.SpeakFromHere() })
	s.Window.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault},
		func(fyne.Shortcut) { s.ShowOpen() })
	s.Window.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) {
		for _, u := range uris {
			if documents.Supported(u.Path()) {
				s.OpenTextFile(u.Path())
				return
			}
		}
		if len(uris) > 0 {
			s.SetStatus("Drop a text, e-book, document or subtitle file to open it.")
		}
	})
}

// findForm returns the first form inside the Advanced accordion.
func findForm(a *widget.Accordion) *widget.Form {
	var walk func(o fyne.CanvasObject) *widget.Form
	walk = func(o fyne.CanvasObject) *widget.Form {
		switch v := o.(type) {
		case *widget.Form:
			return v
		case *fyne.Container:
			for _, c := range v.Objects {
				if f := walk(c); f != nil {
					return f
				}
			}
		}
		return nil
	}
	for _, it := range a.Items {
		if f := walk(it.Detail); f != nil {
			return f
		}
	}
	return nil
}

func isTextFile(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".txt", ".md", ".markdown", ".text":
		return true
	}
	return false
}

// ShowOpen asks for a document (text, Markdown, EPUB, HTML, Word,
// OpenDocument, PDF, subtitles) and loads it into the editor.
func (s *Studio) ShowOpen() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		s.OpenTextFile(path)
	}, s.Window)
	d.SetFilter(storage.NewExtensionFileFilter(documents.Extensions()))
	modal.Show(d, s.Window)
}

// OpenTextFile loads a text or Markdown file into the editor (Markdown is
// reduced to the words that should be spoken). On any problem the editor
// keeps its text and the status line says what to do.
func (s *Studio) OpenTextFile(path string) {
	if !isTextFile(path) {
		s.openDocument(path) // EPUB, HTML, Word, OpenDocument, PDF, subtitles
		return
	}
	f, err := os.Open(path)
	if err != nil {
		s.SetStatus("Could not open " + filepath.Base(path) + ": " + err.Error())
		return
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxOpenBytes+1))
	if err != nil {
		s.SetStatus("Could not read " + filepath.Base(path) + ": " + err.Error())
		return
	}
	if len(b) > maxOpenBytes {
		s.SetStatus(fmt.Sprintf("%s is larger than %d MB; split it into parts first.", filepath.Base(path), maxOpenBytes>>20))
		return
	}
	if !utf8.Valid(b) {
		s.SetStatus(filepath.Base(path) + " is not UTF-8 text; convert it (for example with iconv) and open it again.")
		return
	}
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	if ext := strings.ToLower(filepath.Ext(path)); ext == ".md" || ext == ".markdown" {
		text = longtext.SpeakableMarkdown(text) // what speak --file says too
	}
	load := func() {
		s.Text.SetText(text)
		s.updateCount()
		s.opened = text
		s.addRecent(path)
		s.showChaptersOf(path)
		s.SetStatus(fmt.Sprintf("Opened %s: %d characters.", filepath.Base(path), utf8.RuneCountInString(text)))
	}
	s.askBeforeReplacing("Open "+filepath.Base(path), load)
}

// askBeforeReplacing runs replace at once when the editor holds nothing
// unsaved, else only after the user agrees to drop the unsaved text.
func (s *Studio) askBeforeReplacing(what string, replace func()) {
	if !s.Unsaved() {
		replace()
		return
	}
	d := dialog.NewConfirm("Replace the text?",
		"The text in the editor is not saved in a file. "+what+" and replace it?", func(yes bool) {
			if yes {
				replace()
			}
		}, s.Window)
	d.SetConfirmText("Replace")
	d.SetDismissText("Keep my text")
	modal.Show(d, s.Window)
}

// countText is the line under the editor: characters, the provider's
// per-request limit, how many chunks that makes, and an estimated cost.
func (s *Studio) countText() string {
	text := s.Text.Text
	n := utf8.RuneCountInString(text)
	_, caps := s.capabilities()
	limit := caps.MaxChars
	if s.long != nil {
		if v, err := strconv.Atoi(strings.TrimSpace(s.long.ChunkChars.Text)); err == nil && v > 0 {
			limit = v
		} else if s.Settings != nil && s.Settings.ChunkChars(s.ProviderID()) > 0 {
			limit = s.Settings.ChunkChars(s.ProviderID())
		}
	}
	out := thousands(n) + " characters"
	if limit > 0 {
		out = thousands(n) + " characters · " + thousands(limit) + " per request"
		// A short first chunk starts the audio sooner, so a text under
		// the limit may still go in more than one request.
		if chunks, _ := core.SplitText(text, limit); len(chunks) > 1 {
			out += fmt.Sprintf(" · %d chunks", len(chunks))
		}
	}
	if cost, ok := pricing.DefaultTable().Estimate(s.ProviderID(), strings.TrimSpace(s.Model.Text), n); ok && n > 0 {
		if cost == 0 {
			out += " · free"
		} else {
			out += fmt.Sprintf(" · ~$%.2f", cost)
		}
	}
	return out
}

// SpeakFromHere speaks from the start of the sentence the cursor is in.
func (s *Studio) SpeakFromHere() {
	s.ensureLong()
	// CursorRow counts wrapped screen lines, not lines of text: the
	// cursor's offset into the text is what locates the sentence.
	off := runeToByte(s.Text.Text, s.Text.CursorTextOffset())
	start := 0
	for _, sp := range longtext.Sentences(s.Text.Text) {
		if sp.Start <= off {
			start = sp.Start
		}
	}
	s.long.mu.Lock()
	s.long.from = start
	s.long.mu.Unlock()
	s.Speak()
	s.long.mu.Lock()
	s.long.from = -1 // consumed by applyLong, or dropped if Speak refused
	s.long.mu.Unlock()
}

// runeToByte turns a rune offset into text (what an Entry's cursor
// counts) into a byte offset, clamped to the text.
func runeToByte(text string, runes int) int {
	off := 0
	for i := 0; i < runes && off < len(text); i++ {
		_, w := utf8.DecodeRuneInString(text[off:])
		off += w
	}
	return off
}

// applyLong adds the long-text settings to a job about to be checked and
// run (UI goroutine): where "Speak from here" starts, and the chunk size
// and parallel requests chosen in the window or in Settings.
func (s *Studio) applyLong(job *core.Job) {
	s.ensureLong()
	l := s.long
	l.mu.Lock()
	from := l.from
	l.from = -1
	l.mu.Unlock()
	if from > 0 && from < len(job.Request.Text) {
		job.Request.Text = job.Request.Text[from:]
	}
	if v, err := strconv.Atoi(strings.TrimSpace(l.ChunkChars.Text)); err == nil && v > 0 {
		job.ChunkChars = v
	}
	if v, err := strconv.Atoi(strings.TrimSpace(l.Concurrency.Text)); err == nil && v > 0 {
		job.Concurrency = v
	}
	if job.ChunkChars == 0 && s.Settings != nil { // Settings → API keys: the provider's limits
		job.ChunkChars = s.Settings.ChunkChars(job.Provider)
	}
	if job.Concurrency == 0 && s.Settings != nil {
		job.Concurrency = s.Settings.Parallel(job.Provider)
	}
}

// startLong shows the progress panel and reading view for a job that is
// about to run and sets its progress reporting (UI goroutine).
func (s *Studio) startLong(job *core.Job) {
	s.ensureLong()
	l := s.long
	text := job.Request.Text
	l.text, l.lastSent, l.lastWord, l.active = text, -1, -1, true
	l.marks, l.places, l.synth, l.shownHeader = nil, nil, 0, -1
	l.Progress.Set(0, 0)
	l.ProgressLabel.SetText("starting…")
	l.panel.Show()
	if job.Play {
		l.Reading.Segments = []widget.RichTextSegment{&widget.TextSegment{Text: "Waiting for the first audio…", Style: widget.RichTextStyleInline}}
		l.Reading.Refresh()
		// The reading view replaces the editor while speaking: drawn over
		// it, the editor's text would show through.
		s.Text.Hide()
		l.reading.Show()
	}
	job.OnProgress = func(p core.Progress) {
		uiDo(func() { s.ShowProgress(text, p) })
	}
}

// ShowProgress records a progress report (UI goroutine). What it shows —
// the highlighted sentence, the chunk, elapsed and remaining time — follows
// the playback position: while a transport plays, FollowPlayback draws it
// at every tick; otherwise (an export) the report's own position is used.
func (s *Studio) ShowProgress(text string, p core.Progress) {
	l := s.long
	if l == nil || !l.active || l.text != text {
		return
	}
	if p.Total > 0 {
		l.synth = float64(p.Done) / float64(p.Total)
	}
	l.places = p.Places
	if n := len(l.marks); n == 0 || ((p.Start != l.marks[n-1].p.Start || p.WordStart != l.marks[n-1].p.WordStart) && p.Position >= l.marks[n-1].at) {
		l.marks = append(l.marks, mark{at: p.Position, p: p})
	} else {
		// Later news (of the same sentence, or from before a mark a seek
		// ahead placed): keep the time left from that mark current.
		l.marks[n-1].p.Done = p.Done
		l.marks[n-1].p.Remaining = max(p.Remaining+(p.Position-l.marks[n-1].at), 0)
	}
	if tr := s.transport(); tr != nil && l.reading.Visible() {
		st := tr.Status()
		s.FollowPlayback(st.Position)
		return
	}
	s.drawProgress(p, p.Position, p.Remaining)
}

// FollowPlayback shows the sentence, chunk and times at the playback
// position pos, which a seek may have moved anywhere (UI goroutine).
func (s *Studio) FollowPlayback(pos time.Duration) {
	l := s.long
	if l == nil || !l.active {
		return
	}
	m, ok := markAt(l.marks, pos)
	if !ok {
		return
	}
	last := l.marks[len(l.marks)-1]
	remaining := last.p.Remaining + (last.at - pos)
	if remaining < 0 {
		remaining = 0
	}
	p := m.p
	p.Done = last.p.Done
	s.drawProgress(p, pos, remaining)
}

// drawProgress draws the progress row and the reading view for the
// sentence in p, heard at pos with remaining left.
func (s *Studio) drawProgress(p core.Progress, pos, remaining time.Duration) {
	l := s.long
	text := l.text
	played := 0.0
	if total := pos + remaining; total > 0 {
		played = float64(pos) / float64(total)
	}
	l.Progress.Set(played, l.synth)
	label := fmt.Sprintf("Chunk %d · %d/%d chunks ready · %s", p.Chunk+1, p.Done, p.Total, shortClock(pos))
	if remaining > 0 {
		label += " · ~" + shortClock(remaining) + " left"
	}
	l.ProgressLabel.SetText(label)
	if !l.reading.Visible() || (p.Start == l.lastSent && p.WordStart == l.lastWord) || p.ChunkEnd > len(text) || p.Start < p.ChunkStart || p.End > p.ChunkEnd {
		return
	}
	l.lastSent, l.lastWord = p.Start, p.WordStart
	sentence := widget.RichTextStyle{Inline: true, ColorName: theme.ColorNamePrimary, TextStyle: fyne.TextStyle{Bold: true}}
	header := fmt.Sprintf("Chunk %d of %d\n", p.Chunk+1, p.Total)
	l.shownStart, l.shownHeader = p.ChunkStart, len(header)
	segs := []widget.RichTextSegment{
		&widget.TextSegment{Text: header, Style: widget.RichTextStyle{Inline: true, ColorName: theme.ColorNameDisabled, SizeName: theme.SizeNameCaptionText}},
		&widget.TextSegment{Text: text[p.ChunkStart:p.Start], Style: widget.RichTextStyleInline},
		&widget.TextSegment{Text: text[p.Start:p.End], Style: sentence},
	}
	if karaoke(p) {
		// The word being heard, inside its sentence: the sentence's own
		// style, underlined and in the foreground colour.
		word := sentence
		word.ColorName = theme.ColorNameForeground
		word.TextStyle.Underline = true
		segs = append(segs[:2],
			&widget.TextSegment{Text: text[p.Start:p.WordStart], Style: sentence},
			&widget.TextSegment{Text: text[p.WordStart:p.WordEnd], Style: word},
			&widget.TextSegment{Text: text[p.WordEnd:p.End], Style: sentence})
	}
	l.Reading.Segments = append(segs, &widget.TextSegment{Text: text[p.End:p.ChunkEnd], Style: widget.RichTextStyleInline})
	l.Reading.Refresh()
}

// karaoke reports whether p names a word inside its sentence (the provider
// sent word timings) that is not the whole sentence.
func karaoke(p core.Progress) bool {
	return p.WordEnd > p.WordStart && p.WordStart >= p.Start && p.WordEnd <= p.End && (p.WordStart > p.Start || p.WordEnd < p.End)
}

// Highlighted is the sentence the reading view shows as being spoken.
func (s *Studio) Highlighted() string {
	if s.long == nil {
		return ""
	}
	out := ""
	for _, seg := range s.long.Reading.Segments {
		if t, ok := seg.(*widget.TextSegment); ok && t.Style.TextStyle.Bold {
			out += t.Text
		}
	}
	return out
}

// HighlightedWord is the word the reading view underlines as being heard,
// or "" when the provider sent no word timings.
func (s *Studio) HighlightedWord() string {
	if s.long == nil {
		return ""
	}
	for _, seg := range s.long.Reading.Segments {
		if t, ok := seg.(*widget.TextSegment); ok && t.Style.TextStyle.Underline {
			return t.Text
		}
	}
	return ""
}

// endLong hides the progress and brings the editor back (UI goroutine).
func (s *Studio) endLong() {
	l := s.long
	if l == nil {
		return
	}
	l.active = false
	l.panel.Hide()
	l.reading.Hide()
	s.Text.Show()
}

// LongText exposes the long-text widgets (tests, other features).
func (s *Studio) LongText() *LongView {
	s.ensureLong()
	return s.long
}

func shortClock(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}

// thousands writes n with commas: 100,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

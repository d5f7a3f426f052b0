package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"chorus/core"
	"chorus/longtext"
)

// readingArea is the reading view's rich text made tappable: a tap on a
// word seeks playback to it (OnTap gets the point tapped).
type readingArea struct {
	widget.BaseWidget
	text  *widget.RichText
	OnTap func(fyne.Position)
}

func newReadingArea(t *widget.RichText, onTap func(fyne.Position)) *readingArea {
	a := &readingArea{text: t, OnTap: onTap}
	a.ExtendBaseWidget(a)
	return a
}

// CreateRenderer shows the rich text.
func (a *readingArea) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(a.text)
}

// Tapped seeks to the word under the pointer.
func (a *readingArea) Tapped(ev *fyne.PointEvent) {
	if a.OnTap != nil {
		a.OnTap(ev.Position)
	}
}

// Cursor is a pointing hand: the words can be clicked.
func (a *readingArea) Cursor() desktop.Cursor { return desktop.PointerCursor }

// offsetAt is the byte offset, in the concatenated text of rt's segments,
// of the character drawn at pos (rt laid out at its current size), or -1.
func offsetAt(rt *widget.RichText, pos fyne.Position) int {
	var all strings.Builder
	for _, seg := range rt.Segments {
		if t, ok := seg.(*widget.TextSegment); ok {
			all.WriteString(t.Text)
		}
	}
	rendered := all.String()
	r := rt.CreateRenderer() // a fresh layout of the same rows, to hit-test
	defer r.Destroy()
	r.Layout(rt.Size())
	c := 0
	for _, o := range r.Objects() {
		tx, ok := o.(*canvas.Text)
		if !ok || tx.Text == "" {
			continue
		}
		i := strings.Index(rendered[c:], tx.Text)
		if i < 0 {
			continue
		}
		start := c + i
		c = start + len(tx.Text)
		p, sz := tx.Position(), tx.Size()
		if pos.Y < p.Y || pos.Y >= p.Y+sz.Height || pos.X < p.X || pos.X > p.X+sz.Width {
			continue
		}
		for k := range tx.Text {
			if k > 0 && fyne.MeasureText(tx.Text[:k], tx.TextSize, tx.TextStyle).Width > pos.X-p.X {
				return start + prevRune(tx.Text, k)
			}
		}
		return start + prevRune(tx.Text, len(tx.Text))
	}
	return -1
}

// prevRune is the start of the rune before byte k of s.
func prevRune(s string, k int) int {
	for k > 0 {
		k--
		if s[k]&0xC0 != 0x80 {
			return k
		}
	}
	return 0
}

// tapReading seeks to the word tapped in the reading view.
func (s *Studio) tapReading(pos fyne.Position) {
	l := s.long
	if l == nil || !l.active || l.shownHeader < 0 {
		return
	}
	r := offsetAt(l.Reading, pos)
	if r < l.shownHeader {
		return
	}
	s.SeekToText(l.shownStart + r - l.shownHeader)
}

// SeekToText seeks playback to the word at byte offset off of the text
// being spoken: to the word's start when the provider sent word timings,
// else to the start of the sentence that holds it. Only what has been
// heard, or has arrived (the places a progress report gives), has a known
// place in the audio; a later word gets a status line.
func (s *Studio) SeekToText(off int) {
	l := s.long
	if l == nil || !l.active {
		return
	}
	at, ok := time.Duration(0), false
	for _, m := range l.marks { // a word heard: its own start
		if m.p.WordEnd > m.p.WordStart && m.p.WordStart <= off && off < wordEndAt(l.text, m.p.WordEnd) {
			at, ok = m.at, true
			break
		}
	}
	if !ok { // a word arrived but not heard yet
		at, ok = s.seekPlace(off, true)
	}
	if !ok {
		for _, m := range l.marks { // else the first moment of its sentence
			if m.p.Start <= off && off < m.p.End {
				at, ok = m.at, true
				break
			}
		}
	}
	if !ok {
		at, ok = s.seekPlace(off, false)
	}
	if !ok {
		var m mark
		if m, ok = estimateSentence(l.text, l.marks, off); ok {
			at = m.at
			l.marks = insertMark(l.marks, m) // the highlight can follow it now
		}
	}
	if !ok {
		s.SetStatus("That part has not arrived yet: a word can be chosen once its audio has arrived.")
		return
	}
	if l.seek != nil {
		if err := l.seek(at); err != nil {
			s.SetStatus(err.Error())
			return
		}
	} else if tr := s.transport(); tr != nil {
		if err := tr.Seek(at); err != nil {
			s.SetStatus(err.Error())
			return
		}
	}
	l.lastSent, l.lastWord = -1, -1 // redraw even if the same sentence
	s.FollowPlayback(at)
}

// placeAt is the word (or sentence) of the places that holds off.
func placeAt(text string, places []core.Place, off int, word bool) (core.Place, bool) {
	for _, p := range places {
		end := p.End
		if word {
			end = wordEndAt(text, end)
		}
		if p.Word == word && p.Start <= off && off < end {
			return p, true
		}
	}
	return core.Place{}, false
}

// seekPlace is when the word (or sentence) at off starts, among the places
// that have arrived but have not been heard; it marks that moment, so the
// highlight follows the seek there.
func (s *Studio) seekPlace(off int, word bool) (time.Duration, bool) {
	l := s.long
	pl, ok := placeAt(l.text, l.places, off, word)
	if !ok {
		return 0, false
	}
	var p core.Progress
	if n := len(l.marks); n > 0 {
		last := l.marks[n-1]
		p = last.p // the totals, and the time left from there
		p.Remaining = max(last.p.Remaining-(pl.At-last.at), 0)
	}
	p.Chunk, p.ChunkStart, p.ChunkEnd = pl.Chunk, pl.ChunkStart, pl.ChunkEnd
	p.Start, p.End, p.WordStart, p.WordEnd = pl.Start, pl.End, 0, 0
	if sent, ok := placeAt(l.text, l.places, pl.Start, false); word && ok {
		p.Start, p.End = sent.Start, sent.End
		if sent.At < pl.At { // the sentence's own start, for a later choice of it
			l.marks = insertMark(l.marks, mark{at: sent.At, p: p})
		}
		p.WordStart, p.WordEnd = pl.Start, pl.End
	}
	l.marks = insertMark(l.marks, mark{at: pl.At, p: p})
	return pl.At, true
}

// wordEndAt extends a word's end over the spaces after it, so a tap in
// the gap after a word picks that word.
func wordEndAt(text string, end int) int {
	for end < len(text) && text[end] == ' ' {
		end++
	}
	return end
}

// estimateSentence places the start of the sentence holding off between
// the sentences heard around it (progress reports may skip a short
// sentence), in proportion to the characters between them, and returns it
// as a mark. It needs a heard sentence after it: what has not been heard
// may not be in the audio yet.
func estimateSentence(text string, marks []mark, off int) (mark, bool) {
	start, end := -1, -1
	for _, sp := range longtext.Sentences(text) {
		if sp.Start <= off {
			start, end = sp.Start, sp.End
		}
	}
	if start < 0 {
		return mark{}, false
	}
	before := mark{}
	for _, m := range marks {
		if m.p.Start >= start {
			at := m.at
			if span := m.p.Start - before.p.Start; span > 0 {
				frac := float64(start-before.p.Start) / float64(span)
				at = before.at + time.Duration(frac*float64(m.at-before.at))
			}
			p := m.p
			p.Start, p.End, p.WordStart, p.WordEnd = start, end, 0, 0
			if start < p.ChunkStart { // in the chunk before: its bounds are not known here
				p.ChunkStart = before.p.ChunkStart
				p.ChunkEnd = max(before.p.ChunkEnd, end)
				p.Chunk = before.p.Chunk
			}
			return mark{at: at, p: p}, true
		}
		before = m
	}
	return mark{}, false
}

// insertMark adds m to marks, kept in order of time.
func insertMark(marks []mark, m mark) []mark {
	i := 0
	for i < len(marks) && marks[i].at <= m.at {
		i++
	}
	return append(marks[:i], append([]mark{m}, marks[i:]...)...)
}

package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

const twentyK = 20000

func longText() string {
	return strings.Repeat("A sentence of some length to fill the editor. ", twentyK/40+1)[:twentyK]
}

// Typing in a long text does not work out the count line at every key.
func TestCountLineIsDebouncedInLongText(t *testing.T) {
	s, _ := newTestStudio(t)
	s.Text.SetText(longText())
	s.Text.CursorRow, s.Text.CursorColumn = 0, 0
	before := s.countRuns
	test.Type(s.Text, strings.Repeat("x", 40))
	eventually(t, "count", func() bool { return strings.HasPrefix(s.Count.Text, "20,040 characters") })
	if runs := s.countRuns - before; runs >= 40 {
		t.Errorf("count line worked out %d times for 40 keys", runs)
	}
}

// BenchmarkTyping20k types 40 keys into a 20,000-character text and waits
// until the count line shows the result: the time from the first key until
// the window has settled.
func BenchmarkTyping20k(b *testing.B) {
	s, _ := newTestStudio(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s.Text.SetText(longText())
		for pump(); !strings.HasPrefix(s.Count.Text, "20,000 characters"); pump() {
		}
		b.StartTimer()
		test.Type(s.Text, strings.Repeat("x", 40))
		for pump(); !strings.HasPrefix(s.Count.Text, "20,040 characters"); pump() {
		}
	}
}

// BenchmarkSettle20k is the figure: in a 20,000-character text,
// the time from the last of 40 quick keys until the window has settled
// (the count line shows the new length).
func BenchmarkSettle20k(b *testing.B) {
	s, _ := newTestStudio(b)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s.Text.SetText(longText())
		s.Text.CursorRow, s.Text.CursorColumn = 0, 0
		test.Type(s.Text, strings.Repeat("x", 39))
		for pump(); !strings.HasPrefix(s.Count.Text, "20,039 characters"); pump() {
		}
		b.StartTimer()
		test.Type(s.Text, "x")
		for pump(); !strings.HasPrefix(s.Count.Text, "20,040 characters"); pump() {
		}
	}
}

// BenchmarkCountLine20k is the count line's own cost in a 20,000-character
// text (split into chunks, priced).
func BenchmarkCountLine20k(b *testing.B) {
	s, _ := newTestStudio(b)
	s.Text.SetText(longText())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.updateCount()
	}
}

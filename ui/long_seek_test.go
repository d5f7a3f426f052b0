package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"chorus/core"
	"chorus/longtext"
	"chorus/providers"
)

// wordPos is where the reading view draws word (its first match), found
// from a layout of its rows, for tapping it as a user would.
func wordPos(t *testing.T, s *Studio, word string) fyne.Position {
	t.Helper()
	rt := s.long.Reading
	r := rt.CreateRenderer()
	r.Layout(rt.Size())
	for _, o := range r.Objects() {
		if tx, ok := o.(*canvas.Text); ok {
			if i := strings.Index(tx.Text, word); i >= 0 {
				x := fyne.MeasureText(tx.Text[:i], tx.TextSize, tx.TextStyle).Width + 2
				return tx.Position().AddXY(x, tx.Size().Height/2)
			}
		}
	}
	t.Fatalf("%q is not drawn in the reading view", word)
	return fyne.Position{}
}

// Tapping a word in the reading view seeks to that word (word timings) or
// to its sentence (none), playing or paused, and the highlight follows.
func TestTapWordSeeks(t *testing.T) {
	s, _ := newTestStudio(t)
	s.Window.Resize(fyne.NewSize(800, 600))
	var sought []time.Duration
	speakTwoSentencesWithWords(s)
	s.long.seek = func(d time.Duration) error { sought = append(sought, d); return nil }
	s.FollowPlayback(900 * time.Millisecond)
	if w := s.HighlightedWord(); w != "Two" {
		t.Fatalf("before the tap %q is underlined, want Two", w)
	}
	area := s.long.reading.Content.(*readingArea)
	test.TapAt(area, wordPos(t, s, "is"))
	if len(sought) != 1 || sought[0] != 300*time.Millisecond {
		t.Fatalf("tapping is sought to %v, want 300ms", sought)
	}
	if w, h := s.HighlightedWord(), s.Highlighted(); w != "is" || h != "One is first." {
		t.Errorf("after the tap: word %q in sentence %q, want is in the first", w, h)
	}
	test.TapAt(area, wordPos(t, s, "Two"))
	if len(sought) != 2 || sought[1] != 900*time.Millisecond || s.HighlightedWord() != "Two" {
		t.Errorf("tapping Two sought to %v, underlined %q", sought, s.HighlightedWord())
	}
	// A word with no timing of its own goes to its sentence's start.
	test.TapAt(area, wordPos(t, s, "next"))
	if len(sought) != 3 || sought[2] != 900*time.Millisecond || s.Highlighted() != "Two comes next." {
		t.Errorf("tapping next sought to %v, highlight %q", sought, s.Highlighted())
	}
}

// The chunk size and parallel requests saved in Settings for a provider
// are what its jobs use when the Advanced fields are empty.
func TestSavedLimitsApplyToJobs(t *testing.T) {
	s, _ := newTestStudio(t)
	p := longProvider(t, "ui-limits", nil)
	s.RefreshProviders()
	s.selectProvider("ui-limits")
	s.Settings.SetChunkChars("ui-limits", 30)
	s.Settings.SetParallel("ui-limits", 1)
	s.Text.SetText(story)
	s.Speak()
	eventually(t, "done", func() bool { return !s.Busy() && strings.HasPrefix(s.Status.Text, "Done") })
	chunks, _ := longtext.Split(story, 30)
	byDefault, _ := longtext.Split(story, 60)
	r := p.Requests()
	if len(r) != len(chunks) || len(r) <= len(byDefault) {
		t.Fatalf("%d requests, want %d (30 characters each; %d at the provider's 60)", len(r), len(chunks), len(byDefault))
	}
	for _, q := range r {
		if len(q.Text) > 30 {
			t.Errorf("a request of %d characters: %q", len(q.Text), q.Text)
		}
	}
	job := core.Job{Provider: "ui-limits", Request: providers.Request{Text: story}}
	s.applyLong(&job)
	if job.ChunkChars != 30 || job.Concurrency != 1 {
		t.Errorf("job limits %d and %d, want 30 and 1", job.ChunkChars, job.Concurrency)
	}
	s.endLong()
	s.long.Concurrency.SetText("2") // the Advanced field wins for one job
	job = core.Job{Provider: "ui-limits", Request: providers.Request{Text: story}}
	s.applyLong(&job)
	if job.Concurrency != 2 {
		t.Errorf("Advanced field ignored: %d", job.Concurrency)
	}
	s.endLong()
}

// A word that has arrived but not been heard yet can be chosen: the seek
// goes to its place in the audio (from the progress report's places), and
// the highlight follows it there.
func TestSeekAheadToAnArrivedWord(t *testing.T) {
	s, _ := newTestStudio(t)
	text := "One is first. Two comes next."
	job := core.Job{Play: true, Request: providers.Request{Text: text}}
	s.startLong(&job)
	var sought []time.Duration
	s.long.seek = func(d time.Duration) error { sought = append(sought, d); return nil }
	places := []core.Place{
		{Start: 0, End: 13, At: 0}, {Start: 14, End: len(text), At: 2 * time.Second},
		{Start: 14, End: 17, At: 2 * time.Second, Word: true}, {Start: 18, End: 23, At: 2300 * time.Millisecond, Word: true},
	}
	for i := range places {
		places[i].ChunkEnd = len(text)
	}
	s.ShowProgress(text, core.Progress{Done: 1, Total: 1, ChunkEnd: len(text), Start: 0, End: 13, WordStart: 0, WordEnd: 3,
		Position: 0, Remaining: 4 * time.Second, Places: places})
	s.SeekToText(strings.Index(text, "comes") + 2)
	if len(sought) != 1 || sought[0] != 2300*time.Millisecond {
		t.Fatalf("sought %v, want 2.3 s (where comes is in the audio)", sought)
	}
	if w, h := s.HighlightedWord(), s.Highlighted(); w != "comes" || h != "Two comes next." {
		t.Errorf("after the seek ahead: word %q in sentence %q", w, h)
	}
	if got := s.long.ProgressLabel.Text; !strings.Contains(got, "~0:02 left") { // 4 s left at 0 s: 1.7 s at 2.3 s
		t.Errorf("after the seek ahead the label says %q, want about 1.7 s left", got)
	}
	s.SeekToText(strings.Index(text, "next")) // no word place: its sentence
	if len(sought) != 2 || sought[1] != 2*time.Second {
		t.Errorf("sought %v, want the sentence's start at 2 s", sought)
	}
	s.endLong()
}

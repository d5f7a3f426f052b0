package ui

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"chorus/core"
	"chorus/internal/scripted"
	"chorus/player"
	"chorus/providers"
	"chorus/settings"
)

// Local → another provider → Local: each keeps its own voice and speed, and
// the other provider's voice is never sent.
func TestPickersAreRememberedPerProvider(t *testing.T) {
	s, _ := newTestStudio(t)
	p := scripted.Register(t, &scripted.Provider{ID: "ui-mem"}) // voices v1, v2
	s.RefreshProviders()
	eventually(t, "local voices", func() bool { return len(s.Voice.Choices()) > 50 })
	if s.VoiceID() != "en-us" {
		t.Fatalf("local voice %q", s.VoiceID())
	}
	s.selectProvider("ui-mem")
	eventually(t, "ui-mem voices", func() bool { return len(s.Voice.Choices()) == 2 })
	if v := s.VoiceID(); v == "en-us" {
		t.Fatalf("Local's voice %q carried over to another provider", v)
	}
	test.Type(s.Text, "Hello")
	test.Tap(s.SpeakButton)
	eventually(t, "request", func() bool { return !s.Busy() && len(p.Requests()) == 1 })
	if v := p.Requests()[0].Voice; v == "en-us" {
		t.Fatalf("sent Local's voice %q to another provider", v)
	}
	s.Voice.Entry.SetText("v2")
	s.Speed.SetValue(1.5)
	s.Speed.OnChangeEnded(1.5)
	s.selectProvider("local")
	eventually(t, "local voices again", func() bool { return len(s.Voice.Choices()) > 50 })
	if s.VoiceID() != "en-us" || s.Speed.Value != 1 {
		t.Errorf("back on Local: voice %q speed %g, want en-us and 1", s.VoiceID(), s.Speed.Value)
	}
	s.selectProvider("ui-mem")
	eventually(t, "ui-mem voices again", func() bool { return len(s.Voice.Choices()) == 2 })
	if s.VoiceID() != "v2" || math.Abs(s.Speed.Value-1.5) > 0.01 {
		t.Errorf("back on ui-mem: voice %q speed %g, want v2 and 1.5", s.VoiceID(), s.Speed.Value)
	}
}

// A remembered choice the provider does not offer is replaced by its
// default, and the user is told.
func TestUnofferedChoiceFallsBackToDefaultAndSaysSo(t *testing.T) {
	s, _ := newTestStudio(t)
	scripted.Register(t, &scripted.Provider{ID: "ui-stale"})
	s.Settings.SetVoice("ui-stale", "coral")
	s.Settings.SetFormat("ui-stale", "mp3")
	s.RefreshProviders()
	s.selectProvider("ui-stale")
	if s.Format.Selected != "wav" {
		t.Errorf("format %q, want the default wav", s.Format.Selected)
	}
	eventually(t, "voices", func() bool { return len(s.Voice.Choices()) == 2 })
	if s.VoiceID() != "" || s.Request().Voice != "" {
		t.Errorf("voice %q kept though the provider has no such voice", s.VoiceID())
	}
	if !strings.Contains(s.Status.Text, "coral") || !strings.Contains(s.Status.Text, "default") {
		t.Errorf("status %q does not say the voice was replaced", s.Status.Text)
	}
}

// Speak from here starts at the sentence holding the cursor, in text whose
// lines wrap on screen.
func TestSpeakFromHereInWrappedText(t *testing.T) {
	s, _ := newTestStudio(t)
	p := scripted.Register(t, &scripted.Provider{ID: "ui-from"})
	s.RefreshProviders()
	s.selectProvider("ui-from")
	s.Window.Resize(fyne.NewSize(800, 600))
	long := strings.Repeat("This opening paragraph is long enough to wrap on screen several times. ", 12)
	text := long + "\nThe cursor sentence is here. And this one comes after it."
	test.Type(s.Text, text)
	tail := []rune("e is here. And this one comes after it.")
	for range tail {
		s.Text.TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft})
	}
	if s.Text.CursorRow <= 1 {
		t.Fatalf("the text does not wrap (cursor row %d): the test would prove nothing", s.Text.CursorRow)
	}
	s.SpeakFromHere()
	eventually(t, "request", func() bool { return !s.Busy() && len(p.Requests()) == 1 })
	if got := p.Requests()[0].Text; !strings.HasPrefix(got, "The cursor sentence is here.") {
		t.Errorf("spoke from %.40q, want the cursor's sentence", got)
	}
}

// Esc stops while a picker has the focus.
func TestEscStopsWhereverTheFocusIs(t *testing.T) {
	s, _ := newTestStudio(t)
	_, started := selectHeldTone(t, s, "ui-esc")
	test.Type(s.Text, "Stop me")
	test.Tap(s.SpeakButton)
	<-started
	eventually(t, "speaking", func() bool { return s.Busy() && strings.Contains(s.Status.Text, "…") })
	for _, w := range []fyne.Focusable{s.Provider, s.Voice.Entry, s.Volume} {
		s.Window.Canvas().Focus(w)
		if s.Window.Canvas().Focused() == nil {
			t.Fatalf("%T took no focus", w)
		}
	}
	s.Window.Canvas().Focus(s.Provider)
	s.Window.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	eventually(t, "stopped", func() bool { return s.Status.Text == "Stopped." })
}

// The draft is on disk while typing, and a new window after a kill (no
// Quit, no Speak) starts with it.
func TestDraftSurvivesAKill(t *testing.T) {
	a := test.NewTempApp(t)
	isolateDraft(t)
	engine := &core.Engine{OpenSink: func() (player.Sink, error) { return player.NewMemorySink(player.DeviceFormat), nil }, Getenv: func(string) string { return "" }}
	w := a.NewWindow(Title)
	defer w.Close()
	s := New(a, w, engine, settings.New(a.Preferences()))
	defer s.draft.Stop()
	test.Type(s.Text, "Words I must not lose")
	path := s.draftPath()
	eventually(t, "draft on disk", func() bool {
		b, err := os.ReadFile(path)
		return err == nil && string(b) == "Words I must not lose"
	})
	w2 := a.NewWindow(Title)
	defer w2.Close()
	s2 := New(a, w2, engine, settings.New(a.Preferences()))
	defer s2.draft.Stop()
	if s2.Text.Text != "Words I must not lose" {
		t.Errorf("after a restart the editor holds %q", s2.Text.Text)
	}
}

// File → Open asks before replacing text that is in no file.
func TestOpenAsksBeforeReplacingUnsavedText(t *testing.T) {
	s, _ := newTestStudio(t)
	f := filepath.Join(t.TempDir(), "other.txt")
	if err := os.WriteFile(f, []byte("From the file."), 0o600); err != nil {
		t.Fatal(err)
	}
	s.OpenTextFile(f)
	if s.Text.Text != "From the file." {
		t.Fatalf("an empty editor was not simply filled: %q", s.Text.Text)
	}
	s.Text.SetText("")
	test.Type(s.Text, "Typed by hand")
	s.OpenTextFile(f)
	if s.Text.Text != "Typed by hand" {
		t.Fatalf("unsaved text replaced without asking: %q", s.Text.Text)
	}
	if len(s.Window.Canvas().Overlays().List()) == 0 {
		t.Fatal("no question before replacing unsaved text")
	}
}

// The Export dialog's choices reach the files: format (and so the
// extension), subtitles, one file per chunk, the JSON sidecar.
func TestExportChoicesWriteEveryFile(t *testing.T) {
	s, _ := newTestStudio(t)
	scripted.Register(t, &scripted.Provider{ID: "ui-expc"})
	s.RefreshProviders()
	s.selectProvider("ui-expc")
	test.Type(s.Text, "First sentence here. Second sentence there.")
	s.ShowExport()
	if len(s.Window.Canvas().Overlays().List()) == 0 {
		t.Fatal("no Export dialog")
	}
	dir := t.TempDir()
	job := exportJob(filepath.Join(dir, "talk.mp3"), false, ExportChoice{Format: "wav", Subtitles: "srt", PerChunk: true, Sidecar: true})
	if job.Out != filepath.Join(dir, "talk.wav") {
		t.Fatalf("audio file %q does not carry its format's extension", job.Out)
	}
	s.exportWith(job)
	eventually(t, "saved", func() bool { return !s.Busy() && s.Status.Text != "Exporting…" })
	if !strings.HasPrefix(s.Status.Text, "Saved") {
		t.Fatalf("status %q", s.Status.Text)
	}
	for _, f := range []string{"talk.wav", "talk.srt", "talk.wav.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	if chunks, _ := os.ReadDir(filepath.Join(dir, "talk-chunks")); len(chunks) == 0 {
		t.Error("no per-chunk files")
	}
}

// After a seek back, the highlight, chunk label, elapsed and remaining time
// follow the playback position, not the synthesis; the bar shows playback
// over synthesis.
func TestProgressFollowsPlaybackAfterSeek(t *testing.T) {
	s, _ := newTestStudio(t)
	text := "One is first. Two comes next. Three ends it."
	job := core.Job{Play: true, Request: providers.Request{Text: text}}
	s.startLong(&job)
	at := []int{0, 14, 30, len(text)}
	for i := 0; i < 3; i++ {
		s.ShowProgress(text, core.Progress{Done: 2, Total: 2, Chunk: 0, ChunkStart: 0, ChunkEnd: len(text),
			Start: at[i], End: at[i+1], Position: time.Duration(2*i) * time.Second, Remaining: time.Duration(6-2*i) * time.Second})
	}
	if h := s.Highlighted(); !strings.HasPrefix(h, "Three") {
		t.Fatalf("before the seek the highlight is %q", h)
	}
	s.FollowPlayback(1 * time.Second) // the user sought back to 0:01
	if h := s.Highlighted(); !strings.HasPrefix(h, "One") {
		t.Errorf("after seeking to 0:01 the highlight is %q, want the first sentence", h)
	}
	l := s.LongText()
	if !strings.Contains(l.ProgressLabel.Text, "0:01") || !strings.Contains(l.ProgressLabel.Text, "0:05 left") {
		t.Errorf("label %q, want elapsed 0:01 and 0:05 left", l.ProgressLabel.Text)
	}
	if l.Progress.Played < 0.16 || l.Progress.Played > 0.17 || l.Progress.Synthesized != 1 {
		t.Errorf("bar played %.3f synthesized %.3f, want 1/6 over 1", l.Progress.Played, l.Progress.Synthesized)
	}
}

// The voice list narrows as you type, and says how many match.
func TestVoiceFilterAsYouType(t *testing.T) {
	s, _ := newTestStudio(t)
	eventually(t, "voices", func() bool { return len(s.Voice.Choices()) > 50 })
	total := len(s.Voice.Voices())
	s.Voice.Entry.SetText("")
	test.Type(s.Voice.Entry, "PORTUG")
	if n := s.Voice.Shown(); n == 0 || n > 5 {
		t.Fatalf("%d voices listed for PORTUG", n)
	}
	if !strings.Contains(s.Status.Text, " of ") || !strings.Contains(s.Status.Text, strconv.Itoa(total)) {
		t.Errorf("status %q does not say N of M voices", s.Status.Text)
	}
	if shot := os.Getenv("VOICEPICKER_SHOT"); shot != "" { // a look at the Speak tab's picker
		s.Window.Resize(fyne.NewSize(1200, 700))
		f, _ := os.Create(shot + "-speak.png")
		png.Encode(f, s.Window.Canvas().Capture())
		f.Close()
	}
}

func TestMuteAndVolumePercentage(t *testing.T) {
	s, _ := newTestStudio(t)
	s.Volume.SetValue(0.6)
	if s.VolumeLabel.Text != "60%" {
		t.Fatalf("volume label %q", s.VolumeLabel.Text)
	}
	test.Tap(s.MuteButton)
	if s.Volume.Value != 0 || s.VolumeLabel.Text != "0%" {
		t.Fatalf("muted: volume %g label %q", s.Volume.Value, s.VolumeLabel.Text)
	}
	test.Tap(s.MuteButton)
	if math.Abs(s.Volume.Value-0.6) > 0.01 {
		t.Errorf("unmuted to %g, want 0.6", s.Volume.Value)
	}
}

func TestSplitAndTabAreRestored(t *testing.T) {
	s, _ := newTestStudio(t)
	s.AddTab("History", widget.NewLabel("history"))
	s.split.SetOffset(0.5)
	s.Tabs.SelectIndex(1)
	s.SaveLayout()
	w2 := s.App.NewWindow(Title)
	defer w2.Close()
	s2 := New(s.App, w2, s.Engine, s.Settings)
	defer s2.draft.Stop()
	s2.AddTab("History", widget.NewLabel("history"))
	s2.RestoreTab()
	if s2.split.Offset != 0.5 || s2.Tabs.Selected().Text != "History" {
		t.Errorf("split %g, tab %q", s2.split.Offset, s2.Tabs.Selected().Text)
	}
}

// A key saved in Settings refreshes the chosen provider's voices at once.
func TestKeySavedReloadsVoices(t *testing.T) {
	s, _ := newTestStudio(t)
	scripted.Register(t, &scripted.Provider{ID: "ui-key2"})
	s.RefreshProviders()
	s.selectProvider("ui-key2")
	eventually(t, "voices", func() bool { return len(s.Voice.Choices()) == 2 })
	s.Voice.SetVoices(nil)
	s.KeyChanged("ui-key2")
	eventually(t, "voices reloaded", func() bool { return len(s.Voice.Choices()) == 2 })
}

// speakTwoSentencesWithWords starts a run of two sentences and reports
// its four first words' timings, 300 ms apart, as a provider's word
// timings would arrive; it returns the text.
func speakTwoSentencesWithWords(s *Studio) string {
	text := "One is first. Two comes next."
	job := core.Job{Play: true, Request: providers.Request{Text: text}}
	s.startLong(&job)
	words := [][2]int{{0, 3}, {4, 6}, {7, 13}, {14, 17}}
	for i, w := range words {
		start, end := 0, 13
		if i == 3 {
			start, end = 14, len(text)
		}
		s.ShowProgress(text, core.Progress{Done: 1, Total: 1, ChunkEnd: len(text), Start: start, End: end,
			WordStart: w[0], WordEnd: w[1], Position: time.Duration(i) * 300 * time.Millisecond, Remaining: time.Second})
	}
	return text
}

// With word timings the word being heard is underlined inside the
// highlighted sentence (karaoke), and it follows a seek too.
func TestKaraokeWordFollowsPlayback(t *testing.T) {
	s, _ := newTestStudio(t)
	text := speakTwoSentencesWithWords(s)
	if w, h := s.HighlightedWord(), s.Highlighted(); w != "Two" || h != "Two comes next." {
		t.Fatalf("word %q in sentence %q, want Two in the second sentence", w, h)
	}
	s.FollowPlayback(350 * time.Millisecond) // sought back into "is"
	if w, h := s.HighlightedWord(), s.Highlighted(); w != "is" || h != "One is first." {
		t.Errorf("after the seek: word %q in sentence %q, want is in the first", w, h)
	}
	// Without word timings no word is underlined.
	s.ShowProgress(text, core.Progress{Done: 1, Total: 1, ChunkEnd: len(text), Start: 14, End: len(text), Position: 5 * time.Second})
	s.FollowPlayback(5 * time.Second)
	if w := s.HighlightedWord(); w != "" {
		t.Errorf("no timings, yet %q is underlined", w)
	}
}

// Escape answers the dialog on top as its Cancel button would (the text
// stays, playback goes on); with no dialog left, Escape stops.
func TestEscapeClosesTheDialogBeforeStopping(t *testing.T) {
	s, _ := newTestStudio(t)
	_, started := selectHeldTone(t, s, "ui-esc-dialog")
	test.Type(s.Text, "Keep me")
	test.Tap(s.SpeakButton)
	<-started
	eventually(t, "speaking", func() bool { return s.Busy() })

	f := filepath.Join(t.TempDir(), "other.txt")
	if err := os.WriteFile(f, []byte("From the file."), 0o600); err != nil {
		t.Fatal(err)
	}
	s.OpenTextFile(f)
	if !strings.Contains(dialogText(t, s), "replace it?") {
		t.Fatalf("no Replace question: %q", dialogText(t, s))
	}
	escape := s.Window.Canvas().OnTypedKey()
	escape(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if top := s.Window.Canvas().Overlays().Top(); top != nil {
		t.Fatal("Escape left the dialog open")
	}
	if s.Text.Text != "Keep me" {
		t.Errorf("Escape on the Replace question replaced the text: %q", s.Text.Text)
	}
	if !s.Busy() {
		t.Fatal("Escape on a dialog stopped playback too")
	}
	escape(&fyne.KeyEvent{Name: fyne.KeyEscape})
	eventually(t, "stopped", func() bool { return s.Status.Text == "Stopped." })
}

package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"chorus/core"
	"chorus/internal/scripted"
)

// A text above the large-job threshold is not sent until the user agrees
// in a dialog that says what it will take; Cancel sends nothing.
func TestLargeTextAsksFirst(t *testing.T) {
	s, _ := newTestStudio(t)
	p := scripted.Register(t, &scripted.Provider{ID: "ui-large"})
	s.RefreshProviders()
	s.selectProvider("ui-large")
	sentence := "This sentence is one of very many in a long text. "
	s.Text.SetText(strings.Repeat(sentence, core.LargeChars/len(sentence)+10))

	test.Tap(s.SpeakButton)
	msg := dialogText(t, s)
	if !strings.Contains(msg, "characters") || !strings.Contains(msg, "request") || !strings.Contains(msg, "of speech") {
		t.Errorf("the large-job dialog says %q; want characters, requests and length", msg)
	}
	if s.Busy() || len(p.Requests()) != 0 {
		t.Fatalf("a large job started before the user agreed: busy %v, %d requests", s.Busy(), len(p.Requests()))
	}
	tapDialogButton(t, s, "Cancel")
	if s.Busy() || len(p.Requests()) != 0 || !strings.Contains(s.Status.Text, "nothing was sent") {
		t.Fatalf("after Cancel: busy %v, %d requests, status %q", s.Busy(), len(p.Requests()), s.Status.Text)
	}

	test.Tap(s.SpeakButton)
	tapDialogButton(t, s, "Go ahead")
	eventually(t, "requests after Go ahead", func() bool { return len(p.Requests()) > 0 })
	s.Stop()
	eventually(t, "stopped", func() bool { return !s.Busy() })

	// A short text asks nothing.
	s.Text.SetText("Short.")
	test.Tap(s.SpeakButton)
	if top := s.Window.Canvas().Overlays().Top(); top != nil {
		t.Error("a short text opened a dialog")
	}
	eventually(t, "short text done", func() bool { return !s.Busy() })
}

func dialogText(t *testing.T, s *Studio) string {
	t.Helper()
	top := s.Window.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog opened")
	}
	var b strings.Builder
	for _, o := range test.LaidOutObjects(top) {
		if l, ok := o.(*widget.Label); ok {
			b.WriteString(l.Text + "\n")
		}
	}
	return b.String()
}

func tapDialogButton(t *testing.T, s *Studio, text string) {
	t.Helper()
	top := s.Window.Canvas().Overlays().Top()
	if top == nil {
		t.Fatalf("no dialog open to tap %q", text)
	}
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			test.Tap(b)
			return
		}
	}
	t.Fatalf("the dialog has no %q button", text)
}

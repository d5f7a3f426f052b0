package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"chorus/core"
	"chorus/internal/scripted"
	"chorus/providers"
)

// While a provider client waits to retry, the status line says so, with
// the attempt and the wait.
func TestRetriesShowInTheStatusLine(t *testing.T) {
	s, _ := newTestStudio(t)
	p := scripted.Register(t, &scripted.Provider{ID: "ui-retry"})
	p.Respond = func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
		providers.NoticeRetry(ctx, providers.Retry{Err: &providers.Error{Kind: providers.KindRateLimit, Status: 429}, Attempt: 2, Of: 4, Wait: 2 * time.Second})
		<-ctx.Done()
		return nil, ctx.Err()
	}
	s.RefreshProviders()
	s.selectProvider("ui-retry")
	test.Type(s.Text, "Hello.")
	test.Tap(s.SpeakButton)
	eventually(t, "the retry in the status line", func() bool {
		return strings.Contains(s.Status.Text, "Server busy (HTTP 429), retrying in 2 s — attempt 2 of 4")
	})
	s.Stop()
	eventually(t, "stopped", func() bool { return !s.Busy() })
}

// Preview speaks a short line in the chosen voice through the engine (a
// provider with no hosted samples), and says so.
func TestPreviewSpeaksTheChosenVoice(t *testing.T) {
	s, sink := newTestStudio(t)
	p := scripted.Register(t, &scripted.Provider{ID: "ui-preview"})
	s.RefreshProviders()
	s.selectProvider("ui-preview")
	eventually(t, "voices", func() bool { return len(s.Voice.Choices()) == 2 })
	s.Voice.Entry.SetText("v2 — Voice Two")
	test.Tap(s.PreviewButton)
	eventually(t, "preview done", func() bool { return !s.Busy() && strings.HasPrefix(s.Status.Text, "Played a line in Voice Two") })
	reqs := p.Requests()
	if len(reqs) != 1 || reqs[0].Voice != "v2" || reqs[0].Text != core.PreviewLine {
		t.Fatalf("requests %+v", reqs)
	}
	if len(sink.Samples()) == 0 {
		t.Error("the preview played nothing")
	}
	if s.Text.Text != "" {
		t.Errorf("the preview changed the editor's text to %q", s.Text.Text)
	}
}

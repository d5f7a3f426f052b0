package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

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

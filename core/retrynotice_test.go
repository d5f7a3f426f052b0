package core

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"chorus/audio"
	"chorus/internal/scripted"
	"chorus/providers"
)

// A provider client's retries reach the job's events as notices while the
// job waits (the window's status line, the CLI's stderr).
func TestRetriesAreNotices(t *testing.T) {
	p := scripted.Register(t, &scripted.Provider{ID: "c-retry"})
	p.Respond = func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
		providers.NoticeRetry(ctx, providers.Retry{Err: &providers.Error{Kind: providers.KindServer, Status: 503}, Attempt: 2, Of: 4, Wait: time.Second})
		return &providers.Audio{Body: io.NopCloser(bytes.NewReader(scripted.ToneWAV(24000, 0.2, 440))), Encoding: audio.WAV, Requests: 2}, nil
	}
	e, _ := memEngine()
	var notices []string
	_, err := e.Speak(context.Background(), Job{Provider: "c-retry", Play: true, Request: providers.Request{Text: "Hello."},
		OnEvent: func(ev Event) {
			if ev.Stage == StageNotice {
				notices = append(notices, ev.Message)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if len(notices) == 0 || notices[0] != "Server error (HTTP 503), retrying in 1 s — attempt 2 of 4" {
		t.Errorf("notices %q", notices)
	}
}

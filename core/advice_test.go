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

// advised is a provider with advice about every request it still sends.
type advised struct{ *scripted.Provider }

func (a advised) Advice(req providers.Request) string {
	if req.Options["style"] != "" {
		return "the reference is short"
	}
	return ""
}

// A provider's advice (providers.Adviser) reaches the user as a notice,
// and the request is sent all the same.
func TestProviderAdviceIsANotice(t *testing.T) {
	p := &scripted.Provider{ID: "c-advice"}
	scripted.Register(t, p)
	r, _ := providers.Lookup("c-advice")
	r.New = func(providers.Config) (providers.Provider, error) { return advised{p}, nil }
	providers.Register(r)
	p.Caps.Options = []providers.Option{{Key: "style"}}
	e, _ := memEngine()
	var events []string
	res, err := e.Speak(context.Background(), Job{Provider: "c-advice", Play: true,
		Request: providers.Request{Text: "Hello.", Options: map[string]string{"style": "calm"}},
		OnEvent: func(ev Event) {
			if ev.Stage == StageNotice {
				events = append(events, ev.Message)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Notices) != 1 || res.Notices[0] != "the reference is short" || len(events) != 1 {
		t.Errorf("notices %q, events %q", res.Notices, events)
	}
	if len(p.Requests()) != 1 {
		t.Errorf("%d requests; advice must not stop the request", len(p.Requests()))
	}
	res, err = e.Speak(context.Background(), Job{Provider: "c-advice", Play: true, Request: providers.Request{Text: "Hello again."}})
	if err != nil || len(res.Notices) != 0 {
		t.Errorf("no advice: %v, notices %q", err, res.Notices)
	}
}

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

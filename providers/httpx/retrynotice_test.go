package httpx

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"chorus/audio"
	"chorus/providers"
)

// Every retry is told to the context's listener before the client waits,
// with the attempt number, the bound and the wait, so a window can say
// "Server busy (HTTP 503), retrying in … — attempt 2 of 4".
func TestRetriesAreTold(t *testing.T) {
	srv, hits := busyServer(t, 2, 500, "", `{"error":{"message":"boom"}}`)
	c := busyClient(t, srv.URL, providers.NetworkPolicy{MaxAttempts: 4, MaxRetryTime: 5 * time.Second, RetryDelay: 10 * time.Millisecond})
	var mu sync.Mutex
	var told []providers.Retry
	ctx := providers.WithRetryNotice(context.Background(), func(r providers.Retry) {
		mu.Lock()
		told = append(told, r)
		mu.Unlock()
	})
	resp, err := c.Audio(ctx, Request{Path: "/tts", Body: map[string]string{"text": "hi"}}, audio.MP3, nil)
	if err != nil {
		t.Fatalf("%v after %d requests", err, hits.Load())
	}
	resp.Body.Close()
	if len(told) != 2 || told[0].Attempt != 2 || told[1].Attempt != 3 || told[0].Of != 4 || told[0].Wait <= 0 {
		t.Fatalf("told %+v", told)
	}
	if s := told[0].String(); !strings.HasPrefix(s, "Server error (HTTP 500), retrying in ") || !strings.HasSuffix(s, "— attempt 2 of 4") {
		t.Errorf("retry in words: %q", s)
	}
}

func TestRetryInWords(t *testing.T) {
	for _, c := range []struct {
		r    providers.Retry
		want string
	}{
		{providers.Retry{Err: &providers.Error{Kind: providers.KindRateLimit, Status: 429}, Attempt: 2, Of: 4, Wait: 2 * time.Second},
			"Server busy (HTTP 429), retrying in 2 s — attempt 2 of 4"},
		{providers.Retry{Err: &providers.Error{Kind: providers.KindRateLimit, Status: 429}, Attempt: 7, Wait: 1500 * time.Millisecond},
			"Server busy (HTTP 429), retrying in 2 s — attempt 7"},
		{providers.Retry{Err: &providers.Error{Kind: providers.KindNetwork}, Attempt: 3, Of: 3, Wait: 250 * time.Millisecond},
			"Connection problem, retrying in 300 ms — attempt 3 of 3"},
	} {
		if got := c.r.String(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.r, got, c.want)
		}
	}
}

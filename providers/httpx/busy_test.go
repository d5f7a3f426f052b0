package httpx

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"chorus/audio"
	"chorus/providers"
)

// busyServer answers status (with retryAfter, when set, and body) to the
// first `busy` requests (every one when busy < 0), then audio.
func busyServer(t *testing.T, busy, status int, retryAfter, body string) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(hits.Add(1))
		if busy < 0 || n <= busy {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			io.WriteString(w, body)
			return
		}
		w.Header().Set("Content-Type", "audio/mpeg")
		w.Write(mp3Audio)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func busyClient(t *testing.T, url string, p providers.NetworkPolicy) *Client {
	t.Helper()
	hc := NewHTTPClient(p)
	t.Cleanup(hc.CloseIdleConnections)
	c, err := New(providers.Config{BaseURL: url, APIKey: "k-secret", HTTPClient: hc, Network: p},
		Options{Info: providers.Info{ID: "x", Name: "X"}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func speak(c *Client) (*Response, error) {
	resp, err := c.Audio(context.Background(), Request{Path: "/tts", Body: map[string]string{"text": "hi"}}, audio.MP3, nil)
	if err == nil {
		resp.Body.Close()
	}
	return resp, err
}

// A service that keeps saying busy is retried for the whole time budget,
// well past the default number of attempts.
func TestBusyRetriedWithinTimeBudget(t *testing.T) {
	for _, status := range []int{429, 503} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			srv, hits := busyServer(t, 12, status, "0.02", `{"error":{"message":"insufficient capacity, too many requests"}}`)
			c := busyClient(t, srv.URL, providers.NetworkPolicy{MaxRetryTime: 5 * time.Second, RetryDelay: 5 * time.Millisecond})
			resp, err := speak(c)
			if err != nil {
				t.Fatalf("%v after %d requests", err, hits.Load())
			}
			if hits.Load() != 13 || resp.Requests != 13 {
				t.Errorf("%d requests (Requests %d), want 13", hits.Load(), resp.Requests)
			}
		})
	}
}

// Without Retry-After the back-off fills the budget, then the call gives up
// and says how long it tried.
func TestBusyGivesUpWhenBudgetSpent(t *testing.T) {
	srv, hits := busyServer(t, -1, 429, "", `{"error":{"message":"slow down"}}`)
	budget := 1500 * time.Millisecond
	c := busyClient(t, srv.URL, providers.NetworkPolicy{MaxRetryTime: budget, RetryDelay: 10 * time.Millisecond})
	start := time.Now()
	_, err := speak(c)
	took := time.Since(start)
	if providers.KindOf(err) != providers.KindRateLimit {
		t.Fatalf("kind %s: %v", providers.KindOf(err), err)
	}
	if n := int(hits.Load()); n <= DefaultMaxAttempts {
		t.Errorf("%d requests: gave up before the time budget was spent", n)
	}
	if took < budget*8/10 || took > budget+time.Second {
		t.Errorf("took %s for a budget of %s", took, budget)
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("gave up after %d attempts in", hits.Load())) {
		t.Errorf("error %q does not say how often it tried", err)
	}
}

// An explicit MaxAttempts caps busy retries too; a quota message is not
// "busy" and keeps the ordinary bound; a Retry-After beyond the budget is
// not waited for.
func TestBusyBounds(t *testing.T) {
	cases := []struct {
		name       string
		attempts   int
		status     int
		retryAfter string
		body       string
		want       int
	}{
		{"ExplicitMaxAttempts", 3, 429, "", `{"error":"slow down"}`, 3},
		{"Quota", 0, 429, "", `{"error":{"message":"You exceeded your current quota","code":"insufficient_quota"}}`, DefaultMaxAttempts},
		{"RetryAfterBeyondBudget", 0, 503, "3600", `{"error":"maintenance"}`, 1},
		{"NotBusy500", 0, 500, "", `{"error":"boom"}`, DefaultMaxAttempts},
		{"Credits503", 0, 503, "", `{"error":"not enough credits on this account"}`, DefaultMaxAttempts},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, hits := busyServer(t, -1, tc.status, tc.retryAfter, tc.body)
			c := busyClient(t, srv.URL, providers.NetworkPolicy{MaxAttempts: tc.attempts, MaxRetryTime: 3 * time.Second, RetryDelay: 5 * time.Millisecond})
			if _, err := speak(c); err == nil {
				t.Fatal("no error")
			}
			if n := int(hits.Load()); n != tc.want {
				t.Errorf("%d requests, want %d", n, tc.want)
			}
		})
	}
}

// WebSocket close 1013 (try again later) is busy as well.
func TestWebSocketBusyWithinTimeBudget(t *testing.T) {
	fake := &flakySocket{fail: 7, closeFor: websocket.StatusTryAgainLater}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c := busyClient(t, srv.URL, providers.NetworkPolicy{MaxRetryTime: 5 * time.Second, RetryDelay: 5 * time.Millisecond})
	resp, err := c.WebSocket(context.Background(), Request{Path: "/ws"}, audio.MP3, wsSession(c, keep, nil))
	if err != nil {
		t.Fatalf("%v after %d sessions", err, fake.sessions.Load())
	}
	resp.Body.Close()
	if resp.Requests != 8 {
		t.Errorf("Requests = %d, want 8", resp.Requests)
	}
}

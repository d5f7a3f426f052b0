package httpx

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"chorus/audio"
	"chorus/providers"
)

// hold blocks until the client leaves or the test ends.
func hold(r *http.Request, done <-chan struct{}) {
	select {
	case <-r.Context().Done():
	case <-done:
	}
}

// silentClient builds a client for srv whose HTTP transport gives up on
// headers after header (0: the policy's own first-byte timeout).
func silentClient(t *testing.T, url string, firstByte, header time.Duration) *Client {
	t.Helper()
	policy := providers.NetworkPolicy{FirstByteTimeout: firstByte, MaxAttempts: 1}
	hc := NewHTTPClient(policy)
	if header > 0 {
		hc.Transport.(*http.Transport).ResponseHeaderTimeout = header
	}
	t.Cleanup(hc.CloseIdleConnections)
	c, err := New(providers.Config{BaseURL: url, APIKey: "k-secret", HTTPClient: hc, Network: policy},
		Options{Info: providers.Info{ID: "x", Name: "X"}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func wantTimeout(t *testing.T, err error, words string) {
	t.Helper()
	if providers.KindOf(err) != providers.KindNetwork {
		t.Fatalf("kind %s, want network: %v", providers.KindOf(err), err)
	}
	for _, bad := range []string{"awaiting", "empty", "cannot reach"} {
		if strings.Contains(err.Error(), bad) {
			t.Fatalf("error %q says %q", err, bad)
		}
	}
	if !strings.Contains(err.Error(), words) {
		t.Fatalf("error %q does not say %q", err, words)
	}
}

// Every way a server can stay silent before the first audio byte is
// reported as one thing: it did not start sending audio within the timeout.
func TestSilentServerSaysTimeout(t *testing.T) {
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/no-headers":
			hold(r, done)
		case "/headers-only":
			w.Header().Set("Content-Type", "audio/mpeg")
			w.WriteHeader(200)
			http.NewResponseController(w).Flush()
			hold(r, done)
		case "/ws-no-upgrade":
			hold(r, done)
		case "/ws-silent":
			conn, err := websocket.Accept(w, r, nil)
			if err != nil {
				return
			}
			defer conn.CloseNow()
			for {
				if _, _, err := conn.Read(r.Context()); err != nil {
					return
				}
			}
		}
	}))
	defer srv.Close()
	defer close(done)

	session := func(ctx context.Context, conn *websocket.Conn) (func() ([]byte, error), error) {
		if err := conn.Write(ctx, websocket.MessageText, []byte(`{"text":"hi"}`)); err != nil {
			return nil, err
		}
		return func() ([]byte, error) {
			_, data, err := conn.Read(ctx)
			return data, err
		}, nil
	}
	cases := []struct {
		name             string
		firstByte, heads time.Duration
		run              func(c *Client) error
		want             string
	}{
		{"HTTPNoHeaders", 300 * time.Millisecond, 0, func(c *Client) error {
			_, err := c.Audio(context.Background(), Request{Path: "/no-headers", Body: map[string]string{}}, audio.MP3, nil)
			return err
		}, "did not start sending audio within 300 ms"},
		// The transport's header timeout fires first: it must read the
		// same, with its own figure.
		{"HTTPTransportFirst", 5 * time.Second, 200 * time.Millisecond, func(c *Client) error {
			_, err := c.Audio(context.Background(), Request{Path: "/no-headers", Body: map[string]string{}}, audio.MP3, nil)
			return err
		}, "did not start sending audio within 200 ms"},
		{"HTTPHeadersOnly", 300 * time.Millisecond, 0, func(c *Client) error {
			_, err := c.Audio(context.Background(), Request{Path: "/headers-only", Body: map[string]string{}}, audio.MP3, nil)
			return err
		}, "did not start sending audio within 300 ms"},
		{"JSONNoHeaders", 5 * time.Second, 200 * time.Millisecond, func(c *Client) error {
			var v any
			return c.JSON(context.Background(), Request{Path: "/no-headers"}, &v)
		}, "did not answer within 200 ms"},
		{"WSNoUpgrade", 300 * time.Millisecond, 0, func(c *Client) error {
			_, err := c.WebSocket(context.Background(), Request{Path: "/ws-no-upgrade"}, audio.MP3, session)
			return err
		}, "did not start sending audio within 300 ms"},
		{"WSTransportFirst", 5 * time.Second, 200 * time.Millisecond, func(c *Client) error {
			_, err := c.WebSocket(context.Background(), Request{Path: "/ws-no-upgrade"}, audio.MP3, session)
			return err
		}, "did not start sending audio within 200 ms"},
		{"WSSilent", 300 * time.Millisecond, 0, func(c *Client) error {
			_, err := c.WebSocket(context.Background(), Request{Path: "/ws-silent"}, audio.MP3, session)
			return err
		}, "did not start sending audio within 300 ms"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := silentClient(t, srv.URL, tc.firstByte, tc.heads)
			start := time.Now()
			err := tc.run(c)
			wantTimeout(t, err, tc.want)
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Second:        "30 s",
		2500 * time.Millisecond: "2.5 s",
		500 * time.Millisecond:  "500 ms",
		90 * time.Second:        "90 s",
		time.Hour:               "60 min",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

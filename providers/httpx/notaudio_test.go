package httpx

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"chorus/audio"
	"chorus/providers"
)

const echoKey = "sk-test-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// A 200 whose body is text is never taken for headerless audio, over HTTP
// with or without a telling Content-Type, and over a WebSocket; the message
// quotes the text with the key taken out, even where the quote cuts the key.
func TestTextIsNotHeaderlessAudio(t *testing.T) {
	// The key straddles byte 64, where the first check cuts its excerpt.
	body := "Error: authentication failed for the key " + echoKey + " (invalid)"
	if i := strings.Index(body, echoKey); i >= headSize || i+len(echoKey) <= headSize {
		t.Fatalf("the key must straddle byte %d", headSize)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ws":
			conn, err := websocket.Accept(w, r, nil)
			if err != nil {
				return
			}
			defer conn.CloseNow()
			conn.Read(r.Context())
			conn.Write(r.Context(), websocket.MessageBinary, []byte(body))
			conn.Close(websocket.StatusNormalClosure, "")
			return
		case "/json":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"detail":"quota exceeded for ` + echoKey + `"}`))
			return
		case "/plain":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		case "/octets":
			w.Header().Set("Content-Type", "application/octet-stream")
		}
		w.Write([]byte(body))
	}))
	defer srv.Close()
	c, err := New(providers.Config{BaseURL: srv.URL, APIKey: echoKey, Network: providers.NetworkPolicy{MaxAttempts: 1}},
		Options{Info: providers.Info{ID: "x", Name: "X"}})
	if err != nil {
		t.Fatal(err)
	}
	session := func(ctx context.Context, conn *websocket.Conn) (func() ([]byte, error), error) {
		conn.Write(ctx, websocket.MessageText, []byte("{}"))
		return func() ([]byte, error) {
			_, data, err := conn.Read(ctx)
			return data, err
		}, nil
	}
	for _, enc := range []audio.Encoding{audio.PCM, audio.MuLaw, audio.ALaw} {
		for _, path := range []string{"/plain", "/octets", "/none", "/json", "/ws"} {
			var err error
			if path == "/ws" {
				_, err = c.WebSocket(context.Background(), Request{Path: path}, enc, session)
			} else {
				_, err = c.Audio(context.Background(), Request{Path: path, Body: map[string]string{}}, enc, nil)
			}
			if providers.KindOf(err) != providers.KindNotAudio {
				t.Errorf("%s %s: kind %s: %v", enc, path, providers.KindOf(err), err)
				continue
			}
			msg := err.Error()
			want := "sent text instead of"
			if path == "/json" {
				want = "sent JSON instead of"
			}
			if !strings.Contains(msg, want) {
				t.Errorf("%s %s: %q does not say %q", enc, path, msg, want)
			}
			if strings.Contains(msg, echoKey[:minFragment]) {
				t.Errorf("%s %s: part of the key in %q", enc, path, msg)
			}
		}
	}
}

func TestRedactKeyFragments(t *testing.T) {
	got := redactKey(`"bad key sk-test-ABCDEFG…" and sk-test-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789`, echoKey)
	if strings.Contains(got, "sk-tes") || strings.Count(got, "[redacted]") != 2 {
		t.Errorf("got %q", got)
	}
	if got := redactKey("an sk- prefix alone", echoKey); got != "an sk- prefix alone" {
		t.Errorf("short fragment changed: %q", got)
	}
}

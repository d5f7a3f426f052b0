package httpx

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"chorus/providers"
)

type listedVoice struct {
	ID   string `json:"voice_id"`
	Name string `json:"name"`
}

// writeListing writes {"voices":[…n voices…]} as a stream.
func writeListing(w http.ResponseWriter, n int) {
	w.Header().Set("Content-Type", "application/json")
	b := bufio.NewWriter(w)
	b.WriteString(`{"voices":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(b, `{"voice_id":"voice-%06d","name":"Voice number %d","labels":{"accent":"neutral","description":"a long description of the voice so the listing is big"}}`, i, i)
	}
	b.WriteString(`]}`)
	b.Flush()
}

func jsonClient(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := New(providers.Config{BaseURL: srv.URL, APIKey: "k-secret"}, Options{Info: providers.Info{ID: "x", Name: "X"}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A listing of 100,000 voices (about 17 MB) is read whole.
func TestJSONLargeListing(t *testing.T) {
	const n = 100000
	c := jsonClient(t, func(w http.ResponseWriter, r *http.Request) { writeListing(w, n) })
	var out struct{ Voices []listedVoice }
	if err := c.JSON(context.Background(), Request{Path: "/voices"}, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Voices) != n || out.Voices[n-1].ID != fmt.Sprintf("voice-%06d", n-1) {
		t.Fatalf("%d voices, last %+v", len(out.Voices), out.Voices[len(out.Voices)-1])
	}
}

// Past the bound the error says so, rather than calling the JSON unreadable.
func TestJSONTooLarge(t *testing.T) {
	old := maxJSON
	maxJSON = 1 << 20
	defer func() { maxJSON = old }()
	c := jsonClient(t, func(w http.ResponseWriter, r *http.Request) { writeListing(w, 20000) })
	var out struct{ Voices []listedVoice }
	err := c.JSON(context.Background(), Request{Path: "/voices"}, &out)
	if err == nil || !strings.Contains(err.Error(), "more than 1 MiB of JSON") {
		t.Fatalf("got %v", err)
	}
}

func TestJSONUnreadable(t *testing.T) {
	cases := []struct{ body, want string }{
		{`<html><title>Login</title></html>`, "an HTML page that Chorus cannot read"},
		{`{"voices":[{"voice_id":"a"}`, "JSON that Chorus cannot read (it ends early)"},
		{`{"voices":[]} trailing`, "more data follows"},
		{``, "an empty body instead of JSON"},
	}
	for _, tc := range cases {
		c := jsonClient(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, tc.body) })
		var out struct{ Voices []listedVoice }
		err := c.JSON(context.Background(), Request{Path: "/voices"}, &out)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.body, err, tc.want)
		}
	}
}

func TestJSONCutOff(t *testing.T) {
	c := jsonClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		fmt.Fprint(w, `{"voices":[`)
		http.NewResponseController(w).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	var out struct{ Voices []listedVoice }
	err := c.JSON(context.Background(), Request{Path: "/voices"}, &out)
	if providers.KindOf(err) != providers.KindNetwork || !strings.Contains(err.Error(), "was cut off") || strings.Contains(err.Error(), "audio") {
		t.Fatalf("got %v", err)
	}
}

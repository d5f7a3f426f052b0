package httpx

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"chorus/audio"
	"chorus/providers"
)

func TestSSEReader(t *testing.T) {
	in := ": comment\r\nevent: speech.audio.delta\r\ndata: {\"a\":1}\r\n\r\n" +
		"id: 7\nretry: 100\n\n" + // no data: skipped
		"data: line1\ndata: line2\n\n" +
		"data:nospace\n\n" +
		"data: [DONE]\n\n" +
		"data: after-done\n\n"
	r := NewSSEReader(strings.NewReader(in))
	var got []string
	for {
		ev, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ev.Name+"|"+string(ev.Data))
	}
	want := []string{"speech.audio.delta|{\"a\":1}", "|line1\nline2", "|nospace"}
	if strings.Join(got, ";") != strings.Join(want, ";") {
		t.Errorf("got %q", got)
	}
}

func TestSSELastEventWithoutBlankLine(t *testing.T) {
	r := NewSSEReader(strings.NewReader("data: x\n\ndata: y"))
	a, _ := r.Next()
	b, err := r.Next()
	if string(a.Data) != "x" || string(b.Data) != "y" || err != nil {
		t.Fatalf("%q %q %v", a.Data, b.Data, err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatal(err)
	}
}

func TestLineReader(t *testing.T) {
	r := NewLineReader(strings.NewReader("{\"a\":1}\r\n\n  \n{\"b\":2}"))
	a, _ := r.Next()
	b, _ := r.Next()
	_, err := r.Next()
	if string(a) != `{"a":1}` || string(b) != `{"b":2}` || err != io.EOF {
		t.Fatalf("%q %q %v", a, b, err)
	}
}

func TestChunkReaderSkipsEmptyChunks(t *testing.T) {
	chunks := [][]byte{[]byte("ab"), nil, []byte("c")}
	r := ChunkReader(func() ([]byte, error) {
		if len(chunks) == 0 {
			return nil, io.EOF
		}
		c := chunks[0]
		chunks = chunks[1:]
		return c, nil
	})
	b, err := io.ReadAll(r)
	if string(b) != "abc" || err != nil {
		t.Fatal(string(b), err)
	}
}

func TestErrorMessage(t *testing.T) {
	cases := []struct{ body, code, msg string }{
		{`{"error":{"message":"Incorrect key","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`, "invalid_api_key", "Incorrect key"},
		{`{"error":"InvalidRequest","message":"The 'text' field is required."}`, "InvalidRequest", "The 'text' field is required."},
		{`{"error":"voice not found","detail":null,"code":"VOICE_NOT_FOUND"}`, "VOICE_NOT_FOUND", "voice not found"},
		{`{"detail":"Not authenticated"}`, "", "Not authenticated"},
		{`{"detail":[{"loc":["body","voice"],"msg":"field required","type":"value_error.missing"}]}`, "", "voice: field required"},
		{`{"status":false,"errors":["please upgrade to a higher plan"]}`, "", "please upgrade to a higher plan"},
		{`plain words`, "", "plain words"},
		{`<html><body>Bad gateway</body></html>`, "", "the server sent an HTML error page"},
	}
	for _, c := range cases {
		code, msg := ErrorMessage([]byte(c.body))
		if code != c.code || msg != c.msg {
			t.Errorf("%s: got %q %q, want %q %q", c.body, code, msg, c.code, c.msg)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if d := ParseRetryAfter("3", now); d != 3*time.Second {
		t.Error(d)
	}
	if d := ParseRetryAfter(now.Add(90*time.Second).Format(http.TimeFormat), now); d != 90*time.Second {
		t.Error(d)
	}
	if d := ParseRetryAfter("soon", now); d != 0 {
		t.Error(d)
	}
}

func TestCheckURL(t *testing.T) {
	cases := []struct {
		url      string
		insecure bool
		ok       bool
	}{
		{"https://api.openai.com/v1", false, true},
		{"http://localhost:8880/v1", false, true},
		{"http://127.0.0.1:8880", false, true},
		{"http://[::1]:8880", false, true},
		{"http://192.168.1.5:8880", false, false},
		{"http://192.168.1.5:8880", true, true},
		{"ftp://example.com", true, false},
		{"api.openai.com/v1", false, false},
	}
	for _, c := range cases {
		u, _ := url.Parse(c.url)
		if err := CheckURL(u, c.insecure); (err == nil) != c.ok {
			t.Errorf("%s insecure=%v: %v", c.url, c.insecure, err)
		}
	}
}

func TestRedirectPolicy(t *testing.T) {
	check := redirectPolicy(false, "X-Api-Key")
	first, _ := http.NewRequest("POST", "https://api.example.com/v1/x", nil)
	next := func(target string) *http.Request {
		r, _ := http.NewRequest("POST", target, nil)
		r.Header.Set("Authorization", "Bearer k")
		r.Header.Set("X-Api-Key", "k")
		return r
	}
	same := next("https://api.example.com/v2/x")
	if err := check(same, []*http.Request{first}); err != nil || same.Header.Get("Authorization") == "" {
		t.Error("same host lost its key", err)
	}
	for _, target := range []string{"https://cdn.example.com/x", "https://api.example.com:8443/x", "https://sub.api.example.com/x"} {
		r := next(target)
		if err := check(r, []*http.Request{first}); err != nil || r.Header.Get("Authorization") != "" || r.Header.Get("X-Api-Key") != "" {
			t.Errorf("%s kept the key (%v)", target, err)
		}
	}
	if err := check(next("http://evil.example.com/x"), []*http.Request{first}); err == nil {
		t.Error("followed a redirect to plain http")
	}
}

func TestCheckAudio(t *testing.T) {
	cases := []struct {
		head    string
		enc     audio.Encoding
		problem string
	}{
		{"", audio.MP3, "empty"},
		{"RIFF\x24\x00\x00\x00WAVEfmt ", audio.WAV, ""},
		{"ID3\x04\x00\x00\x00\x00\x00\x23", audio.MP3, ""},
		{"\xff\xfb\x90\x00", audio.MP3, ""},
		{"OggS\x00\x02", audio.Opus, ""},
		{"fLaC\x00\x00\x00\x22", audio.FLAC, ""},
		{"\xff\xf1\x58\x40", audio.AAC, ""},
		{"\x00\x00\xd6\x01\xa7\x03", audio.PCM, ""},
		{`{"error":"x"}`, audio.PCM, "JSON"},
		{"<!DOCTYPE html><html>", audio.MP3, "HTML"},
		{"OggS\x00\x02", audio.MP3, "MP3"},
		{"Internal Server Error", "", "text"},
	}
	for _, c := range cases {
		err := checkAudio([]byte(c.head), c.enc)
		if (err == nil) != (c.problem == "") || (err != nil && !strings.Contains(err.Error(), c.problem)) {
			t.Errorf("%q as %s: %v", c.head, c.enc, err)
		}
	}
}

func TestBodyMapsErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	b := NewBody(ctx, "x", io.MultiReader(strings.NewReader("abc"), errReader{io.ErrUnexpectedEOF}), nil)
	buf := make([]byte, 10)
	b.Read(buf)
	_, err := b.Read(buf)
	if providers.KindOf(err) != providers.KindCutStream || !strings.Contains(err.Error(), "after 3 bytes") {
		t.Errorf("cut: %v", err)
	}
	cancel()
	if _, err := b.Read(buf); providers.KindOf(err) != providers.KindCanceled {
		t.Errorf("canceled: %v", err)
	}
	b.Close()
	if _, err := b.Read(buf); !errors.Is(err, ErrClosed) {
		t.Errorf("closed: %v", err)
	}
	one := NewBody(context.Background(), "x", io.MultiReader(strings.NewReader("a"), errReader{io.ErrUnexpectedEOF}), nil)
	one.Read(buf)
	if _, err := one.Read(buf); err == nil || !strings.Contains(err.Error(), "after 1 byte:") {
		t.Errorf("one byte: %v", err)
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestNoKeyNoRequest(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	c, err := New(providers.Config{BaseURL: srv.URL}, Options{Info: providers.Info{ID: "x", Name: "X", NeedsKey: true}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Do(context.Background(), Request{Path: "/"})
	if providers.KindOf(err) != providers.KindUnavailable || !strings.Contains(err.Error(), "X_API_KEY") || hits != 0 {
		t.Fatalf("%v, %d hits", err, hits)
	}
}

func TestCustomAuthHeader(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.Header.Clone() }))
	defer srv.Close()
	c, _ := New(providers.Config{BaseURL: srv.URL, APIKey: "secret-key"},
		Options{Info: providers.Info{ID: "x"}, AuthHeader: "X-API-Token", Header: http.Header{"Sdk_version": {"1"}}})
	resp, err := c.Do(context.Background(), Request{Path: "/"})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got.Get("X-API-Token") != "secret-key" || got.Get("Authorization") != "" || got.Get("Sdk_version") != "1" {
		t.Errorf("headers %v", got)
	}
}

func TestKindForStatus(t *testing.T) {
	for status, want := range map[int]providers.Kind{
		400: providers.KindValidation, 401: providers.KindAuth, 402: providers.KindQuota, 403: providers.KindForbidden,
		404: providers.KindNotFound, 422: providers.KindValidation, 429: providers.KindRateLimit, 503: providers.KindServer,
	} {
		if got := KindForStatus(status); got != want {
			t.Errorf("HTTP %d → %s, want %s", status, got, want)
		}
	}
}

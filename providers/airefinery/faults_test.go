package airefinery

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"chorus/audio"
	"chorus/audio/codec"
	"chorus/providers"
	"chorus/providers/providertest"
)

// The fault classes below run in every way AI Refinery answers: raw audio
// (batch and stream) and the two word-boundary framings (JSON and NDJSON).
// The conformance suite covers the default request only.
var modes = []struct {
	name         string
	batch, words bool
}{
	{"Batch", true, false}, {"Stream", false, false}, {"BatchWords", true, true}, {"StreamWords", false, true},
}

func modeRequest(batch, words bool) providers.Request {
	req := providers.Request{Text: "Hello, world", Batch: batch}
	if words {
		req.Options = map[string]string{OptionWordBoundaries: "on"}
	}
	return req
}

// noKey fails when any part of err shows the key, or a start of it.
func noKey(t *testing.T, err error) {
	t.Helper()
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		if strings.Contains(s, testKey[:8]) {
			t.Fatalf("the key shows in the error: %s", s)
		}
	}
}

// 403, 404 and 422 in each error shape the route may use: the right kind,
// the service's words, no retry, and the key the body echoes redacted.
func TestRefusals(t *testing.T) {
	statuses := []struct {
		status int
		kind   providers.Kind
	}{{403, providers.KindForbidden}, {404, providers.KindNotFound}, {422, providers.KindValidation}}
	for _, shape := range []string{"", "error", "text"} {
		f := &fake{key: testKey, errorShape: shape}
		s, p := server(t, f)
		for _, m := range modes {
			for _, c := range statuses {
				t.Run(fmt.Sprintf("%s/%s/%d", m.name, cmpOr(shape, "detail"), c.status), func(t *testing.T) {
					s.Set(providertest.Fail(c.status, fmt.Sprintf("refused %d for key %s", c.status, testKey), ""))
					_, _, err := providertest.ReadAll(p, modeRequest(m.batch, m.words))
					if providers.KindOf(err) != c.kind {
						t.Fatalf("kind %s, want %s: %v", providers.KindOf(err), c.kind, err)
					}
					if !strings.Contains(err.Error(), fmt.Sprintf("refused %d for key [redacted]", c.status)) {
						t.Errorf("%q does not carry the service's (redacted) words", err)
					}
					noKey(t, err)
					if n := s.Requests(); n != 1 {
						t.Errorf("%d requests; a refusal is not retried", n)
					}
				})
			}
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// The key the fake echoes back in a 401 ("Invalid API key: Bearer …") and
// in a 500 never reaches the error.
func TestEchoedKeyRedacted(t *testing.T) {
	for _, m := range modes {
		s, bad := providertest.Start(t, New, &fake{key: testKey}, "", testKey+"-old")
		_, _, err := providertest.ReadAll(bad, modeRequest(m.batch, m.words))
		if providers.KindOf(err) != providers.KindAuth || !strings.Contains(err.Error(), "Bearer [redacted]") {
			t.Errorf("%s 401: %v", m.name, err)
		}
		noKey(t, err)
		s.Close()
		s2, p := providertest.Start(t, New, &fake{key: testKey}, "", testKey)
		s2.Set(providertest.Fail(500, "crashed while serving "+testKey, ""))
		_, _, err = providertest.ReadAll(p, modeRequest(m.batch, m.words))
		if providers.KindOf(err) != providers.KindServer || !strings.Contains(err.Error(), "crashed while serving [redacted]") {
			t.Errorf("%s 500: %v", m.name, err)
		}
		noKey(t, err)
	}
}

// 503 with Retry-After: waited for, then the audio; a wait beyond the
// retry budget is not attempted and the hint says how long to wait.
func Test503RetryAfter(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			s, p := server(t, &fake{key: testKey})
			s.Set(providertest.FailFirst(1, 503, "warming up", "1"))
			start := time.Now()
			a, data, err := providertest.ReadAll(p, modeRequest(m.batch, m.words))
			if err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d < 900*time.Millisecond {
				t.Errorf("retried after %s; Retry-After asked for 1 s", d)
			}
			if a.Requests != 2 || !bytes.Equal(data, providertest.Fixture(audio.WAV)) {
				t.Errorf("%d requests, %d bytes", a.Requests, len(data))
			}

			s.Set(providertest.Fail(503, "down for maintenance", "30"))
			_, _, err = providertest.ReadAll(p, modeRequest(m.batch, m.words))
			var pe *providers.Error
			if providers.KindOf(err) != providers.KindServer || !errorsAs(err, &pe) || pe.RetryAfter != 30*time.Second {
				t.Fatalf("got %v", err)
			}
			if !strings.Contains(pe.Hint, "30 s") || !strings.Contains(err.Error(), "down for maintenance") {
				t.Errorf("hint %q / error %q", pe.Hint, err)
			}
			if n := s.Requests(); n != 1 {
				t.Errorf("%d requests; a 30 s wait is beyond the 5 s budget", n)
			}
		})
	}
}

// A hang, before the headers or after them, reads "did not start sending
// audio within 500 ms" and is retried like any failure before audio.
func TestHang(t *testing.T) {
	headersThenNothing := func(w http.ResponseWriter, r *http.Request, n int, fake providertest.Fake) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.WriteHeader(200)
		http.NewResponseController(w).Flush()
		<-r.Context().Done()
	}
	for _, m := range modes {
		for name, sc := range map[string]providertest.Scenario{
			"BeforeHeaders": providertest.Delay(time.Minute),
			"AfterHeaders":  headersThenNothing,
		} {
			t.Run(m.name+"/"+name, func(t *testing.T) {
				t.Parallel() // each waits out its timeouts on its own server
				s, p := server(t, &fake{key: testKey})
				s.Set(sc)
				start := time.Now()
				_, _, err := providertest.ReadAll(p, modeRequest(m.batch, m.words))
				if providers.KindOf(err) != providers.KindNetwork || !strings.Contains(err.Error(), "did not start sending audio within 500 ms") {
					t.Fatalf("got %v", err)
				}
				if n := s.Requests(); n != providertest.TestPolicy.MaxAttempts {
					t.Errorf("%d requests, want %d", n, providertest.TestPolicy.MaxAttempts)
				}
				if d := time.Since(start); d > providertest.TestPolicy.MaxRetryTime {
					t.Errorf("took %s", d)
				}
			})
		}
	}
}

// respond answers 200 with body, whatever was asked.
func respond(ctype string, body []byte) providertest.Scenario {
	return providertest.Respond(200, ctype, body)
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// A valid start followed by garbage is never a success: raw audio passes
// through untouched so the decoder refuses it, and the framings fail the
// read (after audio: a cut stream; before any: not audio, not retried).
func TestValidStartThenGarbage(t *testing.T) {
	s, p := server(t, &fake{key: testKey})
	garbage := bytes.Repeat([]byte{0x00, 0x13, 0x37, 0xfe}, 256)

	t.Run("RawMP3", func(t *testing.T) {
		mp3 := providertest.Fixture(audio.MP3)
		body := append(append([]byte{}, mp3[:len(mp3)/3]...), garbage...)
		s.Set(respond("audio/mpeg", body))
		req := modeRequest(false, false)
		req.Format = "mp3"
		a, data, err := providertest.ReadAll(p, req)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(data, body) {
			t.Fatal("the body was changed on the way")
		}
		if _, err := codec.Verify(bytes.NewReader(data), a.Encoding, a.Format); err == nil {
			t.Fatal("MP3 with garbage after its first frames verified as good audio")
		}
	})

	wav := providertest.Fixture(audio.WAV)
	line := func(v any) string { b, _ := json.Marshal(v); return string(b) + "\n" }
	t.Run("NDJSONGarbageAfterAudio", func(t *testing.T) {
		body := line(map[string]any{"type": "audio", "data": b64(wav[:len(wav)/2])}) + "\x00\x13garbage that is not JSON\n"
		s.Set(respond("application/x-ndjson", []byte(body)))
		_, data, err := providertest.ReadAll(p, modeRequest(false, true))
		if providers.KindOf(err) != providers.KindCutStream || len(data) == 0 {
			t.Fatalf("got %v after %d bytes", err, len(data))
		}
	})
	t.Run("NDJSONGarbageFirst", func(t *testing.T) {
		s.Set(respond("application/x-ndjson", []byte("garbage that is not JSON\n")))
		_, _, err := providertest.ReadAll(p, modeRequest(false, true))
		if providers.KindOf(err) != providers.KindNotAudio || !strings.Contains(err.Error(), "not JSON") {
			t.Fatalf("got %v", err)
		}
		if n := s.Requests(); n != 1 {
			t.Errorf("%d requests; the same garbage would come back", n)
		}
	})
	t.Run("NDJSONBadBase64", func(t *testing.T) {
		s.Set(respond("application/x-ndjson", []byte(line(map[string]any{"type": "audio", "data": "not base64!"}))))
		_, _, err := providertest.ReadAll(p, modeRequest(false, true))
		if providers.KindOf(err) != providers.KindNotAudio || !strings.Contains(err.Error(), "base64") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("JSONGarbageAfterStart", func(t *testing.T) {
		body := `{"audio":"` + b64(wav[:30]) + `` + "\x00\x13garbage"
		s.Set(respond("application/json", []byte(body)))
		_, _, err := providertest.ReadAll(p, modeRequest(true, true))
		if providers.KindOf(err) != providers.KindNotAudio || !strings.Contains(err.Error(), "word-boundary answer") {
			t.Fatalf("got %v", err)
		}
		if n := s.Requests(); n != 1 {
			t.Errorf("%d requests; the same garbage would come back", n)
		}
	})
}

// A streamed WAV without a RIFF header is taken for raw PCM only when the
// answer does not say otherwise: text, JSON, or another container.
func TestHeaderlessFallbackChecked(t *testing.T) {
	s, p := server(t, &fake{key: testKey})
	pcm := providertest.Fixture(audio.PCM)
	cases := []struct {
		name, ctype string
		body        []byte
		want        string
	}{
		{"JSONType", "application/json", pcm, "Content-Type application/json"},
		{"Text", "application/octet-stream", []byte("upstream request timeout, please try again later " + testKey), "sent text instead of"},
		{"MP3", "audio/mpeg", providertest.Fixture(audio.MP3), "MP3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s.Set(respond(c.ctype, c.body))
			req := modeRequest(false, false)
			req.Format = "wav"
			_, _, err := providertest.ReadAll(p, req)
			if providers.KindOf(err) != providers.KindNotAudio || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
			noKey(t, err)
		})
	}
	s.Set(respond("application/octet-stream", pcm))
	req := modeRequest(false, false)
	req.Format = "wav"
	a, data, err := providertest.ReadAll(p, req)
	if err != nil || a.Encoding != audio.PCM || !bytes.Equal(data, pcm) {
		t.Fatalf("raw PCM: %v", err)
	}
}

func errorsAs(err error, pe **providers.Error) bool { return errors.As(err, pe) }

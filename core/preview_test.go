package core

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"chorus/cache"
	"chorus/internal/scripted"
	"chorus/providers"
)

// A voice with a hosted sample plays that sample, fetched without a key;
// a broken or non-audio sample is a clear error.
func TestPreviewPlaysTheHostedSample(t *testing.T) {
	wav := scripted.ToneWAV(24000, 0.3, 440)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" || r.Header.Get("xi-api-key") != "" {
			t.Error("a key was sent with the sample request")
		}
		switch r.URL.Path {
		case "/ok.wav":
			w.Write(wav)
		case "/page":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html>no</html>"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	p := scripted.Register(t, &scripted.Provider{ID: "c-prev-hosted"})
	e, sink := memEngine()
	_, hosted, err := e.Preview(context.Background(), "c-prev-hosted", "", "", providers.Voice{ID: "v1", PreviewURL: srv.URL + "/ok.wav"}, nil)
	if err != nil || !hosted {
		t.Fatalf("hosted preview: %v (hosted %v)", err, hosted)
	}
	if n := len(sink.Samples()); n < 6000 {
		t.Errorf("%d samples played from a 0.3 s sample", n)
	}
	if len(p.Requests()) != 0 {
		t.Error("a hosted sample still asked the provider to synthesize")
	}
	for path, kind := range map[string]providers.Kind{"/missing": providers.KindNotFound, "/page": providers.KindNotAudio} {
		if _, _, err := e.Preview(context.Background(), "c-prev-hosted", "", "", providers.Voice{ID: "v1", PreviewURL: srv.URL + path}, nil); providers.KindOf(err) != kind {
			t.Errorf("%s: %v, want kind %s", path, err, kind)
		}
	}
	if _, _, err := e.Preview(context.Background(), "c-prev-hosted", "", "", providers.Voice{ID: "v1", PreviewURL: "http://example.com/x.mp3"}, nil); !providers.IsValidation(err) {
		t.Errorf("plain http sample on a remote host: %v, want refused", err)
	}
}

// A voice without a hosted sample speaks PreviewLine in that voice, once:
// a second preview comes from the cache.
func TestPreviewSpeaksALineOnce(t *testing.T) {
	p := scripted.Register(t, &scripted.Provider{ID: "c-prev-line"})
	e, sink := memEngine()
	st, err := cache.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	e.Cache = st
	for i := 0; i < 2; i++ {
		if _, hosted, err := e.Preview(context.Background(), "c-prev-line", "", "", providers.Voice{ID: "v2"}, nil); err != nil || hosted {
			t.Fatalf("preview %d: %v (hosted %v)", i, err, hosted)
		}
	}
	reqs := p.Requests()
	if len(reqs) != 1 || reqs[0].Text != PreviewLine || reqs[0].Voice != "v2" {
		t.Errorf("requests %+v, want one PreviewLine in v2", reqs)
	}
	if len(sink.Samples()) == 0 {
		t.Error("nothing was played")
	}
}

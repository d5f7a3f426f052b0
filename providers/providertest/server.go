// Package providertest holds two conformance suites and the pieces to
// build fakes for them. Contract is what every provider must do whatever
// its transport (local engines and test providers run it too): sane Info
// and Capabilities, voices, validation before any work, audio that decodes
// as declared, and prompt stops on cancellation and deadlines. Run is the
// suite of remote providers: it runs Contract against a fake of the
// service and then the HTTP behaviours. The pieces: audio fixtures, a test
// server that can be told to misbehave (Scenario), and small helpers for
// checking requests the way real services do.
//
// A local engine's test looks like this:
//
//	func TestContract(t *testing.T) {
//		providertest.Contract(t, providertest.ContractHarness{Provider: &Engine{}})
//	}
//
// A remote provider's test looks like this:
//
//	func TestConformance(t *testing.T) {
//		providertest.Run(t, providertest.Harness{
//			New:      func(cfg providers.Config) (providers.Provider, error) { return New(cfg) },
//			Fake:     newFake(testKey),
//			Key:      testKey,
//			BasePath: "/v1",
//			Spec:     providertest.SpecFile(t, "testdata/openapi.json"),
//		})
//	}
//
// With a Spec (the provider's official OpenAPI document), every request
// the fake receives on a route the document describes is validated with
// kin-openapi, and the "Spec" subtest sends every value the provider's
// Capabilities offer.
//
// Both suites check goroutine leaks with goleak, so the test calling them
// must not run in parallel with other tests of its package.
package providertest

import (
	"bytes"
	"embed"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"chorus/audio"
	"chorus/providers"
	"chorus/providers/httpx"
)

//go:embed fixtures
var fixtures embed.FS

// Fixture returns a tiny valid file in enc: one second of a 440 Hz tone,
// 24 kHz mono, made with ffmpeg (see fixtures/README.md). PCM is s16le.
// Fakes serve it for every format, so the suite can compare what a provider
// returns with Fixture(Audio.Encoding). It panics for an unknown encoding.
func Fixture(enc audio.Encoding) []byte {
	b, err := fixtures.ReadFile("fixtures/tone." + string(enc))
	if err != nil {
		panic(fmt.Sprintf("providertest: no fixture for encoding %q", enc))
	}
	fixtureMu.Lock()
	edit := fixtureEdit
	fixtureMu.Unlock()
	if edit != nil {
		return edit(enc, b)
	}
	return b
}

// Fake is a provider's fake service. It checks each request the way its
// wire contract says the real service does (path, headers, body fields)
// and answers with Fixture audio in the framing the contract describes.
type Fake interface {
	http.Handler
	// WriteError answers as the real service does for status, with message
	// in its error body.
	WriteError(w http.ResponseWriter, status int, message string)
}

// TestPolicy is the network policy the suite gives providers: short
// timeouts and delays so failure paths run quickly.
var TestPolicy = providers.NetworkPolicy{
	ConnectTimeout:   2 * time.Second,
	FirstByteTimeout: 500 * time.Millisecond,
	MaxAttempts:      3,
	MaxRetryTime:     5 * time.Second,
	RetryDelay:       20 * time.Millisecond,
}

// Seen is a request the server received.
type Seen struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
}

// Server runs a Fake behind a switchable Scenario.
type Server struct {
	// URL is the fake's address plus the base path: what Config.BaseURL gets.
	URL string
	// Client is an HTTP client under TestPolicy, closed with the server.
	Client *http.Client

	// Spec, when set (before the first request), checks every request
	// whose route it describes: a request it refuses fails the test (the
	// t given to NewServer, or the subtest the suite is running) and is
	// answered 422 through the fake's WriteError, as a real service would.
	Spec *Spec

	srv       *httptest.Server
	fake      Fake
	basePath  string
	handlers  sync.WaitGroup // requests being served, WebSockets included
	mu        sync.Mutex
	tb        testing.TB
	scenario  Scenario
	count     int
	validated int
	seen      []Seen
}

// NewServer starts fake behind a test server; it is closed when t ends.
// basePath is appended to the server's address to form URL.
func NewServer(t testing.TB, fake Fake, basePath string) *Server {
	s := &Server{fake: fake, Client: httpx.NewHTTPClient(TestPolicy), basePath: basePath, tb: t}
	s.srv = httptest.NewServer(s)
	s.URL = s.srv.URL + basePath
	t.Cleanup(s.Close)
	return s
}

// Close stops the server and drops the client's idle connections.
// It also waits (up to 5 s) for handlers of hijacked connections such as
// WebSockets, which the test server itself does not track, so a leak check
// after Close sees only the client's goroutines.
func (s *Server) Close() {
	s.Client.CloseIdleConnections()
	s.srv.Close()
	done := make(chan struct{})
	go func() { s.handlers.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
}

// Config returns a provider configuration pointed at the server.
func (s *Server) Config(key string) providers.Config {
	return providers.Config{BaseURL: s.URL, APIKey: key, HTTPClient: s.Client, Network: TestPolicy}
}

// Set makes the fake follow sc from the next request on (nil: behave) and
// resets the request count.
func (s *Server) Set(sc Scenario) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scenario, s.count, s.validated, s.seen = sc, 0, 0, nil
}

// Validated counts the requests checked against Spec since the last Set.
func (s *Server) Validated() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.validated
}

// reportTo makes spec violations fail t from now on.
func (s *Server) reportTo(t testing.TB) {
	s.mu.Lock()
	s.tb = t
	s.mu.Unlock()
}

// Requests counts the requests received since the last Set.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// Seen returns the requests received since the last Set.
func (s *Server) Seen() []Seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Seen(nil), s.seen...)
}

// ServeHTTP records the request, checks it against Spec, and answers it
// under the scenario.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handlers.Add(1)
	defer s.handlers.Done()
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.mu.Lock()
	s.count++
	n, sc := s.count, s.scenario
	s.seen = append(s.seen, Seen{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
	s.mu.Unlock()
	if s.Spec != nil {
		path := r.URL.Path
		if s.basePath != "" && strings.HasPrefix(path, s.basePath) {
			path = strings.TrimPrefix(path, s.basePath)
		}
		checked, problem := s.Spec.Validate(r, path, body)
		s.mu.Lock()
		if checked {
			s.validated++
		}
		tb := s.tb
		s.mu.Unlock()
		if problem != "" {
			tb.Errorf("%s %s does not follow the provider's OpenAPI spec: %s\nbody: %.600s", r.Method, r.URL.RequestURI(), problem, s.Spec.readable(r.Header.Get("Content-Type"), body))
			s.fake.WriteError(w, http.StatusUnprocessableEntity, "request does not follow the spec: "+firstLine(problem))
			return
		}
	}
	if sc == nil {
		s.fake.ServeHTTP(w, r)
		return
	}
	sc(w, r, n, s.fake)
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

package core

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"chorus/audio"
	"chorus/internal/scripted"
	"chorus/providers"
)

// oneAtATime is a service that refuses (429) a request while its limit's
// worth are still streaming, as Smallest's default plan does. A request
// counts until its body has been read to the end or closed.
type oneAtATime struct {
	*scripted.Provider
	limit    int32
	inFlight atomic.Int32
	peak     atomic.Int32
	refused  atomic.Int32
	calls    atomic.Int32
	gap      time.Duration // between the halves of each body
	fail     atomic.Bool   // answer every request with a server error
}

func newOneAtATime(t *testing.T, id string, limit int, gap time.Duration) *oneAtATime {
	s := &oneAtATime{limit: int32(limit), gap: gap}
	s.Provider = scripted.Register(t, &scripted.Provider{ID: id, Caps: providers.Capabilities{
		Formats: []string{"wav"}, Speed: providers.Range{Min: 0.5, Max: 2, Default: 1},
		MaxChars: 60, Concurrency: limit, Streaming: true,
	}})
	s.Respond = s.respond
	return s
}

func (s *oneAtATime) respond(ctx context.Context, req providers.Request) (*providers.Audio, error) {
	s.calls.Add(1)
	n := s.inFlight.Add(1)
	if n > s.limit {
		s.inFlight.Add(-1)
		s.refused.Add(1)
		return nil, &providers.Error{Provider: s.ID, Kind: providers.KindRateLimit, Status: 429, Message: "one request at a time"}
	}
	for {
		p := s.peak.Load()
		if n <= p || s.peak.CompareAndSwap(p, n) {
			break
		}
	}
	if s.fail.Load() {
		s.inFlight.Add(-1)
		return nil, &providers.Error{Provider: s.ID, Kind: providers.KindServer, Status: 500, Message: "fell over"}
	}
	wav := scripted.ToneWAV(24000, 0.1, 440)
	return &providers.Audio{Body: &trackedBody{data: wav, gap: s.gap, done: func() { s.inFlight.Add(-1) }}, Encoding: audio.WAV, Requests: 1}, nil
}

// trackedBody sends its data in two halves, gap apart, and reports when it
// has ended or been closed.
type trackedBody struct {
	data []byte
	gap  time.Duration
	r    *bytes.Reader
	once sync.Once
	done func()
	half bool
}

func (b *trackedBody) Read(p []byte) (int, error) {
	if b.r == nil {
		b.r = bytes.NewReader(b.data[:len(b.data)/2])
	}
	n, err := b.r.Read(p)
	if err == io.EOF && !b.half {
		b.half = true
		time.Sleep(b.gap)
		b.r = bytes.NewReader(b.data[len(b.data)/2:])
		return b.Read(p)
	}
	if err != nil {
		b.Close()
	}
	return n, err
}

func (b *trackedBody) Close() error {
	b.once.Do(b.done)
	return nil
}

// TestOneLimiterAcrossJobs runs three long-text jobs, from two Engine
// values, at once against a service that takes two requests at a time:
// the process never sends a third, so nothing is refused.
func TestOneLimiterAcrossJobs(t *testing.T) {
	s := newOneAtATime(t, "lim-across", 2, 20*time.Millisecond)
	e1, _ := memEngine()
	e2, _ := memEngine()
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for i, e := range []*Engine{e1, e2, e1} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.Speak(context.Background(), Job{Provider: "lim-across", Request: providers.Request{Text: longText(6)}, Play: i != 1, Concurrency: 2})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("a job failed instead of waiting: %v", err)
		}
	}
	if s.refused.Load() != 0 || s.peak.Load() != 2 {
		t.Errorf("peak %d requests in flight, %d refused; want 2 and none", s.peak.Load(), s.refused.Load())
	}
	// The engine hands out the provider itself, optional interfaces and
	// all: the limit lives in the pipeline, not in a wrapper.
	if p, err := e1.Provider("lim-across", ""); err != nil || p != providers.Provider(s.Provider) {
		t.Errorf("Provider returned %T (%v), want the provider itself", p, err)
	}
}

// A failed request gives its slot back: the next job still runs.
func TestLimiterReleasesOnFailure(t *testing.T) {
	s := newOneAtATime(t, "lim-fail", 1, 0)
	e, _ := memEngine()
	s.fail.Store(true)
	for range 3 {
		if _, err := e.Speak(context.Background(), Job{Provider: "lim-fail", Request: providers.Request{Text: "hi"}, Play: true}); providers.KindOf(err) != providers.KindServer {
			t.Fatalf("want the server error, got %v", err)
		}
	}
	s.fail.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := e.Speak(ctx, Job{Provider: "lim-fail", Request: providers.Request{Text: "hi"}, Play: true}); err != nil {
		t.Fatalf("after failures the slot was not given back: %v", err)
	}
}

// A job waiting for another job's slot can be stopped, and the wait is
// not measured as its latency.
func TestLimiterWaitHonoursContextAndIsNotMeasured(t *testing.T) {
	s := newOneAtATime(t, "lim-wait", 1, 300*time.Millisecond)
	e, _ := memEngine()
	first := make(chan error, 1)
	go func() {
		_, err := e.Speak(context.Background(), Job{Provider: "lim-wait", Request: providers.Request{Text: "hi"}, Play: true})
		first <- err
	}()
	for s.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := e.Speak(ctx, Job{Provider: "lim-wait", Request: providers.Request{Text: "hi"}, Play: true})
	if !errors.Is(err, context.DeadlineExceeded) && providers.KindOf(err) != providers.KindCanceled {
		t.Errorf("stopped while waiting: %v", err)
	}
	if got := s.calls.Load(); got != 1 {
		t.Errorf("%d requests reached the service; the stopped job should have sent none", got)
	}
	// A job that waits for the slot measures from when it got it.
	var requested atomic.Bool
	res, err := e.Speak(context.Background(), Job{Provider: "lim-wait", Request: providers.Request{Text: "hi"}, Play: true,
		OnEvent: func(ev Event) {
			if ev.Stage == StageRequest {
				requested.Store(true)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if !requested.Load() || res.Stats.TTFBMs > 150 {
		t.Errorf("TTFB %.0f ms (request event %v); the ~300 ms spent waiting for the other job must not count", res.Stats.TTFBMs, requested.Load())
	}
	if s.refused.Load() != 0 {
		t.Errorf("%d requests were refused", s.refused.Load())
	}
}

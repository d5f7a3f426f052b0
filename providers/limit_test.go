package providers

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

type stubProvider struct {
	id       string
	inFlight atomic.Int32
	peak     atomic.Int32
	fail     bool
}

func (s *stubProvider) Info() Info                 { return Info{ID: s.id, Name: "Stub"} }
func (s *stubProvider) Capabilities() Capabilities { return Capabilities{Concurrency: 1} }
func (s *stubProvider) Voices(ctx context.Context, model string) ([]Voice, error) {
	return []Voice{{ID: "v"}}, nil
}

func (s *stubProvider) Synthesize(ctx context.Context, req Request) (*Audio, error) {
	n := s.inFlight.Add(1)
	for {
		p := s.peak.Load()
		if n <= p || s.peak.CompareAndSwap(p, n) {
			break
		}
	}
	if s.fail {
		s.inFlight.Add(-1)
		return nil, errors.New("refused")
	}
	return &Audio{Body: &stubBody{r: strings.NewReader("audio"), done: func() { s.inFlight.Add(-1) }}}, nil
}

type stubBody struct {
	r    io.Reader
	done func()
	once atomic.Bool
}

func (b *stubBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil {
		b.Close()
	}
	return n, err
}
func (b *stubBody) Close() error {
	if b.once.CompareAndSwap(false, true) {
		b.done()
	}
	return nil
}

type searchingStub struct{ *stubProvider }

func (searchingStub) SearchVoices(ctx context.Context, q, m string) ([]Voice, error) {
	return []Voice{{ID: q}}, nil
}
func (searchingStub) CheckKey(ctx context.Context) error { return nil }

func TestLimitedSerializesAcrossValues(t *testing.T) {
	s := &stubProvider{id: "limit-test-a"}
	// Two Provider values of the same ID share one slot.
	p1, p2 := Limited(s, 1), Limited(s, 1)
	a, err := p1.Synthesize(context.Background(), Request{})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		b, err := p2.Synthesize(context.Background(), Request{})
		if err == nil {
			io.ReadAll(b.Body)
			b.Body.Close()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("the second call did not wait: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	io.ReadAll(a.Body) // EOF releases the slot even before Close
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the second call never got the slot after the first reached EOF")
	}
	a.Body.Close()
	if s.peak.Load() != 1 {
		t.Errorf("peak in flight = %d, want 1", s.peak.Load())
	}
}

func TestLimitedHonoursContext(t *testing.T) {
	s := &stubProvider{id: "limit-test-b"}
	p := Limited(s, 1)
	a, err := p.Synthesize(context.Background(), Request{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Body.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = p.Synthesize(ctx, Request{})
	if KindOf(err) != KindCanceled {
		t.Fatalf("err = %v, want canceled", err)
	}
}

func TestLimitedReleasesOnFailure(t *testing.T) {
	s := &stubProvider{id: "limit-test-c", fail: true}
	p := Limited(s, 1)
	for i := 0; i < 3; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		if _, err := p.Synthesize(ctx, Request{}); err == nil || KindOf(err) == KindCanceled {
			t.Fatalf("call %d: %v", i, err)
		}
		cancel()
	}
}

func TestLimitedKeepsOptionalInterfaces(t *testing.T) {
	plain := Limited(&stubProvider{id: "limit-test-d"}, 1)
	if _, ok := plain.(VoiceSearcher); ok {
		t.Error("a plain provider became a VoiceSearcher")
	}
	if _, ok := plain.(KeyChecker); ok {
		t.Error("a plain provider became a KeyChecker")
	}
	p := Limited(searchingStub{&stubProvider{id: "limit-test-e"}}, 1)
	vs, ok := p.(VoiceSearcher)
	if !ok {
		t.Fatal("VoiceSearcher is hidden by the wrapper")
	}
	if v, _ := vs.SearchVoices(context.Background(), "x", ""); len(v) != 1 || v[0].ID != "x" {
		t.Errorf("SearchVoices = %v", v)
	}
	if _, ok := p.(KeyChecker); !ok {
		t.Error("KeyChecker is hidden by the wrapper")
	}
	if _, ok := p.(ModelLister); ok {
		t.Error("the wrapper claims ModelLister")
	}
	if Limited(p, 1) != p {
		t.Error("wrapping twice stacked two limits")
	}
}

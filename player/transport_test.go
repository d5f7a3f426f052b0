package player

import (
	"context"
	"errors"
	"io"
	"math"
	"sync"
	"testing"
	"time"

	"chorus/audio"
)

// stepSink lets a test release writes one at a time.
type stepSink struct {
	*MemorySink
	steps chan struct{}
	mu    sync.Mutex
	stops int
}

func newStepSink() *stepSink {
	return &stepSink{MemorySink: NewMemorySink(audio.Format{SampleRate: 48000, Channels: 1}), steps: make(chan struct{})}
}

func (s *stepSink) Write(ctx context.Context, p []float32) error {
	select {
	case <-s.steps:
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.MemorySink.Write(ctx, p)
}

func (s *stepSink) Stop() {
	s.mu.Lock()
	s.stops++
	s.mu.Unlock()
}

// ramp is a source whose every sample says where it is: sample i = i/n.
type ramp struct {
	n, i int
	rate int
}

func (r *ramp) Format() audio.Format { return audio.Format{SampleRate: r.rate, Channels: 1} }
func (r *ramp) Read(p []float32) (int, error) {
	if r.i >= r.n {
		return 0, io.EOF
	}
	k := min(len(p), r.n-r.i)
	for j := range k {
		p[j] = float32(r.i+j) / float32(r.n)
	}
	r.i += k
	return k, nil
}

func TestTransportSeekReplaysFromMemory(t *testing.T) {
	sink := newStepSink()
	tr := NewTransport(sink)
	src := &ramp{n: 48000, rate: 48000} // 1 s
	done := make(chan error, 1)
	go func() { done <- tr.Play(context.Background(), src) }()
	for range 20 { // 20 blocks of 10 ms played
		sink.steps <- struct{}{}
	}
	// Wait until the clip has it all, then seek back to 0.1 s.
	deadline := time.Now().Add(2 * time.Second)
	for tr.Status().Arrived < time.Second && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if err := tr.Seek(100 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := tr.Seek(5 * time.Second); err == nil {
		t.Error("seeking past what has arrived was accepted")
	}
	for {
		select {
		case sink.steps <- struct{}{}:
			continue
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		}
		break
	}
	got := sink.Samples()
	// Played: the first 0.2 s (maybe a block more), then from 0.1 s to the end.
	seekAt := -1
	for i := 1; i < len(got); i++ {
		if got[i] < got[i-1] {
			seekAt = i
			break
		}
	}
	if seekAt < 9600 || seekAt > 9600+960 {
		t.Fatalf("jump back at sample %d, want about 9600", seekAt)
	}
	if d := math.Abs(float64(got[seekAt]) - 0.1); d > 0.0001 {
		t.Errorf("after the seek playback resumed at %.4f, want 0.1000", got[seekAt])
	}
	if last := got[len(got)-1]; last < 0.999 {
		t.Errorf("did not play to the end: last sample %.4f", last)
	}
	sink.mu.Lock()
	stops := sink.stops
	sink.mu.Unlock()
	if stops == 0 {
		t.Error("seek did not flush the sink")
	}
	if p := tr.Peaks(); len(p) != 100 {
		t.Errorf("%d peaks for 1 s, want 100", len(p))
	}
}

func TestTransportCancelAndFailure(t *testing.T) {
	sink := newStepSink()
	tr := NewTransport(sink)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tr.Play(ctx, &ramp{n: 480000, rate: 48000}) }()
	sink.steps <- struct{}{}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancel: %v", err)
	}
	// A cut source: what arrived plays, then the error comes back.
	sink2 := NewMemorySink(audio.Format{SampleRate: 48000, Channels: 1})
	tr2 := NewTransport(sink2)
	cut := errors.New("stream cut")
	err := tr2.Play(context.Background(), &failing{ramp: ramp{n: 4800, rate: 48000}, err: cut})
	if !errors.Is(err, cut) || len(sink2.Samples()) != 4800 {
		t.Fatalf("cut: %v after %d samples", err, len(sink2.Samples()))
	}
}

type failing struct {
	ramp
	err error
}

func (f *failing) Read(p []float32) (int, error) {
	n, err := f.ramp.Read(p)
	if err == io.EOF {
		return n, f.err
	}
	return n, err
}

func TestClipReleasesOldAudio(t *testing.T) {
	old := MaxClipSeconds
	MaxClipSeconds = 1
	defer func() { MaxClipSeconds = old }()
	c := NewClip(audio.Format{SampleRate: 1000, Channels: 1})
	buf := make([]float32, 1000)
	for range 120 { // 2 minutes at 1 kHz
		c.Append(buf)
	}
	c.mu.Lock()
	kept := len(c.data)
	c.mu.Unlock()
	if kept > 1000*62 {
		t.Errorf("clip keeps %d samples, want at most about a minute more than the 1 s limit", kept)
	}
	if c.Arrived() != 120*time.Second {
		t.Errorf("arrived %v", c.Arrived())
	}
}

package player

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"sync"
	"testing"
	"time"

	"chorus/audio"
)

var ringFormat = audio.Format{SampleRate: 1000, Channels: 2}

// fakeClock is a clock the test driver moves as the device would play.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// driver pulls from a ring the way oto's drivers pull from its mixer: a
// device buffer of a fixed number of frames per period, filled with what
// the ring has and silence for the rest, the clock moving one period per
// pull.
type driver struct {
	ring   *Ring
	clock  *fakeClock
	frames int
	eof    bool
}

// pull plays one period and returns its samples.
func (d *driver) pull(t *testing.T) []float32 {
	t.Helper()
	frame := d.ring.Format().Channels * bytesPerSample
	buf := make([]byte, d.frames*frame)
	got := 0
	for got < len(buf) {
		n, err := d.ring.Read(buf[got:])
		if n%frame != 0 {
			t.Fatalf("Read returned %d bytes: not whole frames of %d", n, frame)
		}
		got += n
		if err == io.EOF {
			d.eof = true
			break
		}
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		if n == 0 {
			break // nothing queued: the rest of the period is silence
		}
	}
	clear(buf[got:])
	if d.clock != nil {
		d.clock.advance(time.Duration(d.frames) * time.Second / time.Duration(d.ring.Format().SampleRate))
	}
	out := make([]float32, len(buf)/bytesPerSample)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[i*bytesPerSample:]))
	}
	return out
}

func newTestRing(size time.Duration) (*Ring, *driver) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	r := newRing(ringFormat, size, clock.now)
	return r, &driver{ring: r, clock: clock, frames: 10}
}

// counting returns n samples 1, 2, 3, … (never 0, so silence shows).
func counting(from, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(from + i)
	}
	return s
}

func TestRingPlaysSamplesInOrderAcrossTheWrap(t *testing.T) {
	// A ring of 25 frames written in pieces of 14 samples (7 frames) wraps
	// several times; the driver must hear 1, 2, 3, … without a gap.
	r, d := newTestRing(25 * time.Millisecond)
	var heard []float32
	next := 1
	for len(heard) < 400 {
		for r.Queued() <= 15*time.Millisecond {
			if err := r.Write(context.Background(), counting(next, 14)); err != nil {
				t.Fatal(err)
			}
			next += 14
		}
		heard = append(heard, d.pull(t)...)
	}
	for i, v := range heard {
		if v != float32(i+1) {
			t.Fatalf("sample %d is %v, want %d", i, v, i+1)
		}
	}
	if st := r.Stats(); st.Underruns != 0 {
		t.Errorf("%d underruns while the writer kept up, want 0", st.Underruns)
	}
}

func TestRingRunsDryAsSilenceAndCountsOneUnderrun(t *testing.T) {
	r, d := newTestRing(time.Second)
	// Nothing written yet: silence, and no underrun before playback starts.
	for range 3 {
		if got := d.pull(t); got[0] != 0 || got[len(got)-1] != 0 {
			t.Fatalf("empty ring gave %v, want silence", got)
		}
	}
	if st := r.Stats(); st.Underruns != 0 || !st.FirstAudio.IsZero() {
		t.Fatalf("before any audio: %+v, want no underrun and no first audio", st)
	}
	// 15 frames: one full period and half of the next, then the rest is silence.
	r.Write(context.Background(), counting(1, 30))
	first := d.pull(t)
	second := d.pull(t)
	if first[19] != 20 || second[9] != 30 || second[10] != 0 || second[19] != 0 {
		t.Fatalf("periods %v %v: want 1–20, then 21–30 and silence", first, second)
	}
	// Dry for several periods: one underrun for the whole dry spell.
	for range 5 {
		if got := d.pull(t); got[0] != 0 {
			t.Fatalf("dry ring gave %v, want silence", got)
		}
	}
	st := r.Stats()
	if st.Underruns != 1 {
		t.Fatalf("%d underruns after one dry spell, want 1", st.Underruns)
	}
	if st.FirstAudio.IsZero() || st.Played != 15*time.Millisecond {
		t.Errorf("stats %+v: want a first-audio time and 15 ms played", st)
	}
	// Audio again, then dry again: a second underrun.
	r.Write(context.Background(), counting(31, 20))
	if got := d.pull(t); got[0] != 31 || got[19] != 50 {
		t.Fatalf("after refilling got %v, want 31–50", got)
	}
	d.pull(t)
	d.pull(t)
	if st := r.Stats(); st.Underruns != 2 {
		t.Errorf("%d underruns after two dry spells, want 2", st.Underruns)
	}
}

func TestRingNoUnderrunWhileTheDeviceStillPlaysWhatItHas(t *testing.T) {
	// A driver that reads ahead (here: a whole second at once) finds the
	// ring empty long before the device has played what it took. That is
	// not an underrun until the wall clock passes the audio handed over.
	r, d := newTestRing(time.Second)
	r.Write(context.Background(), counting(1, 2000)) // 1 s
	buf := make([]byte, 4000*bytesPerSample)
	if n, _ := r.Read(buf); n != 2000*bytesPerSample {
		t.Fatalf("read %d bytes, want all 8000", n)
	}
	for range 50 { // 0.5 s of the second the device holds
		d.pull(t)
	}
	if st := r.Stats(); st.Underruns != 0 {
		t.Fatalf("%d underruns with 0.5 s still at the device, want 0", st.Underruns)
	}
	for range 60 {
		d.pull(t)
	}
	if st := r.Stats(); st.Underruns != 1 {
		t.Errorf("%d underruns once the device's second was over, want 1", st.Underruns)
	}
}

func TestRingPausedIsNotAnUnderrun(t *testing.T) {
	r, d := newTestRing(time.Second)
	r.Write(context.Background(), counting(1, 20))
	d.pull(t)
	r.SetPaused(true)
	for range 10 {
		d.pull(t)
	}
	r.SetPaused(false)
	r.Write(context.Background(), counting(21, 20))
	if got := d.pull(t); got[0] != 21 {
		t.Fatalf("after resuming got %v, want 21…", got)
	}
	if st := r.Stats(); st.Underruns != 0 {
		t.Errorf("%d underruns across a pause, want 0", st.Underruns)
	}
}

func TestRingEndPlaysOutThenEOF(t *testing.T) {
	r, d := newTestRing(time.Second)
	r.Write(context.Background(), counting(1, 30))
	r.End()
	a, b := d.pull(t), d.pull(t)
	if a[0] != 1 || b[9] != 30 || !d.eof {
		t.Fatalf("after End got %v %v eof=%v: want all 30 samples, then EOF", a, b, d.eof)
	}
	if n, err := r.Read(make([]byte, 80)); n != 0 || err != io.EOF {
		t.Errorf("Read after the end = %d, %v; want 0, EOF", n, err)
	}
	if st := r.Stats(); st.Underruns != 0 {
		t.Errorf("the end of the stream counted %d underruns, want 0", st.Underruns)
	}
}

func TestRingStopDropsQueuedAudioAtOnce(t *testing.T) {
	r, d := newTestRing(time.Second)
	r.Write(context.Background(), counting(1, 1000))
	d.pull(t)
	r.Stop()
	if q := r.Queued(); q != 0 {
		t.Errorf("%v still queued after Stop, want 0", q)
	}
	if got := d.pull(t); got[0] != 0 || !d.eof {
		t.Errorf("after Stop the driver got %v (eof=%v), want silence and EOF", got[:4], d.eof)
	}
	if err := r.Write(context.Background(), counting(1, 2)); !errors.Is(err, context.Canceled) {
		t.Errorf("Write after Stop = %v, want context.Canceled", err)
	}
}

func TestRingStopWakesABlockedWriter(t *testing.T) {
	r, _ := newTestRing(10 * time.Millisecond) // 10 frames
	done := make(chan error, 1)
	go func() { done <- r.Write(context.Background(), counting(1, 100)) }()
	waitFull(r, 10*time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("Write into a full ring returned %v without waiting", err)
	default:
	}
	r.Stop()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("blocked Write after Stop = %v, want context.Canceled", err)
	}
}

// waitFull waits until size is queued.
func waitFull(r *Ring, size time.Duration) {
	for {
		ch := r.Changed()
		if r.Queued() >= size {
			return
		}
		<-ch
	}
}

func TestRingWriteReturnsWhenContextEnds(t *testing.T) {
	r, _ := newTestRing(10 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Write(ctx, counting(1, 100)) }()
	waitFull(r, 10*time.Millisecond)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Write after cancel = %v, want context.Canceled", err)
	}
}

func TestRingConcurrentWriterAndDriver(t *testing.T) {
	// A writer and a real-time driver on their own goroutines, with Stats
	// and Queued read from a third: every sample arrives once, in order.
	r := NewRing(audio.Format{SampleRate: 48000, Channels: 2}, 20*time.Millisecond)
	const total = 48000 // samples
	go func() {
		for i := 1; i <= total; i += 960 {
			if err := r.Write(context.Background(), counting(i, min(960, total-i+1))); err != nil {
				return
			}
		}
		r.End()
	}()
	stop := make(chan struct{})
	var watcher sync.WaitGroup
	watcher.Add(1)
	go func() {
		defer watcher.Done()
		for {
			select {
			case <-stop:
				return
			default:
				r.Stats()
				r.Queued()
			}
		}
	}()
	var heard []float32
	buf := make([]byte, 512*2*bytesPerSample)
	for {
		ch := r.Changed() // taken before Read, so no change is missed
		n, err := r.Read(buf)
		for i := 0; i < n; i += bytesPerSample {
			heard = append(heard, math.Float32frombits(binary.LittleEndian.Uint32(buf[i:])))
		}
		if err == io.EOF {
			break
		}
		if n == 0 {
			<-ch
		}
	}
	close(stop)
	watcher.Wait()
	if len(heard) != total {
		t.Fatalf("heard %d samples, want %d", len(heard), total)
	}
	for i, v := range heard {
		if v != float32(i+1) {
			t.Fatalf("sample %d is %v, want %d", i, v, i+1)
		}
	}
}

package player

import (
	"context"
	"encoding/binary"
	"io"
	"math"
	"sync"
	"time"

	"chorus/audio"
)

const bytesPerSample = 4 // float32

// Ring is the queue between the pipeline and a sound device: the pipeline
// writes float samples into it, and the device driver pulls little-endian
// float32 bytes out of it with Read, the way oto's drivers pull from its
// mixer. It knows nothing of any platform, so everything a device sink does
// with the audio (ordering, running dry, stopping) is tested by pulling from
// it.
//
// Read never blocks: with nothing queued it returns (0, nil) and the driver
// plays silence, which counts as an underrun once playback has started and
// the device has played everything handed to it.
type Ring struct {
	format audio.Format
	now    func() time.Time

	mu      sync.Mutex
	changed chan struct{} // closed and replaced whenever the ring changes
	buf     []byte
	r, n    int
	ended   bool
	stopped bool
	paused  bool

	readBytes  int64     // bytes handed to the driver
	firstAt    time.Time // when the first bytes went to the driver
	baseAt     time.Time // underrun clock: wall time of baseBytes
	baseBytes  int64
	underruns  int
	inUnderrun bool
}

// NewRing returns an empty ring of format f holding up to size of audio.
func NewRing(f audio.Format, size time.Duration) *Ring {
	return newRing(f, size, time.Now)
}

func newRing(f audio.Format, size time.Duration, now func() time.Time) *Ring {
	frame := f.Channels * bytesPerSample
	frames := max(1, int(int64(size)*int64(f.SampleRate)/int64(time.Second)))
	return &Ring{format: f, now: now, changed: make(chan struct{}), buf: make([]byte, frames*frame)}
}

// Format is the rate and layout of the audio in the ring.
func (r *Ring) Format() audio.Format { return r.format }

func (r *Ring) signal() {
	close(r.changed)
	r.changed = make(chan struct{})
}

func (r *Ring) frameBytes() int { return r.format.Channels * bytesPerSample }

// Read hands the driver whole frames of queued audio as float32
// little-endian bytes. It returns (0, nil) when nothing is queued and the
// stream goes on, and io.EOF once the stream has ended (End) or been
// stopped (Stop) and nothing is left.
func (r *Ring) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	frame := r.frameBytes()
	want := min(len(p)/frame*frame, r.n)
	if want == 0 {
		if r.ended || r.stopped {
			return 0, io.EOF
		}
		r.noteDry()
		return 0, nil
	}
	k := copy(p[:want], r.buf[r.r:min(len(r.buf), r.r+want)])
	if k < want {
		k += copy(p[k:want], r.buf[:want-k])
	}
	r.r = (r.r + k) % len(r.buf)
	r.n -= k
	if r.firstAt.IsZero() {
		now := r.now()
		r.firstAt, r.baseAt = now, now
	}
	r.readBytes += int64(k)
	r.inUnderrun = false
	r.signal()
	return k, nil
}

// noteDry counts an underrun when the device has played everything handed
// to it so far while the stream is still going.
func (r *Ring) noteDry() {
	if r.firstAt.IsZero() || r.inUnderrun || r.paused {
		return
	}
	now := r.now()
	if now.Sub(r.baseAt) > r.duration(r.readBytes-r.baseBytes) {
		r.underruns++
		r.inUnderrun = true
		r.baseAt, r.baseBytes = now, r.readBytes
	}
}

func (r *Ring) duration(bytes int64) time.Duration {
	frames := bytes / int64(r.frameBytes())
	return time.Duration(frames) * time.Second / time.Duration(r.format.SampleRate)
}

// Write queues interleaved samples in the ring's format, blocking while the
// ring is full. It returns ctx's error when ctx ends first (what was not
// queued is dropped) and context.Canceled once the ring is stopped.
func (r *Ring) Write(ctx context.Context, samples []float32) error {
	buf := make([]byte, len(samples)*bytesPerSample)
	for i, v := range samples {
		binary.LittleEndian.PutUint32(buf[i*bytesPerSample:], math.Float32bits(v))
	}
	for len(buf) > 0 {
		r.mu.Lock()
		if r.stopped {
			r.mu.Unlock()
			return context.Canceled
		}
		free := len(r.buf) - r.n
		if free == 0 {
			ch := r.changed
			r.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		k := min(free, len(buf))
		w := (r.r + r.n) % len(r.buf)
		c := copy(r.buf[w:], buf[:k])
		copy(r.buf, buf[c:k])
		r.n += k
		buf = buf[k:]
		r.signal()
		r.mu.Unlock()
	}
	return nil
}

// End marks the end of the stream: once the driver has read what is
// queued, Read returns io.EOF.
func (r *Ring) End() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ended = true
	r.signal()
}

// Stop drops everything queued at once and ends the stream: Read returns
// io.EOF and Write returns context.Canceled from now on.
func (r *Ring) Stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	r.n = 0
	r.signal()
}

// Stopped reports whether Stop was called.
func (r *Ring) Stopped() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stopped
}

// SetPaused tells the ring the device is paused: running dry while paused
// is not an underrun, and the underrun clock restarts on resuming.
func (r *Ring) SetPaused(paused bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.paused && !paused {
		r.baseAt, r.baseBytes = r.now(), r.readBytes
	}
	r.paused = paused
}

// Queued is how much audio is waiting to be read.
func (r *Ring) Queued() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.duration(int64(r.n))
}

// Changed returns a channel that is closed at the next change to the ring
// (a read, a write, End or Stop).
func (r *Ring) Changed() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.changed
}

// Stats reports what the driver has read so far: Played counts audio
// handed to the driver, not yet what the device has sounded.
func (r *Ring) Stats() SinkStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return SinkStats{Played: r.duration(r.readBytes), FirstAudio: r.firstAt, Underruns: r.underruns}
}

package player

import (
	"io"
	"math"
	"sync"
	"time"

	"chorus/audio"
)

// PeakFrames is how many frames one waveform peak covers (10 ms at 48 kHz).
const PeakFrames = 480

// MaxClipSeconds bounds how much audio a clip keeps for seeking; older audio
// is released (seeking before it is refused) so hour-long playback does not
// hold an hour in memory.
var MaxClipSeconds = 10 * 60

// Clip holds decoded audio as it arrives, for seeking and the waveform. It
// is filled by one goroutine and read by others.
type Clip struct {
	format audio.Format
	keep   int64 // frames kept for seeking (MaxClipSeconds when made)

	mu      sync.Mutex
	changed chan struct{}
	data    []int16 // interleaved samples after the dropped ones
	dropped int64   // frames released from the front
	frames  int64   // frames appended in all
	peaks   []float32
	peakAcc float32
	peakN   int
	done    bool
	err     error
}

// NewClip returns an empty clip of the given format.
func NewClip(f audio.Format) *Clip {
	return &Clip{format: f, keep: int64(MaxClipSeconds) * int64(f.SampleRate), changed: make(chan struct{})}
}

// Format is the clip's format.
func (c *Clip) Format() audio.Format { return c.format }

func (c *Clip) signal() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// Append adds samples (whole frames).
func (c *Clip) Append(samples []float32) {
	ch := c.format.Channels
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := 0; i+ch <= len(samples); i += ch {
		var peak float32
		for j := 0; j < ch; j++ {
			v := max(-1, min(1, samples[i+j]))
			c.data = append(c.data, int16(math.Round(float64(v)*32767)))
			peak = max(peak, abs32(v))
		}
		c.peakAcc = max(c.peakAcc, peak)
		if c.peakN++; c.peakN == PeakFrames {
			c.peaks = append(c.peaks, c.peakAcc)
			c.peakAcc, c.peakN = 0, 0
		}
		c.frames++
	}
	if kept := c.frames - c.dropped; kept > c.keep+int64(c.format.SampleRate)*60 {
		drop := kept - c.keep
		c.data = append(c.data[:0], c.data[drop*int64(ch):]...)
		c.dropped += drop
	}
	c.signal()
}

// Finish marks the end of the audio; err is nil for a clean end.
func (c *Clip) Finish(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.peakN > 0 {
		c.peaks = append(c.peaks, c.peakAcc)
		c.peakAcc, c.peakN = 0, 0
	}
	c.done, c.err = true, err
	c.signal()
}

// Arrived is how much audio has arrived so far.
func (c *Clip) Arrived() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.duration(c.frames)
}

func (c *Clip) duration(frames int64) time.Duration {
	return time.Duration(frames) * time.Second / time.Duration(c.format.SampleRate)
}

// Done reports whether all the audio has arrived, and how it ended.
func (c *Clip) Done() (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.done, c.err
}

// Peaks returns the waveform so far: the peak level of every PeakFrames frames.
func (c *Clip) Peaks() []float32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]float32(nil), c.peaks...)
}

// reader reads the clip from a frame position, waiting for audio to arrive.
type clipReader struct {
	c   *Clip
	pos int64 // next frame
}

func (r *clipReader) Format() audio.Format { return r.c.format }

func (r *clipReader) Read(p []float32) (int, error) {
	ch := r.c.format.Channels
	for {
		r.c.mu.Lock()
		if r.pos < r.c.dropped {
			r.pos = r.c.dropped
		}
		avail := r.c.frames - r.pos
		if avail > 0 {
			n := min(int64(len(p)/ch), avail)
			start := (r.pos - r.c.dropped) * int64(ch)
			for i := int64(0); i < n*int64(ch); i++ {
				p[i] = float32(r.c.data[start+i]) / 32767
			}
			r.pos += n
			r.c.mu.Unlock()
			return int(n) * ch, nil
		}
		if r.c.done {
			err := r.c.err
			r.c.mu.Unlock()
			if err == nil {
				err = io.EOF
			}
			return 0, err
		}
		wait := r.c.changed
		r.c.mu.Unlock()
		<-wait
	}
}

func abs32(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}

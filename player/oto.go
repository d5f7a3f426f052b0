package player

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/ebitengine/oto/v3"

	"chorus/audio"
)

// DeviceFormat is the rate and layout Chorus opens the sound device with.
// Every source is converted to it, so one long-lived context serves all.
var DeviceFormat = audio.Format{SampleRate: 48000, Channels: 2}

// deviceLatency is the device buffer asked of PulseAudio/ALSA. It bounds how
// long sound continues after Stop.
const deviceLatency = 80 * time.Millisecond

// ringSeconds is how much converted audio a sink buffers ahead of the device.
const ringSeconds = 1

const bytesPerSample = 4 // float32

// ErrNoDevice wraps every failure to open audio output.
var ErrNoDevice = errors.New("no audio output device")

var (
	deviceOnce sync.Once
	deviceCtx  *oto.Context
	deviceErr  error
)

// OpenDevice opens the process's one oto context (oto allows only one per
// process and no retry), waiting for it to be ready and checking its error,
// and returns a sink that plays through it. Later calls return a sink on the
// same context, or the same error.
func OpenDevice() (*OtoSink, error) {
	deviceOnce.Do(func() {
		ctx, ready, err := oto.NewContext(&oto.NewContextOptions{
			SampleRate:      DeviceFormat.SampleRate,
			ChannelCount:    DeviceFormat.Channels,
			Format:          oto.FormatFloat32LE,
			BufferSize:      deviceLatency,
			ApplicationName: "Chorus",
		})
		if err != nil {
			deviceErr = fmt.Errorf("%w: %v", ErrNoDevice, err)
			return
		}
		select {
		case <-ready:
		case <-time.After(10 * time.Second):
			deviceErr = fmt.Errorf("%w: the sound system did not answer within 10 s", ErrNoDevice)
			return
		}
		if err := ctx.Err(); err != nil {
			deviceErr = fmt.Errorf("%w: %s", ErrNoDevice, summarize(err.Error()))
			return
		}
		deviceCtx = ctx
	})
	if deviceErr != nil {
		return nil, deviceErr
	}
	return &OtoSink{ctx: deviceCtx, volume: 1}, nil
}

// OtoSink plays through the sound device. Each run of writes until Drain or
// Stop is one session with one oto player fed from a ring buffer, so chunks
// written back to back play without gaps.
type OtoSink struct {
	ctx *oto.Context

	mu     sync.Mutex
	cur    *session
	volume float64
	paused bool // new sessions start paused too
	last   SinkStats
}

// session is one continuous stream into one oto player.
type session struct {
	mu      sync.Mutex
	changed chan struct{} // closed and replaced whenever the ring changes
	ring    []byte
	r, n    int
	ended   bool
	stopped bool

	player *oto.Player
	paused bool

	readBytes  int64     // bytes handed to oto
	firstAt    time.Time // when the first bytes went to oto
	baseAt     time.Time // underrun clock: wall time of baseBytes
	baseBytes  int64
	underruns  int
	inUnderrun bool
}

func newSession() *session {
	size := DeviceFormat.SampleRate * DeviceFormat.Channels * bytesPerSample * ringSeconds
	return &session{changed: make(chan struct{}), ring: make([]byte, size)}
}

func (s *session) signal() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Read feeds oto's mixer. It never blocks: with nothing buffered it returns
// (0, nil) and the device plays silence, which is counted as an underrun
// once playback has started.
func (s *session) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	frame := DeviceFormat.Channels * bytesPerSample
	want := min(len(p)/frame*frame, s.n)
	if want == 0 {
		if s.ended || s.stopped {
			return 0, io.EOF
		}
		s.noteDry()
		return 0, nil
	}
	k := copy(p[:want], s.ring[s.r:min(len(s.ring), s.r+want)])
	if k < want {
		k += copy(p[k:want], s.ring[:want-k])
	}
	s.r = (s.r + k) % len(s.ring)
	s.n -= k
	now := time.Now()
	if s.firstAt.IsZero() {
		s.firstAt, s.baseAt = now, now
	}
	s.readBytes += int64(k)
	s.inUnderrun = false
	s.signal()
	return k, nil
}

// noteDry counts an underrun when the device has played everything handed
// to it so far while the stream is still going.
func (s *session) noteDry() {
	if s.firstAt.IsZero() || s.inUnderrun || s.paused {
		return
	}
	bytesPerSec := float64(DeviceFormat.SampleRate * DeviceFormat.Channels * bytesPerSample)
	handed := time.Duration(float64(s.readBytes-s.baseBytes) / bytesPerSec * float64(time.Second))
	if time.Since(s.baseAt) > handed {
		s.underruns++
		s.inUnderrun = true
		s.baseAt, s.baseBytes = time.Now(), s.readBytes
	}
}

// Format is the device format.
func (o *OtoSink) Format() audio.Format { return DeviceFormat }

func (o *OtoSink) session() *session {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cur == nil {
		s := newSession()
		s.player = o.ctx.NewPlayer(s)
		// A small source buffer keeps Stop, Pause and the position precise.
		s.player.SetBufferSize(DeviceFormat.SampleRate / 20 * DeviceFormat.Channels * bytesPerSample)
		s.player.SetVolume(o.volume)
		s.paused = o.paused
		o.cur = s
	}
	return o.cur
}

// Write converts samples to the device's byte layout and queues them,
// starting the player on the first write of a session.
func (o *OtoSink) Write(ctx context.Context, samples []float32) error {
	s := o.session()
	buf := make([]byte, len(samples)*bytesPerSample)
	for i, v := range samples {
		binary.LittleEndian.PutUint32(buf[i*4:], math.Float32bits(v))
	}
	for len(buf) > 0 {
		s.mu.Lock()
		if s.stopped {
			s.mu.Unlock()
			return context.Canceled
		}
		free := len(s.ring) - s.n
		if free == 0 {
			ch := s.changed
			s.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				o.Stop()
				return ctx.Err()
			}
		}
		k := min(free, len(buf))
		w := (s.r + s.n) % len(s.ring)
		c := copy(s.ring[w:], buf[:k])
		copy(s.ring, buf[c:k])
		s.n += k
		buf = buf[k:]
		start := !s.player.IsPlaying() && !s.paused
		s.mu.Unlock()
		if start {
			s.player.Play()
		}
	}
	return nil
}

// Drain marks the end of the session's stream and waits until the device
// has played it all.
func (o *OtoSink) Drain(ctx context.Context) error {
	o.mu.Lock()
	s := o.cur
	o.mu.Unlock()
	if s == nil {
		return nil
	}
	s.mu.Lock()
	s.ended = true
	s.signal()
	s.mu.Unlock()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		s.mu.Lock()
		empty, stopped := s.n == 0, s.stopped
		s.mu.Unlock()
		if stopped {
			return context.Canceled
		}
		if empty && !s.player.IsPlaying() {
			break
		}
		if empty && s.player.BufferedSize() == 0 {
			break
		}
		select {
		case <-ctx.Done():
			o.Stop()
			return ctx.Err()
		case <-tick.C:
		}
	}
	// What oto has handed to the device is still in its buffer.
	select {
	case <-ctx.Done():
		o.Stop()
		return ctx.Err()
	case <-time.After(deviceLatency):
	}
	o.finish(s)
	return nil
}

// finish ends the session and keeps its figures.
func (o *OtoSink) finish(s *session) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cur == s {
		o.last = s.stats()
		o.cur = nil
	}
}

// Stop silences the device at once and drops what is queued.
func (o *OtoSink) Stop() {
	o.mu.Lock()
	s := o.cur
	o.mu.Unlock()
	if s == nil {
		return
	}
	s.player.Pause()
	s.mu.Lock()
	s.stopped = true
	s.n = 0
	s.signal()
	s.mu.Unlock()
	o.finish(s)
}

// Pause holds playback; Resume continues it.
func (o *OtoSink) Pause() {
	o.mu.Lock()
	s := o.cur
	o.paused = true
	o.mu.Unlock()
	if s == nil {
		return
	}
	s.mu.Lock()
	s.paused = true
	s.mu.Unlock()
	s.player.Pause()
}

// Resume continues a paused session.
func (o *OtoSink) Resume() {
	o.mu.Lock()
	s := o.cur
	o.paused = false
	o.mu.Unlock()
	if s == nil {
		return
	}
	s.mu.Lock()
	s.paused = false
	s.baseAt, s.baseBytes = time.Now(), s.readBytes
	s.mu.Unlock()
	s.player.Play()
}

// SetVolume sets the output volume from 0 to 1.
func (o *OtoSink) SetVolume(v float64) {
	o.mu.Lock()
	o.volume = max(0, min(1, v))
	s := o.cur
	o.mu.Unlock()
	if s != nil {
		s.player.SetVolume(v)
	}
}

// Stats reports the current session, or the last one when idle.
func (o *OtoSink) Stats() SinkStats {
	o.mu.Lock()
	s, last := o.cur, o.last
	o.mu.Unlock()
	if s == nil {
		return last
	}
	st := s.stats()
	buffered := int64(s.player.BufferedSize())
	frame := int64(DeviceFormat.Channels * bytesPerSample)
	played := max(0, st.Played-time.Duration(buffered/frame)*time.Second/time.Duration(DeviceFormat.SampleRate))
	st.Played = played
	return st
}

func (s *session) stats() SinkStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	frame := int64(DeviceFormat.Channels * bytesPerSample)
	return SinkStats{
		Played:     time.Duration(s.readBytes/frame) * time.Second / time.Duration(DeviceFormat.SampleRate),
		FirstAudio: s.firstAt,
		Underruns:  s.underruns,
	}
}

// summarize shortens oto's error, which lists every ALSA device it tried.
func summarize(msg string) string {
	const limit = 160
	if i := strings.Index(msg, "; ALSA:"); i > 0 {
		msg = msg[:i] + "; ALSA: no usable device"
	}
	if len(msg) > limit {
		msg = msg[:limit] + "…"
	}
	return msg
}

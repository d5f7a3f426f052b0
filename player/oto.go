package player

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ebitengine/oto/v3"

	"chorus/audio"
)

// DeviceFormat is the rate and layout Chorus opens the sound device with.
// Every source is converted to it, so one long-lived context serves all.
var DeviceFormat = audio.Format{SampleRate: 48000, Channels: 2}

// DeviceBuffer is the device buffer asked of PulseAudio/ALSA (oto's
// BufferSize). The server keeps that much audio queued, silence included,
// so it sets the delay between the first sample written and the first
// sample heard, and how long sound goes on after Stop. 40 ms cuts the first
// sample heard from about 48 ms (at 80 ms) to about 26 ms, and dropouts
// while both cores are busy stay as rare as at 80 ms; bench/latency.md has
// the sweep behind the choice (scripts/bench-latency.sh). It is read once,
// by the first OpenDevice.
var DeviceBuffer = 40 * time.Millisecond

// PlayerBuffer is how far oto's player reads ahead of the device from the
// ring (oto's per-player buffer). It adds no delay to the first sample, and
// Stop, Pause and the position do not depend on it (oto drops it on Pause,
// and Stats subtracts it); it is what the device is fed from when the
// sound server asks for more than usual after the process was kept off the
// CPU.
var PlayerBuffer = 50 * time.Millisecond

// ringSize is how much converted audio a sink buffers ahead of the device.
const ringSize = time.Second

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
			BufferSize:      DeviceBuffer,
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
// Stop is one session: one Ring that one oto player pulls from, so chunks
// written back to back play without gaps. The queueing, underrun counting
// and stopping are the Ring's; OtoSink only connects it to oto.
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
	ring   *Ring
	player *oto.Player
}

// Format is the device format.
func (o *OtoSink) Format() audio.Format { return DeviceFormat }

func (o *OtoSink) session() *session {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cur == nil {
		s := &session{ring: NewRing(DeviceFormat, ringSize)}
		s.player = o.ctx.NewPlayer(s.ring)
		s.player.SetBufferSize(int(int64(PlayerBuffer)*int64(DeviceFormat.SampleRate)/int64(time.Second)) * DeviceFormat.Channels * bytesPerSample)
		s.player.SetVolume(o.volume)
		s.ring.SetPaused(o.paused)
		o.cur = s
	}
	return o.cur
}

// Write queues samples, starting the player once the first of a session
// are queued.
func (o *OtoSink) Write(ctx context.Context, samples []float32) error {
	s := o.session()
	// Pieces of at most half the ring, so the player is started before a
	// write can block on a full ring.
	piece := int(int64(ringSize)*int64(DeviceFormat.SampleRate)/int64(time.Second)) / 2 * DeviceFormat.Channels
	for len(samples) > 0 {
		k := min(len(samples), piece)
		if err := s.ring.Write(ctx, samples[:k]); err != nil {
			if ctx.Err() != nil {
				o.Stop()
			}
			return err
		}
		samples = samples[k:]
		o.mu.Lock()
		start := !o.paused && !s.player.IsPlaying()
		o.mu.Unlock()
		if start && !s.ring.Stopped() {
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
	s.ring.End()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		if s.ring.Stopped() {
			return context.Canceled
		}
		if s.ring.Queued() == 0 && (!s.player.IsPlaying() || s.player.BufferedSize() == 0) {
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
	case <-time.After(DeviceBuffer):
	}
	o.finish(s)
	return nil
}

// finish ends the session and keeps its figures.
func (o *OtoSink) finish(s *session) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cur == s {
		o.last = s.ring.Stats()
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
	s.ring.Stop()
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
	s.ring.SetPaused(true)
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
	s.ring.SetPaused(false)
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

// Stats reports the current session, or the last one when idle. Played
// leaves out what oto holds but has not yet handed to the device.
func (o *OtoSink) Stats() SinkStats {
	o.mu.Lock()
	s, last := o.cur, o.last
	o.mu.Unlock()
	if s == nil {
		return last
	}
	st := s.ring.Stats()
	buffered := int64(s.player.BufferedSize())
	frame := int64(DeviceFormat.Channels * bytesPerSample)
	st.Played = max(0, st.Played-time.Duration(buffered/frame)*time.Second/time.Duration(DeviceFormat.SampleRate))
	return st
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

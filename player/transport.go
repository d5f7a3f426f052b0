package player

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"chorus/audio"
	"chorus/audio/resample"
)

// Transport plays one stream at a time through a sink, with pause and
// resume, seeking within what has arrived, volume, a position and a
// waveform. Audio is kept in a Clip as it arrives (at the sink's rate), so a
// seek replays from memory without asking the provider again.
type Transport struct {
	sink Sink

	mu      sync.Mutex
	clip    *Clip
	base    int64 // clip frame where the current sink session started
	seekTo  int64 // pending seek in frames, -1 for none
	paused  bool
	playing bool
	last    Status
}

// Status is what a transport bar shows.
type Status struct {
	Playing   bool
	Paused    bool
	Position  time.Duration // what has been heard of the clip
	Arrived   time.Duration // how much audio has arrived
	Done      bool          // all audio has arrived
	Underruns int
}

// NewTransport returns a transport that plays through sink.
func NewTransport(sink Sink) *Transport { return &Transport{sink: sink, seekTo: -1} }

// Sink is the transport's sink.
func (t *Transport) Sink() Sink { return t.sink }

// ErrBusy is returned when Play is called while another stream is playing.
var ErrBusy = errors.New("already playing: stop first")

// Play plays src to its end (or until ctx is cancelled), honouring pause
// and seek meanwhile. Like the package-level Play, a source that fails
// mid-way has what arrived played out, then its error returned.
func (t *Transport) Play(ctx context.Context, src audio.Source) error {
	f := t.sink.Format()
	clip := NewClip(audio.Format{SampleRate: f.SampleRate, Channels: src.Format().Channels})
	t.mu.Lock()
	if t.playing {
		t.mu.Unlock()
		return ErrBusy
	}
	t.playing, t.paused, t.clip, t.base, t.seekTo = true, false, clip, 0, -1
	t.mu.Unlock()
	t.sink.Resume() // a pause left over from the last stream must not hold this one
	defer func() {
		st := t.Status()
		t.mu.Lock()
		t.playing, t.last = false, st
		t.last.Playing = false
		t.mu.Unlock()
	}()

	fillCtx, stopFill := context.WithCancel(ctx)
	filled := make(chan struct{})
	go func() {
		defer close(filled)
		fill(fillCtx, resample.New(src, f.SampleRate), clip)
	}()
	// Leave nothing running behind: stop the decoder and wait for it.
	defer func() { stopFill(); <-filled }()

	reader := &clipReader{c: clip}
	out := resample.Channels(reader, f.Channels)
	buf := make([]float32, blockFrames*f.Channels)
	for {
		if to, ok := t.takeSeek(); ok {
			t.sink.Stop()
			reader.pos = to
			t.mu.Lock()
			t.base = to
			paused := t.paused
			t.mu.Unlock()
			if paused {
				t.sink.Pause()
			}
		}
		n, err := out.Read(buf)
		if n > 0 {
			if werr := t.sink.Write(ctx, buf[:n]); werr != nil {
				if ctx.Err() != nil {
					t.sink.Stop()
					return ctx.Err()
				}
				// A seek stopped the session mid-write: go on from the new place.
				continue
			}
		}
		if err == io.EOF {
			if t.hasSeek() {
				continue
			}
			if derr := t.sink.Drain(ctx); derr != nil && ctx.Err() != nil {
				t.sink.Stop()
				return ctx.Err()
			}
			if t.hasSeek() {
				continue
			}
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				t.sink.Stop()
				return ctx.Err()
			}
			t.sink.Drain(ctx)
			return err
		}
	}
}

// fill decodes src into the clip until it ends or ctx is cancelled.
func fill(ctx context.Context, src audio.Source, clip *Clip) {
	buf := make([]float32, 4096*src.Format().Channels)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			clip.Append(buf[:n])
		}
		if err == io.EOF {
			clip.Finish(nil)
			return
		}
		if err != nil {
			clip.Finish(err)
			return
		}
		if ctx.Err() != nil {
			clip.Finish(ctx.Err())
			return
		}
	}
}

func (t *Transport) takeSeek() (int64, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.seekTo < 0 {
		return 0, false
	}
	to := t.seekTo
	t.seekTo = -1
	return to, true
}

func (t *Transport) hasSeek() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.seekTo >= 0
}

// Seek moves playback to d from the start, within what has arrived.
func (t *Transport) Seek(d time.Duration) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.playing || t.clip == nil {
		return errors.New("nothing is playing")
	}
	rate := int64(t.clip.format.SampleRate)
	frame := int64(d) * rate / int64(time.Second)
	t.clip.mu.Lock()
	first, last := t.clip.dropped, t.clip.frames
	t.clip.mu.Unlock()
	if frame < first || frame > last {
		return fmt.Errorf("can only seek within what has arrived (%s to %s)",
			t.clip.duration(first).Round(time.Millisecond), t.clip.duration(last).Round(time.Millisecond))
	}
	t.seekTo = frame
	// Wake a Play loop blocked on a full device buffer.
	go t.sink.Stop()
	return nil
}

// Pause holds playback; Resume continues it.
func (t *Transport) Pause() {
	t.mu.Lock()
	t.paused = true
	t.mu.Unlock()
	t.sink.Pause()
}

// Resume continues paused playback.
func (t *Transport) Resume() {
	t.mu.Lock()
	t.paused = false
	t.mu.Unlock()
	t.sink.Resume()
}

// SetVolume sets the output volume from 0 to 1, when the sink supports it.
func (t *Transport) SetVolume(v float64) {
	if s, ok := t.sink.(interface{ SetVolume(float64) }); ok {
		s.SetVolume(v)
	}
}

// Status reports the position and state.
func (t *Transport) Status() Status {
	t.mu.Lock()
	clip, base, playing, paused, last := t.clip, t.base, t.playing, t.paused, t.last
	t.mu.Unlock()
	if !playing || clip == nil {
		return last
	}
	st := t.sink.Stats()
	done, _ := clip.Done()
	pos := clip.duration(base) + st.Played
	return Status{Playing: true, Paused: paused, Position: min(pos, clip.Arrived()),
		Arrived: clip.Arrived(), Done: done, Underruns: st.Underruns}
}

// Peaks returns the waveform of the current or last clip.
func (t *Transport) Peaks() []float32 {
	t.mu.Lock()
	clip := t.clip
	t.mu.Unlock()
	if clip == nil {
		return nil
	}
	return clip.Peaks()
}

// PeakDuration is the audio time one peak covers at the transport's rate.
func (t *Transport) PeakDuration() time.Duration {
	return time.Duration(PeakFrames) * time.Second / time.Duration(t.sink.Format().SampleRate)
}

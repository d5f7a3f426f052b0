package audio

import (
	"context"
	"io"
	"sync"
)

// Pipe connects a goroutine that pushes samples to one that pulls them as a
// Source. It buffers at most a fixed number of samples; Write blocks while
// it is full, so a slow reader slows the writer instead of growing memory.
type Pipe struct {
	format Format

	mu      sync.Mutex
	changed chan struct{}
	buf     []float32
	limit   int
	closed  bool
	err     error
}

// NewPipe returns a pipe of the given format that buffers up to limit samples.
func NewPipe(f Format, limit int) *Pipe {
	return &Pipe{format: f, limit: max(limit, f.Channels), changed: make(chan struct{})}
}

// Format is the format of the samples in the pipe.
func (p *Pipe) Format() Format { return p.format }

func (p *Pipe) signal() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// Write appends samples, blocking while the pipe is full or until ctx ends.
func (p *Pipe) Write(ctx context.Context, samples []float32) error {
	for len(samples) > 0 {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return io.ErrClosedPipe
		}
		free := p.limit - len(p.buf)
		if free <= 0 {
			ch := p.changed
			p.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		k := min(free, len(samples))
		p.buf = append(p.buf, samples[:k]...)
		samples = samples[k:]
		p.signal()
		p.mu.Unlock()
	}
	return nil
}

// CloseWithError ends the stream; readers get err after the buffered
// samples (io.EOF when err is nil).
func (p *Pipe) CloseWithError(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	if err == nil {
		err = io.EOF
	}
	p.closed, p.err = true, err
	p.signal()
}

// Read implements Source.
func (p *Pipe) Read(dst []float32) (int, error) {
	ch := p.format.Channels
	for {
		p.mu.Lock()
		if n := min(len(dst)/ch*ch, len(p.buf)/ch*ch); n > 0 {
			copy(dst, p.buf[:n])
			p.buf = append(p.buf[:0], p.buf[n:]...)
			p.signal()
			p.mu.Unlock()
			return n, nil
		}
		if p.closed {
			err := p.err
			p.mu.Unlock()
			return 0, err
		}
		wait := p.changed
		p.mu.Unlock()
		<-wait
	}
}

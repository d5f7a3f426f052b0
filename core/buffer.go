package core

import (
	"context"
	"io"
	"sync"
)

// byteStream holds one chunk's encoded bytes as they arrive: the fetcher
// appends, the decoder reads behind it and waits for more.
type byteStream struct {
	mu       sync.Mutex
	data     []byte
	closed   bool
	released bool // the reader is done; drop the data once the writer is too
	err      error
	changed  chan struct{}
}

func newByteStream() *byteStream { return &byteStream{changed: make(chan struct{})} }

func (b *byteStream) signal() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// Write appends bytes.
func (b *byteStream) Write(p []byte) {
	b.mu.Lock()
	b.data = append(b.data, p...)
	b.signal()
	b.mu.Unlock()
}

// Close ends the stream; readers get err (io.EOF when nil) after the data.
func (b *byteStream) Close(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	if err == nil {
		err = io.EOF
	}
	b.closed, b.err = true, err
	if b.released {
		b.data = nil
	}
	b.signal()
}

// Err is the error the stream ended with (nil while open or after a clean end).
func (b *byteStream) Err() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err == io.EOF {
		return nil
	}
	return b.err
}

// Bytes returns everything written.
func (b *byteStream) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.data
}

// Release drops the bytes once they have been decoded. A decoder can be
// done before the response is (trailing bytes, the final EOF), and the
// writer still needs the whole chunk to cache it, so while the stream is
// open the bytes are only marked, and dropped at Close.
func (b *byteStream) Release() {
	b.mu.Lock()
	b.released = true
	if b.closed {
		b.data = nil
	}
	b.mu.Unlock()
}

// Reader reads the stream from the start, waiting for bytes as they come.
func (b *byteStream) Reader(ctx context.Context) io.Reader { return &byteReader{b: b, ctx: ctx} }

type byteReader struct {
	b   *byteStream
	ctx context.Context
	pos int
}

func (r *byteReader) Read(p []byte) (int, error) {
	for {
		r.b.mu.Lock()
		if r.pos < len(r.b.data) {
			n := copy(p, r.b.data[r.pos:])
			r.pos += n
			r.b.mu.Unlock()
			return n, nil
		}
		if r.b.closed {
			err := r.b.err
			r.b.mu.Unlock()
			return 0, err
		}
		ch := r.b.changed
		r.b.mu.Unlock()
		select {
		case <-ch:
		case <-r.ctx.Done():
			return 0, r.ctx.Err()
		}
	}
}

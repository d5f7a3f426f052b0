package codec

import (
	"fmt"
	"io"
)

// frameQueue is the Read side of the decoders that decode a whole frame (or
// packet) at a time, FLAC and Opus: it hands out the samples of the last
// decoded frame and asks for the next one when they run out. The first error
// the decoder returns (io.EOF at the end) is kept and returned from then on.
type frameQueue struct {
	pending []float32 // decoded samples not yet returned
	err     error
}

// read fills p with whole sample frames of ch channels from the queue,
// calling decode (which sets q.pending, possibly to nothing) until at
// least one sample frame is ready.
func (q *frameQueue) read(p []float32, ch int, decode func() error) (int, error) {
	if len(p) < ch {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.ErrShortBuffer
	}
	for len(q.pending) == 0 {
		if q.err != nil {
			return 0, q.err
		}
		q.err = decode()
	}
	n := min(len(p)/ch*ch, len(q.pending))
	copy(p, q.pending[:n])
	q.pending = q.pending[n:]
	return n, nil
}

// recoverAs is deferred by functions that call into a third-party decoder,
// which may panic on corrupt data: it turns such a panic into the error
// describe makes of the panic value, returned through *err.
//
//	defer recoverAs(&err, func(p any) error { return fmt.Errorf("...: %v", p) })
func recoverAs(err *error, describe func(p any) error) {
	if p := recover(); p != nil {
		*err = describe(p)
	}
}

// crashOf describes a panic of the named parser while it reads a stream's
// header, for recoverAs.
func crashOf(parser string) func(p any) error {
	return func(p any) error { return fmt.Errorf("%s crashed on corrupt data: %v", parser, p) }
}

package httpx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"chorus/providers"
)

// ErrClosed is returned by Body.Read after Close.
var ErrClosed = errors.New("read from a closed audio stream")

// Body is the audio stream handed to callers. It turns a failed read into
// *providers.Error: KindCanceled when the context was cancelled, KindCutStream
// when the stream broke after it had started (a read error, or
// io.ErrUnexpectedEOF from a truncated HTTP body). Errors that already are
// *providers.Error pass through. Close may be called from any goroutine and
// makes a blocked Read return at once.
type Body struct {
	ctx      context.Context
	provider string
	r        io.Reader
	close    func() error
	n        int64 // bytes delivered; only touched by Read
	closed   atomic.Bool
	once     sync.Once
	closeErr error
}

// NewBody wraps r, the decoded audio of one response. closer releases the
// connection and anything else the stream holds; it is called once.
// provider is the provider ID put into errors.
func NewBody(ctx context.Context, provider string, r io.Reader, closer func() error) *Body {
	return &Body{ctx: ctx, provider: provider, r: r, close: closer}
}

// Read reads audio bytes.
func (b *Body) Read(p []byte) (int, error) {
	if b.closed.Load() {
		return 0, ErrClosed
	}
	if err := b.ctx.Err(); err != nil {
		return 0, b.canceled(err)
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	if err == nil || err == io.EOF {
		return n, err
	}
	switch {
	case b.ctx.Err() != nil:
		return n, b.canceled(b.ctx.Err())
	case b.closed.Load():
		return n, ErrClosed
	}
	var pe *providers.Error
	if errors.As(err, &pe) {
		return n, err
	}
	return n, &providers.Error{Provider: b.provider, Kind: providers.KindCutStream,
		Message: fmt.Sprintf("the audio stopped after %s: %v", bytesWord(b.n), err),
		Hint:    "Try again; if it keeps happening, use batch mode or a shorter text",
		Err:     err}
}

func (b *Body) canceled(err error) error {
	return &providers.Error{Provider: b.provider, Kind: providers.KindCanceled,
		Message: "synthesis was stopped", Err: err}
}

// Close releases the stream. It is safe to call more than once and from
// another goroutine than the reader.
func (b *Body) Close() error {
	b.once.Do(func() {
		b.closed.Store(true)
		if b.close != nil {
			b.closeErr = b.close()
		}
	})
	return b.closeErr
}

// bytesWord is "1 byte" or "n bytes".
func bytesWord(n int64) string {
	if n == 1 {
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}

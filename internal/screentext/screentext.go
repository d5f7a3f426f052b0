// Package screentext reads the text a user has on screen: the clipboard, or
// the selection (X11's PRIMARY, Wayland's primary selection). It uses the
// desktop's own tools, so Chorus needs no display connection to read it.
package screentext

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Source is where the text comes from.
type Source string

// The sources Read takes.
const (
	Clipboard Source = "clipboard" // what the user copied
	Selection Source = "selection" // what the user highlighted
)

// Errors Read returns for a source without text; both say what to do.
var (
	ErrEmpty       = errors.New("there is no text to read: copy or select some text first")
	ErrImage       = errors.New("it holds an image, not text: copy or select some text first")
	ErrUnsupported = errors.New("reading it is not supported on this system")
)

// timeout bounds one call of a clipboard tool: an owner that never answers
// must not hang Chorus.
const timeout = 5 * time.Second

// Read returns the source's text. Errors name the source and wrap ErrEmpty,
// ErrImage or ErrUnsupported when those apply.
func Read(ctx context.Context, src Source) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	text, err := read(ctx, src)
	if err != nil {
		return "", &Error{Source: src, Err: err}
	}
	if strings.TrimSpace(text) == "" {
		return "", &Error{Source: src, Err: ErrEmpty}
	}
	return text, nil
}

// Error is a failure to read a source.
type Error struct {
	Source Source
	Err    error
}

func (e *Error) Error() string {
	name := "the clipboard"
	if e.Source == Selection {
		name = "the selection"
	}
	switch {
	case errors.Is(e.Err, ErrEmpty):
		return name + " is empty: copy or select some text first"
	case errors.Is(e.Err, ErrImage):
		return name + " holds an image, not text: copy or select some text first"
	}
	return "cannot read " + name + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// unsupported is an ErrUnsupported that says why.
type unsupported string

func (u unsupported) Error() string        { return string(u) }
func (u unsupported) Is(target error) bool { return target == ErrUnsupported }

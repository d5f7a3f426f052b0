package export

import (
	"errors"
	"fmt"
	"io"
	"os"

	"chorus/audio"
	"chorus/audio/codec"
)

// ErrCorrupt marks audio that failed verification at Commit: nothing was
// saved.
var ErrCorrupt = errors.New("the audio is corrupt")

// errAbandoned stops the streaming check when the writer seeks back.
var errAbandoned = errors.New("export: streaming check abandoned")

// streamCheck decodes a file's bytes while they are written (codec.Verify on
// the other end of a pipe), so checking costs no extra pass at Commit. A
// writer that seeks back or writes at an offset (patched WAV and FLAC
// headers) abandons it, and Commit then decodes the finished file instead.
type streamCheck struct {
	pw        *io.PipeWriter
	done      chan error
	result    error
	finished  bool // the decoder has stopped reading
	abandoned bool
}

// startCheck begins the streaming check for target, when its extension
// names an audio format.
func (f *File) startCheck() {
	format, ok := codec.ByExtension(f.target)
	if !ok {
		return
	}
	pr, pw := io.Pipe()
	c := &streamCheck{pw: pw, done: make(chan error, 1)}
	go func() {
		_, err := codec.Verify(pr, format.Encoding, audio.Format{})
		// Later writes must not block on a reader that has stopped.
		pr.CloseWithError(io.ErrClosedPipe)
		c.done <- err
	}()
	f.check = c
}

// tee passes written bytes to the streaming check.
func (c *streamCheck) tee(p []byte) {
	if c == nil || c.finished || c.abandoned || len(p) == 0 {
		return
	}
	if _, err := c.pw.Write(p); err != nil {
		c.finish() // the decoder stopped early: its verdict is final
	}
}

// finish ends the input and collects the verdict.
func (c *streamCheck) finish() error {
	if !c.finished {
		c.finished = true
		c.pw.Close()
		c.result = <-c.done
	}
	return c.result
}

// abandon stops the check; Commit then verifies the whole file.
func (c *streamCheck) abandon() {
	if c == nil || c.abandoned {
		return
	}
	if !c.finished {
		c.finished = true
		c.pw.CloseWithError(errAbandoned)
		<-c.done
	}
	c.abandoned = true
}

// Write writes to the temporary file and feeds the streaming check.
func (f *File) Write(p []byte) (int, error) {
	n, err := f.File.Write(p)
	f.check.tee(p[:n])
	return n, err
}

// WriteString is Write for a string.
func (f *File) WriteString(s string) (int, error) { return f.Write([]byte(s)) }

// ReadFrom copies r through Write, so the streaming check sees the bytes.
func (f *File) ReadFrom(r io.Reader) (int64, error) { return io.Copy(writerOnly{f}, r) }

// Seek moves the write offset; moving it abandons the streaming check.
func (f *File) Seek(off int64, whence int) (int64, error) {
	if off != 0 || whence != io.SeekCurrent {
		f.check.abandon()
	}
	return f.File.Seek(off, whence)
}

// WriteAt writes at an offset, which abandons the streaming check.
func (f *File) WriteAt(p []byte, off int64) (int, error) {
	f.check.abandon()
	return f.File.WriteAt(p, off)
}

// writerOnly hides ReadFrom, so io.Copy uses Write.
type writerOnly struct{ io.Writer }

// verify checks that the temporary file holds whole, decodable audio of the
// format its target's extension names; other files are not checked. A
// corrupt stream, or one with no audio, fails, so it is never saved.
func (f *File) verify() error {
	if f.check == nil || f.noVerify {
		f.check.abandon()
		return nil
	}
	var err error
	if !f.check.abandoned && f.hint == (audio.Format{}) {
		err = f.check.finish()
	} else {
		f.check.abandon()
		err = f.verifyFile()
	}
	if err != nil {
		return fmt.Errorf("%w, so %s was not saved: %v", ErrCorrupt, f.target, err)
	}
	return nil
}

// verifyFile decodes the finished temporary file.
func (f *File) verifyFile() error {
	format, _ := codec.ByExtension(f.target)
	r, err := os.Open(f.Name())
	if err != nil {
		return err
	}
	defer r.Close()
	_, err = codec.Verify(r, format.Encoding, f.hint)
	return err
}

// SetFormat gives the rate and channel count of headerless audio (raw PCM,
// mu-law, A-law) so Commit can check it; other formats carry their own.
func (f *File) SetFormat(hint audio.Format) { f.hint = hint }

// SkipVerify turns off the check at Commit, for callers that write
// something other than what the extension names on purpose.
func (f *File) SkipVerify() { f.noVerify = true }

package httpx

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// maxLine bounds one SSE line or NDJSON line; base64 audio chunks are far
// smaller, so anything longer is a broken stream rather than data.
const maxLine = 16 << 20

// Event is one Server-Sent Event.
type Event struct {
	Name string // the "event:" field; informative only, many servers omit it
	Data []byte // the "data:" lines joined with "\n"
}

// SSEReader reads Server-Sent Events: events are separated by blank lines,
// "data:" lines are joined, ":" comments, "id:" and "retry:" are ignored, and
// a "data: [DONE]" event ends the stream. Lines may end in \n or \r\n.
type SSEReader struct {
	r    *bufio.Reader
	done bool
}

// NewSSEReader reads events from r.
func NewSSEReader(r io.Reader) *SSEReader {
	return &SSEReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// Next returns the next event that has data, or io.EOF at the end of the
// stream or after [DONE]. A last event not followed by a blank line is
// still returned.
func (s *SSEReader) Next() (Event, error) {
	if s.done {
		return Event{}, io.EOF
	}
	var ev Event
	var data [][]byte
	for {
		line, err := readLine(s.r)
		if err != nil && err != io.EOF {
			return Event{}, err
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(field) {
		case "data":
			data = append(data, value)
		case "event":
			ev.Name = string(value)
		}
		endOfEvent := len(line) == 0 || err == io.EOF
		if endOfEvent && data != nil {
			break
		}
		if len(line) == 0 {
			ev.Name = "" // an event without data is dropped whole
		}
		if err == io.EOF {
			return Event{}, io.EOF
		}
	}
	ev.Data = bytes.Join(data, []byte("\n"))
	if string(bytes.TrimSpace(ev.Data)) == "[DONE]" {
		s.done = true
		return Event{}, io.EOF
	}
	return ev, nil
}

// LineReader reads newline-delimited JSON (NDJSON): one value per line,
// blank lines skipped, \r\n accepted.
type LineReader struct {
	r *bufio.Reader
}

// NewLineReader reads lines from r.
func NewLineReader(r io.Reader) *LineReader {
	return &LineReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// Next returns the next non-blank line without its line ending, or io.EOF.
// A last line without a newline is returned too.
func (l *LineReader) Next() ([]byte, error) {
	for {
		line, err := readLine(l.r)
		if len(bytes.TrimSpace(line)) > 0 {
			return line, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// readLine reads one line without its ending. At the end of the stream it
// returns the last partial line with io.EOF.
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		part, err := r.ReadSlice('\n')
		line = append(line, part...)
		if len(line) > maxLine {
			return nil, fmt.Errorf("a line of the stream is longer than %d bytes", maxLine)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		line = bytes.TrimSuffix(line, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		return line, err
	}
}

// ChunkReader turns a sequence of decoded chunks into a byte stream. next
// returns the next chunk (empty chunks are skipped) or an error; io.EOF ends
// the stream cleanly. Use it to turn SSE or NDJSON events into audio bytes.
func ChunkReader(next func() ([]byte, error)) io.Reader {
	return &chunkReader{next: next}
}

type chunkReader struct {
	next func() ([]byte, error)
	buf  []byte
	err  error
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.buf) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		c.buf, c.err = c.next()
	}
	n := copy(p, c.buf)
	c.buf = c.buf[n:]
	return n, nil
}

package elevenlabs

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"time"
	"unicode"

	"chorus/providers"
	"chorus/providers/httpx"
)

// alignment is CharacterAlignmentResponseModel: one entry per character,
// times in seconds from the start of the audio.
type alignment struct {
	Characters []string  `json:"characters"`
	Starts     []float64 `json:"character_start_times_seconds"`
	Ends       []float64 `json:"character_end_times_seconds"`
}

// wsAlignment is the socket's camelCase shape, in milliseconds. The docs'
// examples spell the durations "charsDurationsMs" while the schema says
// "charDurationsMs"; both are read.
type wsAlignment struct {
	Chars        []string  `json:"chars"`
	Starts       []float64 `json:"charStartTimesMs"`
	Durations    []float64 `json:"charDurationsMs"`
	DurationsAlt []float64 `json:"charsDurationsMs"`
}

// timed is one character with its start and end.
type timed struct {
	char       string
	start, end time.Duration
}

func seconds(s float64) time.Duration { return time.Duration(math.Round(s * float64(time.Second))) }
func millis(ms float64) time.Duration {
	return time.Duration(math.Round(ms * float64(time.Millisecond)))
}

func (a *alignment) chars() []timed {
	if a == nil {
		return nil
	}
	n := min(len(a.Characters), len(a.Starts), len(a.Ends))
	out := make([]timed, n)
	for i := range n {
		out[i] = timed{a.Characters[i], seconds(a.Starts[i]), seconds(a.Ends[i])}
	}
	return out
}

func (a *wsAlignment) chars() []timed {
	if a == nil {
		return nil
	}
	d := a.Durations
	if len(d) == 0 {
		d = a.DurationsAlt
	}
	n := min(len(a.Chars), len(a.Starts), len(d))
	out := make([]timed, n)
	for i := range n {
		s := millis(a.Starts[i])
		out[i] = timed{a.Chars[i], s, s + millis(d[i])}
	}
	return out
}

// wordStream groups aligned characters into words (runs between white
// space, punctuation kept with its word) and carries them to Audio.Words.
// The channel is buffered and sends never block, so a reader that ignores
// Words cannot stall the audio.
type wordStream struct {
	ch     chan providers.WordBoundary
	mu     sync.Mutex
	closed bool

	word       strings.Builder
	start, end time.Duration
	shift      time.Duration // added to chunk-relative times
	last       time.Duration // end of the last character seen, after shift
}

const wordBuffer = 8192

func newWordStream() *wordStream {
	return &wordStream{ch: make(chan providers.WordBoundary, wordBuffer)}
}

// add takes one chunk's characters. Whether the service's streamed times
// count from the start of the whole audio or of each chunk is not
// documented (UNCONFIRMED); a chunk that starts before the previous one
// ended is taken as chunk-relative and moved after it.
func (w *wordStream) add(cs []timed) {
	if len(cs) == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	if cs[0].start+w.shift+50*time.Millisecond < w.last {
		w.shift = w.last
	}
	for _, c := range cs {
		start, end := c.start+w.shift, c.end+w.shift
		w.last = max(w.last, end)
		if strings.TrimFunc(c.char, unicode.IsSpace) == "" {
			w.flush()
			continue
		}
		if w.word.Len() == 0 {
			w.start = start
		}
		w.word.WriteString(c.char)
		w.end = max(end, w.start)
	}
}

// flush sends the word being built; w.mu is held.
func (w *wordStream) flush() {
	if w.word.Len() == 0 {
		return
	}
	select {
	case w.ch <- providers.WordBoundary{Text: w.word.String(), Offset: w.start, Duration: w.end - w.start}:
	default:
	}
	w.word.Reset()
}

// finish sends the last word and closes Words; safe to call more than once.
func (w *wordStream) finish() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	w.flush()
	w.closed = true
	close(w.ch)
}

// audioChunk is AudioWithTimestampsResponseModel and
// StreamingAudioChunkWithTimestampsResponseModel (the same fields).
type audioChunk struct {
	Audio      string     `json:"audio_base64"`
	Alignment  *alignment `json:"alignment"`
	Normalized *alignment `json:"normalized_alignment"`
}

// words prefers the alignment of the text as sent, which is what the user
// sees highlighted, over the normalized one.
func (c *audioChunk) words() []timed {
	if c.Alignment != nil && len(c.Alignment.Characters) > 0 {
		return c.Alignment.chars()
	}
	return c.Normalized.chars()
}

// decodeWhole reads the /with-timestamps answer: one JSON object.
func (w *wordStream) decodeWhole(body io.Reader) io.Reader {
	done := false
	return w.closing(httpx.ChunkReader(func() ([]byte, error) {
		if done {
			return nil, io.EOF
		}
		done = true
		var c audioChunk
		if err := json.NewDecoder(io.LimitReader(body, 512<<20)).Decode(&c); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) {
				return nil, io.EOF // not JSON at all: httpx says what it was
			}
			return nil, fmt.Errorf("unreadable answer: %v", err)
		}
		w.add(c.words())
		return base64.StdEncoding.DecodeString(c.Audio)
	}))
}

// decodeStream reads /stream/with-timestamps: one JSON object per line
// (NDJSON). Objects not separated by newlines are read too.
func (w *wordStream) decodeStream(body io.Reader) io.Reader {
	d := json.NewDecoder(body)
	started := false
	return w.closing(httpx.ChunkReader(func() ([]byte, error) {
		var c audioChunk
		if err := d.Decode(&c); err != nil {
			if err == io.EOF {
				return nil, io.EOF
			}
			var se *json.SyntaxError
			if errors.As(err, &se) && !started {
				return nil, io.EOF // not JSON at all: httpx says what it was
			}
			if err == io.ErrUnexpectedEOF || !started {
				return nil, err
			}
			return nil, fmt.Errorf("unreadable chunk: %v", err)
		}
		w.add(c.words())
		if c.Audio == "" {
			return nil, nil
		}
		b, err := base64.StdEncoding.DecodeString(c.Audio)
		if err != nil {
			return nil, fmt.Errorf("bad base64 audio in a chunk: %v", err)
		}
		started = true
		return b, nil
	}))
}

// closing closes Words when r ends or the body is closed.
func (w *wordStream) closing(r io.Reader) io.Reader { return &closingReader{r: r, w: w} }

type closingReader struct {
	r io.Reader
	w *wordStream
}

func (c *closingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil {
		c.w.finish()
	}
	return n, err
}

// Close is called by httpx when the body is closed.
func (c *closingReader) Close() error {
	c.w.finish()
	return nil
}

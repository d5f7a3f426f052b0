package core

import (
	"strings"
	"time"
	"unicode"

	"chorus/audio"
	"chorus/longtext"
	"chorus/providers"
)

// ChunkTiming is where one chunk's audio sits in the whole clip.
type ChunkTiming struct {
	Index      int           `json:"index"`
	Start      int           `json:"start"` // byte offsets in the text
	End        int           `json:"end"`
	RuneStart  int           `json:"rune_start"`
	RuneEnd    int           `json:"rune_end"`
	AudioStart time.Duration `json:"-"`
	AudioEnd   time.Duration `json:"-"`
	StartMs    float64       `json:"start_ms"`
	EndMs      float64       `json:"end_ms"`
	Cached     bool          `json:"cached"`
	Requests   int           `json:"requests,omitempty"`
}

func frameTime(frames int64, f audio.Format) time.Duration {
	if f.SampleRate <= 0 {
		return 0
	}
	return time.Duration(frames) * time.Second / time.Duration(f.SampleRate)
}

// chunkTimings lists the chunks that were read, with their real times.
func chunkTimings(states []*chunkState, f audio.Format) []ChunkTiming {
	var out []ChunkTiming
	for _, st := range states {
		if !st.finished && st.frames == 0 {
			break
		}
		a, b := frameTime(st.startFrame, f), frameTime(st.startFrame+st.frames, f)
		out = append(out, ChunkTiming{Index: st.chunk.Index, Start: st.chunk.Start, End: st.chunk.End,
			RuneStart: st.chunk.RuneStart, RuneEnd: st.chunk.RuneEnd, AudioStart: a, AudioEnd: b,
			StartMs: float64(a.Microseconds()) / 1000, EndMs: float64(b.Microseconds()) / 1000,
			Cached: st.cached, Requests: st.requests})
	}
	return out
}

// WordTiming is one spoken word in the one shape core gives every
// provider's timings (ElevenLabs character alignment grouped into words, AI
// Refinery word boundaries, a local engine's sentence boundaries): where it
// is in the text and when it is heard.
type WordTiming struct {
	Text string `json:"text"`
	// Start and End are byte offsets of the word in the job's text (the
	// whole text, across chunks).
	Start int `json:"start"`
	End   int `json:"end"`
	// Offset is when the word starts in the whole audio; Duration is how
	// long it is heard.
	Offset   time.Duration `json:"-"`
	Duration time.Duration `json:"-"`
}

// token is one run of non-space text, by byte offsets.
type token struct{ start, end int }

func tokens(text string) []token {
	var out []token
	start := -1
	for i, r := range text {
		if unicode.IsSpace(r) {
			if start >= 0 {
				out = append(out, token{start, i})
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, token{start, len(text)})
	}
	return out
}

// wordKey is what two spellings of a word share: its letters and digits,
// lower case ("Hello," and "hello" match).
func wordKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// lookahead is how many words of the text a boundary may skip to find its
// match (a word the service did not time, e.g. a lone dash).
const lookahead = 3

// alignWords places a response's word boundaries in the text that was sent:
// each boundary is matched, in order, to the next run of words of the text
// that spells the same (ignoring case and punctuation, up to lookahead words
// ahead); one that matches nothing (a number the service spelled out) takes
// the next words by position. Offsets are into text and from the start of
// this response's audio.
func alignWords(text string, words []providers.WordBoundary) []WordTiming {
	toks := tokens(text)
	var out []WordTiming
	ti := 0
	for _, w := range words {
		n := max(len(strings.Fields(w.Text)), 1)
		key := wordKey(w.Text)
		if key == "" {
			continue // punctuation only: nothing to place
		}
		at := -1
		for k := 0; k <= lookahead && ti+k+n <= len(toks); k++ {
			if wordKey(text[toks[ti+k].start:toks[ti+k+n-1].end]) == key {
				at = ti + k
				break
			}
		}
		if at < 0 {
			if ti+n > len(toks) {
				break // more boundaries than words: the rest cannot be placed
			}
			at = ti
		}
		a, b := toks[at], toks[at+n-1]
		out = append(out, WordTiming{Text: text[a.start:b.end], Start: a.start, End: b.end, Offset: w.Offset, Duration: w.Duration})
		ti = at + n
	}
	return out
}

// chunkWords is one chunk's word timings, offsets into the chunk's text and
// its own audio.
func chunkWords(st *chunkState) []WordTiming {
	return alignWords(st.chunk.Text, st.getWords())
}

// shiftedWords is every heard chunk's word timings in the whole text and
// the whole audio; with m (control characters removed), in the text as the
// user gave it.
func shiftedWords(states []*chunkState, timings []ChunkTiming, m *cleanMap) []WordTiming {
	var out []WordTiming
	for i, t := range timings {
		for _, w := range chunkWords(states[i]) {
			w.Start += t.Start
			w.End += t.Start
			if m != nil {
				w.Start, w.End = m.original(w.Start), m.original(w.End)
			}
			w.Offset += t.AudioStart
			out = append(out, w)
		}
	}
	return out
}

// weight is how long a piece of text takes to say, in arbitrary units:
// its non-space characters plus a pause for each sentence or clause mark.
func weight(s string) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
		case strings.ContainsRune(".!?。！？…;:,，、", r):
			w += 3
		default:
			w++
		}
	}
	return w + 2
}

// pieceStarts returns when each piece (byte spans of text) starts within
// an audio segment of length dur: from the provider's word timings (offsets
// into text) when every piece has a timed word in it, else in proportion to
// each piece's weight.
func pieceStarts(text string, spans []longtext.Span, dur time.Duration, words []WordTiming) []time.Duration {
	out := make([]time.Duration, len(spans))
	if len(words) > 0 {
		wi := 0
		ok := true
		for i, sp := range spans {
			for wi < len(words) && words[wi].Start < sp.Start {
				wi++
			}
			if wi >= len(words) || words[wi].Start >= sp.End {
				ok = false
				break
			}
			out[i] = words[wi].Offset
		}
		if ok {
			return out
		}
	}
	total := 0.0
	ws := make([]float64, len(spans))
	for i, sp := range spans {
		ws[i] = weight(text[sp.Start:sp.End])
		total += ws[i]
	}
	acc := 0.0
	for i := range spans {
		out[i] = time.Duration(float64(dur) * acc / total)
		acc += ws[i]
	}
	return out
}

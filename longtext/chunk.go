// Package longtext splits long text into chunks a text-to-speech provider
// accepts in one request. It cuts at the strongest boundary that fits:
// paragraph, then sentence, then clause, then word, and only as a last resort
// inside a run of characters with no break at all (a 50,000-character line
// of letters). It never cuts a word that fits, knows common abbreviations,
// decimals, URLs and quotes, and reads CJK and other non-Latin punctuation.
//
// Every chunk keeps its byte and rune offsets in the original text, so the
// front ends can highlight what is being spoken and write subtitles.
//
// Boundaries are chosen so that editing one sentence usually changes only
// the chunk that holds it: chunks are packed greedily from the start (so
// everything before an edit stays put), and besides the size limit they also
// end at "anchors" that depend only on the local text (a paragraph end, or a
// sentence whose first bytes hash to a fixed residue) once they are half
// full, so the chunking after an edit falls back in step with the old one at
// the next anchor. Unchanged chunks keep their cache entries.
//
// SplitGrowing is the chunking for text that is played as it arrives: its
// first chunk is only the first sentence (or, for a long one, its first
// clause past a minimum length), so the first audio does not wait for a
// full-size request, and each later chunk may be Factor times bigger than
// the one before it until the cap is reached. The schedule depends only on
// the chunk's index and the first chunk's length, never on the text's
// total length, so an edit past the first chunk still changes only the
// chunk that holds it.
package longtext

import (
	"errors"
	"hash/fnv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Chunk is one piece of the text, sent as one request.
type Chunk struct {
	Index     int    // position in the list, from 0
	Text      string // the chunk's text: exactly Original[Start:End], trimmed of surrounding white space
	Start     int    // byte offset of the first byte in the original text
	End       int    // byte offset just past the last byte
	RuneStart int    // the same offsets counted in characters (runes)
	RuneEnd   int
}

// Runes is the chunk's length in characters.
func (c Chunk) Runes() int { return c.RuneEnd - c.RuneStart }

// Span is a range of bytes [Start, End) of a text.
type Span struct{ Start, End int }

// Boundary levels, strongest first.
const (
	levelParagraph = iota
	levelSentence
	levelClause
	levelWord
	levelHard
)

// ErrLimit is returned for a chunk size below one character.
var ErrLimit = errors.New("longtext: the chunk size must be at least 1 character; pass a positive limit")

// Split cuts text into chunks of at most maxChars characters (runes). White
// space between chunks is dropped; text that is only white space gives no
// chunks. Joining the chunks' texts gives back the text's non-space
// characters in order, each exactly once.
func Split(text string, maxChars int) ([]Chunk, error) {
	if maxChars < 1 {
		return nil, ErrLimit
	}
	s := &splitter{text: text, max: maxChars}
	all := s.trim(Span{0, len(text)})
	if all.Start < all.End {
		if utf8.RuneCountInString(text[all.Start:all.End]) <= maxChars {
			s.out = append(s.out, all)
		} else {
			s.pack(all, levelParagraph)
		}
	}
	return s.chunks(), nil
}

// Growth is the size schedule of SplitGrowing.
type Growth struct {
	// First is the most characters the first chunk may hold; a text no
	// longer than this stays one chunk. Under a cap of First characters or
	// less every chunk is short already, and SplitGrowing is Split.
	First int
	// MinFirst is the fewest characters the first chunk should hold: a
	// shorter first sentence (a heading, "Hi.") takes the next one along.
	MinFirst int
	// MinClause is where a first sentence longer than First may be cut at
	// a clause end (after a comma, semicolon, colon or dash).
	MinClause int
	// Factor is how much bigger each chunk may be than the one before it:
	// chunk k (from 1) holds at most max(first chunk, MinFirst) × Factor^k
	// characters, and never more than the cap.
	Factor int
}

// DefaultGrowth starts with one sentence of up to 200 characters and lets
// each chunk be 8 times the one before it. Speech lasts about 65 ms per
// character and a provider's first byte typically takes a few ms more per
// character, so a chunk 8 times longer is ready long before the one
// before it has been heard; with three requests at once the cap is reached
// by the third chunk.
var DefaultGrowth = Growth{First: 200, MinFirst: 24, MinClause: 40, Factor: 8}

// ErrGrowth is returned for a growth schedule that cannot grow.
var ErrGrowth = errors.New("longtext: a growth schedule needs First, MinFirst and MinClause of at least 1 character and a Factor of at least 2; start from DefaultGrowth")

// SplitGrowing cuts text like Split, but with a short first chunk that
// grows toward maxChars: the first chunk ends at the first sentence end
// past g.MinFirst characters; if that sentence is longer than g.First, at
// its first clause end past g.MinClause characters, else at a word. Later
// chunks follow g's schedule (see Growth.Factor) and end where Split's
// would, at the strongest boundary that fits, never inside a word that fits.
// A text of at most g.First characters is one chunk, and under a cap of
// at most g.First characters the chunks are Split's.
func SplitGrowing(text string, maxChars int, g Growth) ([]Chunk, error) {
	if maxChars < 1 {
		return nil, ErrLimit
	}
	if g.First < 1 || g.MinFirst < 1 || g.MinClause < 1 || g.Factor < 2 {
		return nil, ErrGrowth
	}
	if maxChars <= g.First {
		return Split(text, maxChars)
	}
	s := &splitter{text: text, max: maxChars, grow: &g}
	all := s.trim(Span{0, len(text)})
	if all.Start >= all.End {
		return nil, nil
	}
	first := g.First
	if utf8.RuneCountInString(text[all.Start:all.End]) <= first {
		s.out = append(s.out, all)
		return s.chunks(), nil
	}
	end := s.firstEnd(all, first)
	s.out = append(s.out, Span{all.Start, end})
	s.first = utf8.RuneCountInString(text[all.Start:end])
	rest := s.trim(Span{end, all.End})
	if rest.Start < rest.End {
		if utf8.RuneCountInString(text[rest.Start:rest.End]) <= s.limit() {
			s.out = append(s.out, rest)
		} else {
			s.pack(rest, levelParagraph)
		}
	}
	return s.chunks(), nil
}

// firstEnd is where SplitGrowing's first chunk, starting at all.Start and
// holding at most limit runes, ends: the first sentence end past MinFirst
// runes, else a clause end past MinClause in the sentence that crosses the
// limit, else the last (short) sentence end, else the last word boundary,
// else the last rune that fits.
func (s *splitter) firstEnd(all Span, limit int) int {
	short := -1 // the last sentence end within the limit
	n, pos := 0, all.Start
	for _, p := range s.pieces(all, levelParagraph) {
		for _, q := range s.pieces(p, levelSentence) {
			for _, l := range s.lines(q) {
				t := s.trim(l)
				if t.Start >= t.End {
					continue
				}
				n += utf8.RuneCountInString(s.text[pos:t.End])
				pos = t.End
				if n > limit {
					return s.cutInside(all.Start, t, limit, short)
				}
				if n >= s.grow.MinFirst {
					return t.End
				}
				short = t.End
			}
		}
	}
	return all.End
}

// cutInside ends the first chunk (from start) inside sentence t, which
// crosses the limit.
func (s *splitter) cutInside(start int, t Span, limit, short int) int {
	fits := func(c int) (int, bool) {
		e := s.trim(Span{start, c}).End
		return e, e > start && utf8.RuneCountInString(s.text[start:e]) <= limit
	}
	for _, c := range s.clauseCuts(t) {
		e, ok := fits(c)
		if !ok {
			break
		}
		if utf8.RuneCountInString(s.text[start:e]) >= s.grow.MinClause {
			return e
		}
	}
	if short > 0 {
		return short
	}
	best := -1
	for _, c := range s.wordCuts(t) {
		e, ok := fits(c)
		if !ok {
			break
		}
		best = e
	}
	if best > start {
		return best
	}
	// No boundary at all: as many runes as fit, not before a glued rune.
	saved := s.out
	s.out = nil
	s.hardOne(Span{start, t.End}, limit)
	e := s.out[0].End
	s.out = saved
	return e
}

// Sentences returns the trimmed spans of text's sentences (paragraph ends,
// sentence ends and line breaks all end one), in order.
func Sentences(text string) []Span {
	s := &splitter{text: text}
	var out []Span
	for _, p := range s.pieces(Span{0, len(text)}, levelParagraph) {
		for _, q := range s.pieces(p, levelSentence) {
			for _, l := range s.lines(q) {
				if t := s.trim(l); t.Start < t.End {
					out = append(out, t)
				}
			}
		}
	}
	return out
}

type splitter struct {
	text string
	max  int
	out  []Span

	// For SplitGrowing: the growth schedule and the first chunk's length
	// in runes (0 until it is emitted, or for Split).
	grow  *Growth
	first int
}

// limit is the size limit of the chunk about to be emitted (index
// len(s.out)): the cap for Split, and the growth schedule's for
// SplitGrowing.
func (s *splitter) limit() int {
	if s.grow == nil || s.first == 0 {
		return s.max
	}
	n := max(s.first, s.grow.MinFirst)
	for range len(s.out) {
		if n > s.max/s.grow.Factor {
			return s.max
		}
		n *= s.grow.Factor
	}
	return min(n, s.max)
}

// chunks turns the emitted spans into Chunks with rune offsets, counting
// runes once over the whole text.
func (s *splitter) chunks() []Chunk {
	out := make([]Chunk, 0, len(s.out))
	pos, runes := 0, 0
	for i, sp := range s.out {
		runes += utf8.RuneCountInString(s.text[pos:sp.Start])
		n := utf8.RuneCountInString(s.text[sp.Start:sp.End])
		out = append(out, Chunk{Index: i, Text: s.text[sp.Start:sp.End], Start: sp.Start, End: sp.End,
			RuneStart: runes, RuneEnd: runes + n})
		runes += n
		pos = sp.End
	}
	return out
}

// trim narrows a span to exclude leading and trailing white space.
func (s *splitter) trim(sp Span) Span {
	for sp.Start < sp.End {
		r, n := utf8.DecodeRuneInString(s.text[sp.Start:sp.End])
		if !unicode.IsSpace(r) {
			break
		}
		sp.Start += n
	}
	for sp.End > sp.Start {
		r, n := utf8.DecodeLastRuneInString(s.text[sp.Start:sp.End])
		if !unicode.IsSpace(r) {
			break
		}
		sp.End -= n
	}
	return sp
}

// pack emits sp (longer than the limit) as chunks, cutting at level's
// boundaries and going one level finer for pieces that are still too long.
func (s *splitter) pack(sp Span, level int) {
	if level == levelHard {
		s.hard(sp)
		return
	}
	ps := s.pieces(sp, level)
	if len(ps) <= 1 {
		s.pack(sp, level+1)
		return
	}
	var cur Span
	curRunes := 0
	open := false
	flush := func() {
		if open {
			s.out = append(s.out, cur)
		}
		open, curRunes = false, 0
	}
	for _, p := range ps {
		t := s.trim(p)
		if t.Start >= t.End {
			continue
		}
		n := utf8.RuneCountInString(s.text[t.Start:t.End])
		if !open && n > s.limit() {
			s.pack(t, level+1)
			continue
		}
		if open {
			joined := curRunes + utf8.RuneCountInString(s.text[cur.End:t.End])
			if joined > s.limit() {
				flush()
				if n > s.limit() {
					s.pack(t, level+1)
					continue
				}
			} else {
				cur.End, curRunes = t.End, joined
			}
		}
		if !open {
			cur, curRunes, open = t, n, true
		}
		if curRunes*2 >= s.limit() && s.anchor(level, t) {
			flush()
		}
	}
	flush()
}

// anchor reports whether a chunk that is at least half full may end after
// piece t. It depends only on t's own text, so chunkings that differ before
// an edit fall back in step after it.
func (s *splitter) anchor(level int, t Span) bool {
	switch level {
	case levelParagraph:
		return true
	case levelSentence, levelClause:
		h := fnv.New32a()
		h.Write([]byte(s.text[t.Start:min(t.End, t.Start+32)]))
		return h.Sum32()%4 == 0
	}
	return false
}

// hard cuts a span with no usable boundary at every limit, never before a
// combining mark, joiner or variation selector.
func (s *splitter) hard(sp Span) {
	for sp.Start < sp.End {
		sp = s.hardOne(sp, s.limit())
	}
}

// hardOne emits the first limit runes of sp (fewer if the next rune is
// glued to the previous one) and returns the rest, trimmed.
func (s *splitter) hardOne(sp Span, limit int) Span {
	i, n := sp.Start, 0
	for i < sp.End && n < limit {
		_, w := utf8.DecodeRuneInString(s.text[i:])
		i += w
		n++
	}
	// Back off while the next rune would be glued to the previous one.
	j := i
	for j < sp.End && j > sp.Start {
		r, _ := utf8.DecodeRuneInString(s.text[j:])
		pr, _ := utf8.DecodeLastRuneInString(s.text[:j])
		if !isGlue(r) && pr != '\u200d' {
			break
		}
		_, w := utf8.DecodeLastRuneInString(s.text[sp.Start:j])
		j -= w
	}
	if j > sp.Start {
		i = j
	}
	s.out = append(s.out, Span{sp.Start, i})
	return s.trim(Span{i, sp.End})
}

// isGlue reports runes that belong to the character before them.
func isGlue(r rune) bool {
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc) || r == '\u200d' || r == '\u200c' ||
		(r >= 0xFE00 && r <= 0xFE0F) || (r >= 0xE0100 && r <= 0xE01EF) || (r >= 0x1F3FB && r <= 0x1F3FF)
}

// pieces splits sp at level's boundaries into contiguous spans that cover it.
func (s *splitter) pieces(sp Span, level int) []Span {
	var cuts []int
	switch level {
	case levelParagraph:
		cuts = s.paragraphCuts(sp)
	case levelSentence:
		cuts = s.sentenceCuts(sp)
	case levelClause:
		cuts = s.clauseCuts(sp)
	case levelWord:
		cuts = s.wordCuts(sp)
	}
	out := make([]Span, 0, len(cuts)+1)
	start := sp.Start
	for _, c := range cuts {
		if c > start && c < sp.End {
			out = append(out, Span{start, c})
			start = c
		}
	}
	return append(out, Span{start, sp.End})
}

// lines splits a span at line breaks (used for sentences: a heading or a
// list item is a sentence even without a full stop).
func (s *splitter) lines(sp Span) []Span {
	var out []Span
	start := sp.Start
	for i := sp.Start; i < sp.End; i++ {
		if s.text[i] == '\n' {
			out = append(out, Span{start, i + 1})
			start = i + 1
		}
	}
	return append(out, Span{start, sp.End})
}

// paragraphCuts are after blank lines (a line break, optional spaces, a line
// break) and after the paragraph separator U+2029.
func (s *splitter) paragraphCuts(sp Span) []int {
	var cuts []int
	t := s.text
	for i := sp.Start; i < sp.End; {
		r, w := utf8.DecodeRuneInString(t[i:])
		if r == '\u2029' {
			cuts = append(cuts, i+w)
			i += w
			continue
		}
		if r != '\n' {
			i += w
			continue
		}
		j := i + 1
		for j < sp.End && (t[j] == ' ' || t[j] == '\t' || t[j] == '\r') {
			j++
		}
		if j < sp.End && t[j] == '\n' {
			// Swallow the whole run of blank lines.
			for j < sp.End && (t[j] == ' ' || t[j] == '\t' || t[j] == '\r' || t[j] == '\n') {
				j++
			}
			cuts = append(cuts, j)
			i = j
			continue
		}
		i++
	}
	return cuts
}

// Sentence-ending punctuation that ends a sentence by itself (CJK full
// width and the like) and punctuation that needs white space after it.
const (
	tightEnds = "。！？｡．"
	looseEnds = ".!?…‼⁇⁈⁉।॥؟۔።፧։။။።᙮។᠃᠉"
	closers   = "\"'”’»)]}」』】〕〉》）＂｣›"
)

// abbreviations are words whose trailing full stop rarely ends a sentence.
var abbreviations = map[string]bool{}

func init() {
	for _, a := range strings.Fields(`mr mrs ms mx dr prof sr jr st mt ft vs fig figs no nos vol vols ch chap sec
		p pp para approx dept est inc ltd co corp jan feb mar apr jun jul aug sep sept oct nov dec
		gen gov sen rep lt col capt sgt cmdr adm rev hon pres messrs mme mlle cf ca viz al e.g i.e eg ie
		a.m p.m u.s u.k u.n ph.d b.a m.a d.c op ed eds trans repr univ ave blvd rd hwy tel ext min max`) {
		abbreviations[a] = true
	}
}

// sentenceCuts are after sentence-ending punctuation (and any closing quotes
// or brackets after it) that really ends a sentence.
func (s *splitter) sentenceCuts(sp Span) []int {
	var cuts []int
	t := s.text[:sp.End]
	for i := sp.Start; i < sp.End; {
		r, w := utf8.DecodeRuneInString(t[i:])
		tight := strings.ContainsRune(tightEnds, r)
		if !tight && !strings.ContainsRune(looseEnds, r) {
			i += w
			continue
		}
		// Take the whole run of end marks and closers: "?!", "...", `."`.
		j := i + w
		for j < sp.End {
			r2, w2 := utf8.DecodeRuneInString(t[j:])
			if !strings.ContainsRune(tightEnds, r2) && !strings.ContainsRune(looseEnds, r2) && !strings.ContainsRune(closers, r2) {
				break
			}
			tight = tight || strings.ContainsRune(tightEnds, r2)
			j += w2
		}
		if j >= sp.End {
			break
		}
		next, _ := utf8.DecodeRuneInString(t[j:])
		switch {
		case tight:
			cuts = append(cuts, j)
		case !unicode.IsSpace(next):
			// 3.14, example.com, e.g.x: not an end.
		case r == '.' && s.abbreviation(i):
		case startsLower(t[j:]):
			// "etc. and so on", `"Why?" she asked`: the sentence goes on.
		default:
			cuts = append(cuts, j)
		}
		i = j
	}
	return cuts
}

// abbreviation reports whether the word before the full stop at dot is a
// known abbreviation or a single letter (an initial: "J. R. R. Tolkien").
func (s *splitter) abbreviation(dot int) bool {
	start := dot
	for start > 0 {
		r, w := utf8.DecodeLastRuneInString(s.text[:start])
		if !unicode.IsLetter(r) && r != '.' {
			break
		}
		start -= w
	}
	word := strings.ToLower(strings.Trim(s.text[start:dot], "."))
	if word == "" {
		return false
	}
	if utf8.RuneCountInString(word) == 1 && unicode.IsLetter([]rune(word)[0]) {
		return true
	}
	return abbreviations[word]
}

// startsLower reports whether the next word after white space begins with
// a lower-case letter.
func startsLower(t string) bool {
	for _, r := range t {
		if unicode.IsSpace(r) || strings.ContainsRune(closers, r) || r == '(' || r == '“' || r == '‘' {
			continue
		}
		return unicode.IsLower(r)
	}
	return false
}

// clauseCuts are after commas, semicolons, colons and dashes followed by
// white space, after CJK clause marks, and at line breaks.
func (s *splitter) clauseCuts(sp Span) []int {
	var cuts []int
	t := s.text[:sp.End]
	for i := sp.Start; i < sp.End; {
		r, w := utf8.DecodeRuneInString(t[i:])
		j := i + w
		switch {
		case r == '\n':
			cuts = append(cuts, j)
		case strings.ContainsRune("、，；：﹐﹑︐", r):
			for j < sp.End {
				r2, w2 := utf8.DecodeRuneInString(t[j:])
				if !strings.ContainsRune(closers, r2) {
					break
				}
				j += w2
			}
			cuts = append(cuts, j)
		case strings.ContainsRune(",;:—–)؛،", r):
			if j < sp.End {
				if next, _ := utf8.DecodeRuneInString(t[j:]); unicode.IsSpace(next) {
					cuts = append(cuts, j)
				}
			}
		}
		i = j
	}
	return cuts
}

// wordCuts are after runs of white space, and between characters of
// scripts written without spaces (Han, kana, Thai) unless punctuation follows.
func (s *splitter) wordCuts(sp Span) []int {
	var cuts []int
	t := s.text[:sp.End]
	for i := sp.Start; i < sp.End; {
		r, w := utf8.DecodeRuneInString(t[i:])
		j := i + w
		if unicode.IsSpace(r) {
			for j < sp.End {
				r2, w2 := utf8.DecodeRuneInString(t[j:])
				if !unicode.IsSpace(r2) {
					break
				}
				j += w2
			}
			cuts = append(cuts, j)
		} else if isUnspaced(r) && j < sp.End {
			next, _ := utf8.DecodeRuneInString(t[j:])
			if !unicode.IsPunct(next) && !isGlue(next) && !unicode.IsSpace(next) {
				cuts = append(cuts, j)
			}
		}
		i = j
	}
	return cuts
}

// isUnspaced reports letters of scripts that do not put spaces between words.
func isUnspaced(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao,
		unicode.Khmer, unicode.Myanmar, unicode.Tibetan)
}

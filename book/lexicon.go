package book

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"chorus/export"
	"chorus/providers"
)

// Entry replaces a word (or phrase) by how it should be said: a plain
// respelling, phonemes, or phonemes with a respelling for the voices that
// cannot take them.
type Entry struct {
	Word        string
	Replacement string // plain respelling; with phonemes, the fallback ("" for none)
	IPA         string // phonemes in IPA, sent as SSML to voices that read it
	Espeak      string // phonemes in espeak-ng's alphabet, sent as [[…]] to espeak-ng
	MatchCase   bool   // only when written exactly so; else any case
}

// HasPhonemes says whether the entry gives phonemes.
func (e Entry) HasPhonemes() bool { return e.IPA != "" || e.Espeak != "" }

// Lexicon is a list of replacements, applied in order, whole words only.
type Lexicon []Entry

// ParseLexicon reads lines "word = replacement" (any case) or
// "word == replacement" (this case only); # starts a comment. The
// replacement may start with phonemes: /IPA/ and [[espeak phonemes]], then
// the respelling for voices that take neither, e.g.
//
//	tomato = /təˈmɑːtoʊ/ [[t@m'A:toU]] tuh-MAH-toe
func ParseLexicon(r io.Reader) (Lexicon, error) {
	var lx Lexicon
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		exact := strings.Contains(l, "==")
		sep := "="
		if exact {
			sep = "=="
		}
		w, rep, ok := strings.Cut(l, sep)
		if !ok || strings.TrimSpace(w) == "" {
			return nil, fmt.Errorf("lexicon line %d: %q; write word = replacement, or word == replacement to match the case exactly", n, l)
		}
		e, err := ParseEntry(w, rep, exact)
		if err != nil {
			return nil, fmt.Errorf("lexicon line %d: %w", n, err)
		}
		lx = append(lx, e)
	}
	return lx, sc.Err()
}

// ParseEntry reads one entry's word and what follows its = sign:
// optional /IPA/ and [[espeak]] phonemes, then the respelling.
func ParseEntry(word, replacement string, matchCase bool) (Entry, error) {
	e := Entry{Word: strings.TrimSpace(word), MatchCase: matchCase}
	rest := strings.TrimSpace(replacement)
	for {
		switch {
		case strings.HasPrefix(rest, "/"):
			end := strings.Index(rest[1:], "/")
			if end < 0 {
				return e, fmt.Errorf("%q: the IPA has no closing /; write %s = /IPA/ respelling", e.Word, e.Word)
			}
			if e.IPA != "" {
				return e, fmt.Errorf("%q has IPA twice; give one /…/", e.Word)
			}
			e.IPA = strings.TrimSpace(rest[1 : 1+end])
			if e.IPA == "" {
				return e, fmt.Errorf("%q: the IPA between the slashes is empty; write %s = /IPA/ respelling", e.Word, e.Word)
			}
			rest = strings.TrimSpace(rest[2+end:])
			continue
		case strings.HasPrefix(rest, "[["):
			end := strings.Index(rest, "]]")
			if end < 0 {
				return e, fmt.Errorf("%q: the espeak phonemes have no closing ]]; write %s = [[phonemes]] respelling", e.Word, e.Word)
			}
			if e.Espeak != "" {
				return e, fmt.Errorf("%q has espeak phonemes twice; give one [[…]]", e.Word)
			}
			e.Espeak = strings.TrimSpace(rest[2:end])
			if e.Espeak == "" || strings.Contains(e.Espeak, "[[") {
				return e, fmt.Errorf("%q: write the espeak phonemes once between [[ and ]]", e.Word)
			}
			rest = strings.TrimSpace(rest[end+2:])
			continue
		}
		break
	}
	e.Replacement = rest
	return e, nil
}

// LoadLexicon reads a lexicon file.
func LoadLexicon(path string) (Lexicon, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseLexicon(f)
}

// Merge returns the global entries followed by the document's: a document
// entry for the same word wins.
func Merge(global, doc Lexicon) Lexicon {
	over := map[string]bool{}
	for _, e := range doc {
		over[strings.ToLower(e.Word)] = true
	}
	var out Lexicon
	for _, e := range global {
		if !over[strings.ToLower(e.Word)] {
			out = append(out, e)
		}
	}
	return append(out, doc...)
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

// Apply replaces whole-word occurrences of each entry in text by its
// respelling, for a voice that takes no phonemes; it fails like ApplyFor.
func (lx Lexicon) Apply(text string) (string, error) { return lx.ApplyFor(text, nil, "this voice") }

// piece is a stretch of the text being rewritten: plain text, or phonemes
// already written for the provider (never matched again, never escaped).
type piece struct {
	s   string
	lit bool
}

// ApplyFor replaces whole-word occurrences of each entry in text for a
// voice that reads the given phoneme alphabets (providers.PhonemesIPA,
// providers.PhonemesEspeak): IPA becomes an SSML phoneme tag around the
// word (and the rest of the text is escaped as SSML wants), espeak
// phonemes become [[…]], and otherwise the respelling is used. An entry
// found in the text with phonemes the voice cannot take and no respelling
// is an error naming the word; voice names the voice in it.
func (lx Lexicon) ApplyFor(text string, alphabets []string, voice string) (string, error) {
	ipa := slices.Contains(alphabets, providers.PhonemesIPA)
	espeak := slices.Contains(alphabets, providers.PhonemesEspeak)
	ps := []piece{{s: text}}
	ssml := false
	for _, e := range lx {
		if !e.HasPhonemes() && (strings.HasPrefix(e.Replacement, "/") || strings.HasPrefix(e.Replacement, "[[")) {
			// A [say: …] line of a script: its phonemes are read here.
			pe, err := ParseEntry(e.Word, e.Replacement, e.MatchCase)
			if err != nil {
				return "", err
			}
			e = pe
		}
		pat := regexp.QuoteMeta(e.Word)
		if !e.MatchCase {
			pat = "(?i)" + pat
		}
		re, err := regexp.Compile(pat)
		if err != nil {
			continue
		}
		var out []piece
		plain := func(s string) {
			if n := len(out); n > 0 && !out[n-1].lit {
				out[n-1].s += s
				return
			}
			out = append(out, piece{s: s})
		}
		for _, p := range ps {
			if p.lit {
				out = append(out, p)
				continue
			}
			last := 0
			for _, m := range re.FindAllStringIndex(p.s, -1) {
				before, _ := utf8.DecodeLastRuneInString(p.s[:m[0]])
				after, _ := utf8.DecodeRuneInString(p.s[m[1]:])
				if (m[0] > 0 && isWordRune(before)) || (m[1] < len(p.s) && isWordRune(after)) {
					continue
				}
				plain(p.s[last:m[0]])
				word := p.s[m[0]:m[1]]
				switch {
				case ipa && e.IPA != "":
					out = append(out, piece{lit: true, s: `<phoneme alphabet="ipa" ph="` + attrEscape(e.IPA) + `">` + xmlEscape(word) + `</phoneme>`})
					ssml = true
				case espeak && e.Espeak != "":
					out = append(out, piece{lit: true, s: "[[" + e.Espeak + "]]"})
				case e.Replacement != "" || !e.HasPhonemes():
					plain(e.Replacement)
				default:
					return "", noPhonemes(e, voice, ipa || espeak)
				}
				last = m[1]
			}
			plain(p.s[last:])
		}
		ps = out
	}
	var b strings.Builder
	for _, p := range ps {
		if ssml && !p.lit {
			b.WriteString(xmlEscape(p.s))
		} else {
			b.WriteString(p.s)
		}
	}
	return b.String(), nil
}

// noPhonemes explains an entry whose phonemes the voice cannot take.
func noPhonemes(e Entry, voice string, some bool) error {
	has := "IPA"
	if e.IPA == "" {
		has = "espeak phonemes"
	} else if e.Espeak != "" {
		has = "IPA and espeak phonemes"
	}
	takes := "takes no phonemes"
	if some {
		takes = "takes other phonemes"
	}
	fix := e
	fix.Replacement = "respelling"
	return fmt.Errorf("%w: %q has only %s, and %s %s; add how to spell it for this voice after them, e.g. %s",
		ErrNoPhonemes, e.Word, has, voice, takes, strings.TrimSpace(Lexicon{fix}.Text()))
}

// ErrNoPhonemes marks a lexicon entry the voice cannot say: phonemes it
// does not read and no respelling.
var ErrNoPhonemes = errors.New("a pronunciation cannot be used with this voice")

var (
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
)

// xmlEscape escapes text for SSML; attrEscape escapes an attribute value.
func xmlEscape(s string) string  { return textEscaper.Replace(s) }
func attrEscape(s string) string { return attrEscaper.Replace(s) }

// GlobalLexiconPath is the user's own pronunciation list, applied to every
// render: os.UserConfigDir()/chorus/lexicon.txt.
func GlobalLexiconPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the config folder (%w); set $HOME or $XDG_CONFIG_HOME", err)
	}
	return filepath.Join(dir, "chorus", "lexicon.txt"), nil
}

// LoadGlobalLexicon reads the user's pronunciation list; a missing file is
// an empty list. It also returns the file's text, for an editor.
func LoadGlobalLexicon() (Lexicon, string, error) {
	path, err := GlobalLexiconPath()
	if err != nil {
		return nil, "", err
	}
	return LoadLexiconFile(path)
}

// LoadLexiconFile reads a lexicon file and its text; a missing file is an
// empty lexicon.
func LoadLexiconFile(path string) (Lexicon, string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	lx, err := ParseLexicon(strings.NewReader(string(b)))
	if err != nil {
		return nil, string(b), fmt.Errorf("%s: %w", path, err)
	}
	return lx, string(b), nil
}

// SaveLexiconText checks text as a lexicon and, only if it reads, writes
// it to path atomically (the folder is created). Nothing is written when a
// line is wrong: the error names it.
func SaveLexiconText(path, text string) (Lexicon, error) {
	lx, err := ParseLexicon(strings.NewReader(text))
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	if !strings.HasSuffix(text, "\n") && text != "" {
		text += "\n"
	}
	return lx, export.WriteFile(path, []byte(text), true)
}

// Text writes the lexicon in the form ParseLexicon reads.
func (lx Lexicon) Text() string {
	var b strings.Builder
	for _, e := range lx {
		sep := "="
		if e.MatchCase {
			sep = "=="
		}
		parts := []string{e.Word, sep}
		if e.IPA != "" {
			parts = append(parts, "/"+e.IPA+"/")
		}
		if e.Espeak != "" {
			parts = append(parts, "[["+e.Espeak+"]]")
		}
		if e.Replacement != "" {
			parts = append(parts, e.Replacement)
		}
		fmt.Fprintln(&b, strings.Join(parts, " "))
	}
	return b.String()
}

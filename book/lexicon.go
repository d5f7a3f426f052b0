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
	"strings"
	"unicode"
	"unicode/utf8"

	"chorus/export"
)

// Entry replaces a word (or phrase) by how it should be said.
type Entry struct {
	Word        string
	Replacement string
	MatchCase   bool // only when written exactly so; else any case
}

// Lexicon is a list of replacements, applied in order, whole words only.
type Lexicon []Entry

// ParseLexicon reads lines "word = replacement" (any case) or
// "word == replacement" (this case only); # starts a comment.
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
		lx = append(lx, Entry{Word: strings.TrimSpace(w), Replacement: strings.TrimSpace(rep), MatchCase: exact})
	}
	return lx, sc.Err()
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

// Apply replaces whole-word occurrences of each entry in text.
func (lx Lexicon) Apply(text string) string {
	for _, e := range lx {
		pat := regexp.QuoteMeta(e.Word)
		if !e.MatchCase {
			pat = "(?i)" + pat
		}
		re, err := regexp.Compile(pat)
		if err != nil {
			continue
		}
		var b strings.Builder
		last := 0
		for _, m := range re.FindAllStringIndex(text, -1) {
			before, _ := utf8.DecodeLastRuneInString(text[:m[0]])
			after, _ := utf8.DecodeRuneInString(text[m[1]:])
			if (m[0] > 0 && isWordRune(before)) || (m[1] < len(text) && isWordRune(after)) {
				continue
			}
			b.WriteString(text[last:m[0]])
			b.WriteString(e.Replacement)
			last = m[1]
		}
		b.WriteString(text[last:])
		text = b.String()
	}
	return text
}

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
		fmt.Fprintf(&b, "%s %s %s\n", e.Word, sep, e.Replacement)
	}
	return b.String()
}

// Package documents reads the files people want spoken (.txt, .md, .html,
// .epub, .docx, .odt, .pdf, .srt, .vtt) into chapters of text normalised for
// speech the same way whatever the format.
package documents

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Chapter is one part of a document, in reading order.
type Chapter struct {
	Title string // from the document (navigation, heading); may be empty
	Text  string // normalised for speech
}

// Document is what a reader found in a file.
type Document struct {
	Title    string
	Author   string
	Chapters []Chapter
	Path     string // the file it was read from
}

// Text is the whole document as one text, chapters separated by blank lines.
func (d *Document) Text() string {
	var parts []string
	for _, c := range d.Chapters {
		if strings.TrimSpace(c.Text) != "" {
			parts = append(parts, c.Text)
		}
	}
	return strings.Join(parts, "\n\n")
}

// Options choose what the normalisation speaks.
type Options struct {
	SpeakURLs bool // read web addresses aloud instead of leaving them out
	SpeakCode bool // read code blocks aloud instead of leaving them out
}

// kind is the role of a block of text in a document.
type kind int

const (
	para kind = iota
	heading
	item      // list item
	row       // table row; cells in cells
	code      // preformatted code
	brk       // chapter break (a line with only ---)
	chapterT  // start of a chapter with a title from navigation (EPUB)
	directive // a [voice: …], [pause …], [cast: …] or [say: …] line, kept as it is
)

type block struct {
	kind  kind
	level int // heading level 1..6
	text  string
	cells []string
}

type reader func(ctx context.Context, path string) (*parsed, error)

type parsed struct {
	title, author string
	blocks        []block
}

// readers maps each extension to its reader: the one table of formats.
var readers = map[string]reader{
	".txt":      readTxtFile,
	".text":     readTxtFile,
	".md":       readMarkdownFile,
	".markdown": readMarkdownFile,
	".html":     readHTMLFile,
	".htm":      readHTMLFile,
	".xhtml":    readHTMLFile,
	".epub":     readEPUB,
	".docx":     readDOCX,
	".odt":      readODT,
	".pdf":      readPDF,
	".srt":      readSubtitles,
	".vtt":      readSubtitles,
}

// Extensions lists the file extensions Open reads, sorted, with the dot.
func Extensions() []string {
	var out []string
	for e := range readers {
		out = append(out, e)
	}
	sort.Strings(out)
	return out
}

// Supported says whether Open reads files with this path's extension.
func Supported(path string) bool {
	_, ok := readers[strings.ToLower(filepath.Ext(path))]
	return ok
}

// MaxBytes bounds how much of a file a reader takes in.
const MaxBytes = 200 << 20

// Open reads the file at path into chapters normalised for speech.
func Open(ctx context.Context, path string, opt Options) (*Document, error) {
	ext := strings.ToLower(filepath.Ext(path))
	r, ok := readers[ext]
	if !ok {
		return nil, fmt.Errorf("chorus cannot read %q files; it reads %s", ext, strings.Join(Extensions(), " "))
	}
	if st, err := os.Stat(path); err != nil {
		return nil, err
	} else if st.Size() > MaxBytes {
		return nil, fmt.Errorf("%s is larger than %d MB", filepath.Base(path), MaxBytes>>20)
	}
	p, err := r(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	d := &Document{Title: p.title, Author: p.author, Chapters: chapters(p.blocks, opt), Path: path}
	if d.Title == "" {
		d.Title = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	return d, nil
}

func readAll(path string) (string, error) {
	b, err := os.ReadFile(path)
	return string(b), err
}

// chapters groups blocks into chapters: at an EPUB chapter start, at a
// chapter break, and at each heading of the top level used in the document.
func chapters(bs []block, opt Options) []Chapter {
	top := 7
	for _, b := range bs {
		if b.kind == chapterT {
			top = 0 // navigation names the chapters; headings do not split
			break
		}
		if b.kind == heading && b.level < top {
			top = b.level
		}
	}
	var out []Chapter
	var cur *Chapter
	var lines []string
	flush := func() {
		if cur != nil || len(lines) > 0 {
			if cur == nil {
				cur = &Chapter{}
			}
			cur.Text = strings.Join(lines, "\n\n")
			if cur.Text != "" || cur.Title != "" {
				out = append(out, *cur)
			}
		}
		cur, lines = nil, nil
	}
	for _, b := range bs {
		switch {
		case b.kind == chapterT:
			flush()
			cur = &Chapter{Title: clean(b.text, opt)}
			continue
		case b.kind == brk:
			flush()
			continue
		case b.kind == heading && b.level == top:
			t := clean(b.text, opt)
			if cur != nil && cur.Title != "" && len(lines) == 0 && strings.EqualFold(t, cur.Title) {
				lines = append(lines, sentence(t))
				continue // the EPUB file's own heading repeats its nav title
			}
			if cur != nil && cur.Title == "" && len(lines) == 0 {
				cur.Title = t
			} else {
				flush()
				cur = &Chapter{Title: t}
			}
		}
		if s := speak(b, opt); s != "" {
			lines = append(lines, s)
		}
	}
	flush()
	return out
}

// speak turns one block into the words that should be heard.
func speak(b block, opt Options) string {
	switch b.kind {
	case directive:
		return b.text
	case code:
		if !opt.SpeakCode {
			return ""
		}
		return sentence(strings.Join(strings.Fields(b.text), " "))
	case row:
		var cells []string
		for _, c := range b.cells {
			if c = clean(c, opt); c != "" {
				cells = append(cells, strings.TrimRight(c, ".,;"))
			}
		}
		if len(cells) == 0 {
			return ""
		}
		return strings.Join(cells, ", ") + "."
	default:
		return sentence(clean(b.text, opt))
	}
}

var (
	urlRe   = regexp.MustCompile(`\b(?:https?://|www\.)[^\s<>()]+[^\s<>().,;:!?'"]`)
	spaceRe = regexp.MustCompile(`\s+`)
)

// directiveRe matches the script lines of package book, which pass through
// unchanged so that a multi-voice script survives being opened.
var directiveRe = regexp.MustCompile(`(?i)^\[\s*(voice|pause|cast|say|say exact)\b[^\]]*\]$`)

// clean collapses white space and leaves out web addresses unless asked.
func clean(s string, opt Options) string {
	if !opt.SpeakURLs {
		s = urlRe.ReplaceAllString(s, "")
		s = strings.ReplaceAll(s, "()", "")
	}
	s = spaceRe.ReplaceAllString(s, " ")
	return strings.TrimSpace(s)
}

// sentence ends a heading or list item with a full stop so that a voice
// pauses after it instead of running on into the next line.
func sentence(s string) string {
	if s == "" {
		return ""
	}
	switch s[len(s)-1] {
	case '.', '!', '?', ':', ';', '"', '\'', ')':
		return s
	}
	if strings.HasSuffix(s, "…") || strings.HasSuffix(s, "”") || strings.HasSuffix(s, "’") {
		return s
	}
	return s + "."
}

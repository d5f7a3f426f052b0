package documents

import (
	"context"
	"regexp"
	"strings"
)

func readTxtFile(_ context.Context, path string) (*parsed, error) {
	s, err := readAll(path)
	if err != nil {
		return nil, err
	}
	return &parsed{blocks: plainBlocks(s)}, nil
}

// plainBlocks splits plain text into paragraphs at blank lines; a line with
// only --- is a chapter break.
func plainBlocks(s string) []block {
	var bs []block
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			bs = append(bs, block{kind: para, text: strings.Join(cur, " ")})
			cur = nil
		}
	}
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(l)
		switch {
		case directiveRe.MatchString(t):
			flush()
			bs = append(bs, block{kind: directive, text: t})
		case t == "---":
			flush()
			bs = append(bs, block{kind: brk})
		case t == "":
			flush()
		default:
			cur = append(cur, t)
		}
	}
	flush()
	return bs
}

func readMarkdownFile(_ context.Context, path string) (*parsed, error) {
	s, err := readAll(path)
	if err != nil {
		return nil, err
	}
	return &parsed{blocks: markdownBlocks(s)}, nil
}

var (
	mdHeading = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)
	mdItem    = regexp.MustCompile(`^\s*(?:[-*+]|\d+[.)])\s+(.*)$`)
	mdImage   = regexp.MustCompile(`!\[[^\]]*\]\([^)]*\)`)
	mdLink    = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	mdEmph    = regexp.MustCompile("(\\*\\*|__|\\*|`|~~)")
	mdTableSp = regexp.MustCompile(`^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$`)
	mdSetext1 = regexp.MustCompile(`^=+$`)
)

// inlineMD reduces inline Markdown to its words.
func inlineMD(s string) string {
	s = mdImage.ReplaceAllString(s, "")
	s = mdLink.ReplaceAllString(s, "$1")
	s = mdEmph.ReplaceAllString(s, "")
	return s
}

// markdownBlocks reads the Markdown that matters for speech: headings,
// paragraphs, lists, tables, fenced code and --- breaks.
func markdownBlocks(s string) []block {
	var bs []block
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			bs = append(bs, block{kind: para, text: inlineMD(strings.Join(cur, " "))})
			cur = nil
		}
	}
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		switch {
		case directiveRe.MatchString(t):
			flush()
			bs = append(bs, block{kind: directive, text: t})
		case strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~"):
			flush()
			fence := t[:3]
			var body []string
			for i++; i < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[i]), fence); i++ {
				body = append(body, lines[i])
			}
			bs = append(bs, block{kind: code, text: strings.Join(body, "\n")})
		case t == "---" || t == "***" || t == "___":
			flush()
			bs = append(bs, block{kind: brk})
		case t == "":
			flush()
		case mdHeading.MatchString(t):
			flush()
			m := mdHeading.FindStringSubmatch(t)
			bs = append(bs, block{kind: heading, level: len(m[1]), text: inlineMD(m[2])})
		case len(cur) == 1 && mdSetext1.MatchString(t):
			bs = append(bs, block{kind: heading, level: 1, text: inlineMD(cur[0])})
			cur = nil
		case strings.HasPrefix(t, "|"):
			flush()
			if mdTableSp.MatchString(t) {
				continue
			}
			var cells []string
			for _, c := range strings.Split(strings.Trim(t, "|"), "|") {
				cells = append(cells, inlineMD(strings.TrimSpace(c)))
			}
			bs = append(bs, block{kind: row, cells: cells})
		case mdItem.MatchString(lines[i]):
			flush()
			bs = append(bs, block{kind: item, text: inlineMD(mdItem.FindStringSubmatch(lines[i])[1])})
		case strings.HasPrefix(t, ">"):
			cur = append(cur, strings.TrimSpace(strings.TrimLeft(t, ">")))
		default:
			cur = append(cur, t)
		}
	}
	flush()
	return bs
}

var (
	cueTiming = regexp.MustCompile(`-->`)
	cueTag    = regexp.MustCompile(`<[^>]*>`)
)

// readSubtitles reads .srt and .vtt cues: each cue becomes one paragraph.
func readSubtitles(_ context.Context, path string) (*parsed, error) {
	s, err := readAll(path)
	if err != nil {
		return nil, err
	}
	s = strings.TrimPrefix(strings.ReplaceAll(s, "\r\n", "\n"), "\ufeff")
	var bs []block
	for _, cue := range strings.Split(s, "\n\n") {
		lines := strings.Split(strings.TrimSpace(cue), "\n")
		if len(lines) == 0 || strings.HasPrefix(lines[0], "WEBVTT") || strings.HasPrefix(lines[0], "NOTE") ||
			strings.HasPrefix(lines[0], "STYLE") || strings.HasPrefix(lines[0], "REGION") {
			continue
		}
		var text []string
		timed := false
		for _, l := range lines {
			l = strings.TrimSpace(l)
			switch {
			case cueTiming.MatchString(l):
				timed = true
			case !timed:
				// the cue's number or identifier
			case l != "":
				text = append(text, cueTag.ReplaceAllString(l, ""))
			}
		}
		if timed && len(text) > 0 {
			bs = append(bs, block{kind: para, text: strings.Join(text, " ")})
		}
	}
	return &parsed{blocks: bs}, nil
}

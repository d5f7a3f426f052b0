package codec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"chorus/audio"
)

// Sniff identifies encoded audio from its first bytes (12 or more give the
// best answer). It recognises WAV, Ogg Opus, FLAC, MP3 (with or without an
// ID3 tag) and AAC in ADTS frames. Headerless PCM, mu-law and A-law cannot be
// recognised, so they always return false.
func Sniff(head []byte) (audio.Encoding, bool) {
	switch {
	case len(head) >= 12 && (string(head[:4]) == "RIFF" || string(head[:4]) == "RF64") && string(head[8:12]) == "WAVE":
		return audio.WAV, true
	case len(head) >= 4 && string(head[:4]) == "OggS":
		if len(head) >= 36 && string(head[28:36]) != "OpusHead" {
			return "", false // Ogg, but Vorbis or something else
		}
		return audio.Opus, true
	case len(head) >= 4 && string(head[:4]) == "fLaC":
		return audio.FLAC, true
	case len(head) >= 3 && string(head[:3]) == "ID3":
		return audio.MP3, true
	case len(head) >= 2 && head[0] == 0xFF && head[1]&0xF6 == 0xF0:
		return audio.AAC, true // ADTS: 12-bit sync, layer 00
	case len(head) >= 2 && head[0] == 0xFF && head[1]&0xE0 == 0xE0 && (head[1]>>1)&3 == 1:
		return audio.MP3, true // MPEG audio sync, layer III
	}
	return "", false
}

// CheckAudio returns nil if head, the first bytes of a response, plausibly is
// audio in the claimed encoding. Otherwise it returns an error that says what
// came back instead: an empty body, an HTML page (with its title), a JSON
// body (with its message), plain text, a header cut short, or audio in a
// different encoding. An empty claimed encoding (not known yet) accepts any
// binary data and rules out only an empty body and text.
func CheckAudio(head []byte, claimed audio.Encoding) error {
	if claimed == "" {
		// Container not known yet: only rule out nothing and error bodies.
		if len(head) == 0 {
			return errors.New("the response was empty: no audio came back")
		}
		if _, ok := Sniff(head); ok {
			return nil
		}
		if err := describeNonAudio(head, ""); err != nil {
			return err
		}
		if what := TextKind(head); what != "" {
			return notAudio(what, "", "", clip(printable(head), 200))
		}
		return nil
	}
	if len(head) == 0 {
		return fmt.Errorf("the response was empty: no %s audio came back", describe(claimed))
	}
	if err := describeNonAudio(head, claimed); err != nil {
		return err
	}
	got, ok := Sniff(head)
	if Headerless(claimed) {
		if ok && (got != audio.MP3 || len(head) >= 3 && string(head[:3]) == "ID3") {
			// A raw stream cannot start with a container header by chance
			// (a bare MPEG sync word can, so that one is let through).
			return fmt.Errorf("expected headerless %s but got a %s file: ask the provider for %s, or decode it as %s", describe(claimed), describe(got), describe(claimed), got)
		}
		return nil
	}
	if ok {
		if got == claimed {
			return nil
		}
		return fmt.Errorf("expected %s audio but got %s: decode it as %s instead", describe(claimed), describe(got), got)
	}
	if magic := magicOf(claimed); magic != "" && len(head) < len(magic) && strings.HasPrefix(magic, string(head)) {
		return fmt.Errorf("the %s header was cut off: only %s", describe(claimed), plural(len(head), "byte", "arrived", "arrived"))
	}
	if claimed == audio.WAV && len(head) < 12 && (bytes.HasPrefix(head, []byte("RIFF")) || bytes.HasPrefix(head, []byte("RF64"))) {
		return fmt.Errorf("the WAV header was cut off: only %s", plural(len(head), "byte", "arrived", "arrived"))
	}
	if claimed == audio.Opus && len(head) >= 36 && string(head[:4]) == "OggS" {
		return fmt.Errorf("expected Ogg Opus but the Ogg stream holds %q: only Opus is supported in Ogg", printable(head[28:36]))
	}
	return fmt.Errorf("the data is not %s audio (it starts with % x)", describe(claimed), head[:min(len(head), 8)])
}

// magicOf returns the bytes every stream of enc starts with, if any.
func magicOf(enc audio.Encoding) string {
	f, _ := entry(enc)
	return f.Magic
}

var (
	titleRE   = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	h1RE      = regexp.MustCompile(`(?is)<h1[^>]*>(.*?)</h1>`)
	tagRE     = regexp.MustCompile(`(?s)<[^>]*>`)
	jsonMsgRE = regexp.MustCompile(`"(?:message|detail|error_description|error|msg|status)"\s*:\s*"((?:[^"\\]|\\.)*)"`)
)

// looksLikeText reports whether head starts like a markup or JSON error
// body rather than audio samples.
func looksLikeText(head []byte) bool {
	t := bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf")
	if len(t) < 2 {
		return false
	}
	switch t[0] {
	case '<':
		c := t[1]
		return c == '!' || c == '?' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	case '{':
		return t[1] == '"' || t[1] == '\n' || t[1] == '\r' || t[1] == ' ' || t[1] == '}'
	case '[':
		return t[1] == '{' || t[1] == '"' || t[1] == ']'
	}
	return false
}

// describeNonAudio returns an error describing head when it is an HTML,
// XML, JSON or plain-text body; nil when it may be audio. For headerless
// encodings, whose quiet samples can be printable bytes (A-law silence is
// "UUUU…"), plain text counts only when it reads like words (isProse).
func describeNonAudio(head []byte, claimed audio.Encoding) error {
	what, detail, ok := textBody(head, Headerless(claimed))
	if !ok {
		return nil
	}
	return notAudio(what, claimed, "", detail)
}

// notAudio builds the one message for a body that is not audio: "the
// provider sent <what> instead of <claimed> audio (<note>): <detail>".
func notAudio(what string, claimed audio.Encoding, note, detail string) error {
	want := "audio"
	if claimed != "" {
		want = describe(claimed) + " audio"
	}
	msg := fmt.Sprintf("the provider sent %s instead of %s", what, want)
	if note != "" {
		msg += " (" + note + ")"
	}
	if detail != "" {
		msg += ": " + detail
	}
	return errors.New(msg)
}

// textBody says what head holds when it is an error body rather than audio:
// what ("JSON", "an HTML page", "an XML document", "text") and detail (the
// message or a short excerpt, possibly empty). ok is false when head may be
// audio. strict demands that plain text read like words.
func textBody(head []byte, strict bool) (what, detail string, ok bool) {
	if !looksLikeText(head) {
		if _, sniffed := Sniff(head); sniffed || !isPlainText(head) || strict && !isProse(head) {
			return "", "", false
		}
		return "text", strconv.Quote(clip(printable(head), 200)), true
	}
	t := bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf")
	switch t[0] {
	case '<':
		lower := bytes.ToLower(t[:min(len(t), 512)])
		if bytes.HasPrefix(lower, []byte("<?xml")) && !bytes.Contains(lower, []byte("<html")) {
			return "an XML document", strconv.Quote(clip(textOf(t), 200)), true
		}
		title := ""
		if m := titleRE.FindSubmatch(t); m != nil {
			title = textOf(m[1])
		} else if m := h1RE.FindSubmatch(t); m != nil {
			title = textOf(m[1])
		}
		if title != "" {
			return fmt.Sprintf("an HTML page titled %q", clip(title, 200)), "an error page from the server or a proxy", true
		}
		return "an HTML page", strconv.Quote(clip(textOf(t), 200)), true
	}
	if msg := jsonMessage(t); msg != "" {
		return "JSON", clip(msg, 300), true
	}
	return "JSON", clip(printable(t), 200), true
}

// TextKind names what head, the first bytes of a body, holds when all of it
// is text ("JSON", "an HTML page", "XML or HTML", "text", "only blank
// text"), or returns "" for binary data. It is the test for bodies whose
// kind is not known (an error body, a framing that carried no audio);
// CheckAudio and CheckRaw decide about audio.
func TextKind(head []byte) string {
	for i := 0; i < len(head); {
		r, size := utf8.DecodeRune(head[i:])
		if r == utf8.RuneError && size == 1 && len(head)-i > 3 {
			return "" // not UTF-8 (a rune cut off at the very end is fine)
		}
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7F {
			return ""
		}
		i += size
	}
	t := bytes.TrimSpace(head)
	switch {
	case len(t) == 0:
		return "only blank text"
	case t[0] == '{' || t[0] == '[':
		return "JSON"
	case t[0] == '<' && bytes.Contains(bytes.ToLower(t), []byte("html")):
		return "an HTML page"
	case t[0] == '<':
		return "XML or HTML"
	}
	return "text"
}

// isProse reports whether head, already known to be plain text, reads like
// words: 16 bytes or more holding at least two words of two or more
// letters separated by spaces. Printable runs of headerless samples have no
// spaces between letters.
func isProse(head []byte) bool {
	if len(head) < 16 {
		return false
	}
	words := 0
	for _, f := range strings.Fields(string(head)) {
		letters := 0
		for _, r := range f {
			if unicode.IsLetter(r) {
				letters++
			}
		}
		if letters >= 2 {
			words++
		}
	}
	return words >= 2
}

// jsonMessage extracts the most telling message from a JSON error body,
// which may be truncated.
func jsonMessage(b []byte) string {
	var v any
	if json.Unmarshal(b, &v) == nil {
		if m := findMessage(v, 0); m != "" {
			return m
		}
	}
	if m := jsonMsgRE.FindSubmatch(b); m != nil {
		var s string
		if json.Unmarshal(append(append([]byte{'"'}, m[1]...), '"'), &s) == nil {
			return s
		}
		return string(m[1])
	}
	return ""
}

// findMessage looks for a human-readable message in decoded JSON.
func findMessage(v any, depth int) string {
	if depth > 4 {
		return ""
	}
	switch x := v.(type) {
	case map[string]any:
		for _, k := range []string{"message", "detail", "error_description", "msg", "error", "status"} {
			switch y := x[k].(type) {
			case string:
				if y != "" {
					return y
				}
			case map[string]any, []any:
				if m := findMessage(y, depth+1); m != "" {
					return m
				}
			}
		}
	case []any:
		for _, y := range x {
			if m := findMessage(y, depth+1); m != "" {
				return m
			}
		}
	}
	return ""
}

// isPlainText reports whether head is readable text (at least 8 bytes of
// valid UTF-8 with no control characters other than whitespace).
func isPlainText(head []byte) bool {
	if len(head) < 8 {
		return false
	}
	// A truncated multi-byte rune at the end is fine.
	for i := 0; i < len(head); {
		r, n := utf8.DecodeRune(head[i:])
		if r == utf8.RuneError && n <= 1 && len(head)-i > 3 {
			return false
		}
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' {
			return false
		}
		if r == 0x7F {
			return false
		}
		i += n
	}
	return true
}

// textOf strips tags and collapses whitespace in an HTML fragment.
func textOf(b []byte) string {
	s := html.UnescapeString(string(tagRE.ReplaceAll(b, []byte(" "))))
	return strings.Join(strings.Fields(s), " ")
}

// printable renders b for a message, replacing control bytes.
func printable(b []byte) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7F {
			return ' '
		}
		return r
	}, s)), " ")
}

// clip shortens s to at most n runes, marking the cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// badStart builds the error for a stream whose first bytes are not the
// expected header. It reads up to 1 KiB more so a text error body can be
// quoted, then lets CheckAudio describe it. readErr is the error that cut
// the header short, if any.
func badStart(r io.Reader, head []byte, claimed audio.Encoding, readErr error) error {
	if readErr != nil && !errors.Is(readErr, io.EOF) && !errors.Is(readErr, io.ErrUnexpectedEOF) {
		return fmt.Errorf("codec: reading the %s header failed after %s: %w", describe(claimed), plural(len(head), "byte"), readErr)
	}
	buf := append([]byte(nil), head...)
	if readErr == nil && (looksLikeText(head) || isPlainText(head)) {
		more := make([]byte, 1024)
		n, _ := io.ReadFull(r, more)
		buf = append(buf, more[:n]...)
	}
	if err := CheckAudio(buf, claimed); err != nil {
		return fmt.Errorf("codec: %w", err)
	}
	if readErr != nil {
		return fmt.Errorf("codec: the %s header was cut off: only %s", describe(claimed), plural(len(head), "byte", "arrived", "arrived"))
	}
	return fmt.Errorf("codec: the data is not %s audio (it starts with % x)", describe(claimed), head[:min(len(head), 8)])
}

// plural writes n and unit with an s when n is not 1, then verb in the
// matching number when given (singular, plural): plural(1, "stray byte",
// "was", "were") is "1 stray byte was".
func plural[N int | int64](n N, unit string, verb ...string) string {
	s := fmt.Sprintf("%d %s", n, unit)
	if n != 1 {
		s += "s"
	}
	if len(verb) == 2 {
		if n == 1 {
			s += " " + verb[0]
		} else {
			s += " " + verb[1]
		}
	}
	return s
}

// were is "was" for 1 and "were" otherwise.
func were[N int | int64](n N) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

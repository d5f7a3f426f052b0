package httpx

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"chorus/audio"
	"chorus/audio/codec"
)

// headSize is how many bytes of a response are read and checked before the
// caller gets the stream: every container magic number, and the 36 bytes
// codec.CheckAudio needs to tell Ogg Opus from other Ogg streams.
const headSize = 64

// checkAudio reports, in words, why head cannot be the start of claimed
// audio. It uses codec.CheckAudio; an empty claimed (the container is not
// known yet) only rules out an empty body and text.
func checkAudio(head []byte, claimed audio.Encoding) error {
	if claimed != "" {
		return codec.CheckAudio(head, claimed)
	}
	if len(head) == 0 {
		return fmt.Errorf("the server sent an empty response instead of audio")
	}
	if what := textKind(head); what != "" {
		return fmt.Errorf("the server sent %s instead of audio", what)
	}
	return nil
}

// textKind names what head holds when it is text ("JSON", "an HTML page",
// "XML", "text"), or returns "" for binary data. Audio, even headerless
// PCM, practically never has 16 printable bytes in a row at its start.
func textKind(head []byte) string {
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

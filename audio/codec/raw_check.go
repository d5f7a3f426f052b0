package codec

import (
	"mime"
	"strconv"
	"strings"

	"chorus/audio"
)

// CheckRaw guards the headerless encodings (raw PCM, mu-law, A-law), which
// no magic number identifies: a response body claimed to be one of them is
// refused when its Content-Type says text, JSON or XML, or when its first
// bytes are readable text (an error message sent with status 200). framed is
// true when the body is a framing (SSE, JSON) that a decoder unwraps, so the
// Content-Type describes the framing, not the audio, and is not checked.
// Other encodings return nil: CheckAudio sniffs them.
func CheckRaw(head []byte, claimed audio.Encoding, contentType string, framed bool) error {
	if !Headerless(claimed) {
		return nil
	}
	if !framed && contentType != "" && isTextType(contentType) {
		what, detail, ok := textBody(head, false)
		if !ok {
			what, detail = "text", ""
			if len(head) > 0 {
				detail = strconv.Quote(clip(printable(head), 200))
			}
		}
		return notAudio(what, claimed, "Content-Type "+contentType, detail)
	}
	return describeNonAudio(head, claimed)
}

// isTextType reports whether a Content-Type names text, JSON or XML.
func isTextType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(ct))
	}
	switch {
	case strings.HasPrefix(mt, "text/"), mt == "application/json", mt == "application/xml",
		strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"), mt == "application/x-www-form-urlencoded":
		return true
	}
	return false
}

package httpx

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"chorus/providers"
)

// maxMessage bounds how much of a provider's message reaches the user.
const maxMessage = 300

// ErrorMessage pulls a machine code and a human message out of an error
// body, accepting the shapes providers use:
//
//	{"error":{"message":"…","type":"…","code":"…"}}   OpenAI and gateways
//	{"error":"InvalidRequest","message":"…"}           Smallest
//	{"error":"…","detail":"…","code":"…"}              Voice.ai
//	{"detail":"…"} or {"detail":[{"loc":[…],"msg":"…"}]} FastAPI
//	{"message":"…"}, {"errors":["…"]}, {"status":…,"reason":"…"}
//
// and plain text. An HTML page is reported as such rather than shown.
func ErrorMessage(body []byte) (code, message string) {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		if textKind(body[:min(len(body), 64)]) == "an HTML page" {
			return "", "the server sent an HTML error page"
		}
		return "", clip(strings.TrimSpace(string(body)))
	}
	code, message = fromJSON(v)
	if message == "" {
		message = clip(strings.TrimSpace(string(body)))
	}
	return code, clip(message)
}

func fromJSON(v any) (code, message string) {
	switch x := v.(type) {
	case string:
		return "", x
	case []any:
		var parts []string
		for _, e := range x {
			if _, m := fromJSON(e); m != "" {
				parts = append(parts, m)
			}
		}
		return "", strings.Join(parts, "; ")
	case map[string]any:
		code = firstString(x, "code", "error_code", "type")
		for _, k := range []string{"message", "msg", "detail", "error", "errors", "reason", "description"} {
			e, ok := x[k]
			if !ok || e == nil {
				continue
			}
			c, m := fromJSON(e)
			if m == "" {
				continue
			}
			if code == "" {
				code = c
			}
			if k == "msg" {
				if loc := location(x["loc"]); loc != "" {
					m = loc + ": " + m
				}
			}
			// {"error":"InvalidRequest","message":"…"}: the short string is a code.
			if k == "message" || k == "msg" || k == "detail" {
				if s, ok := x["error"].(string); ok && code == "" && !strings.Contains(s, " ") {
					code = s
				}
			}
			return code, m
		}
	}
	return code, ""
}

func location(v any) string {
	parts, ok := v.([]any)
	if !ok {
		return ""
	}
	var s []string
	for _, p := range parts {
		if p == "body" {
			continue
		}
		s = append(s, fmt.Sprint(p))
	}
	return strings.Join(s, ".")
}

func firstString(m map[string]any, keys ...string) string {
	for _, k := range keys {
		switch v := m[k].(type) {
		case string:
			if v != "" {
				return v
			}
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
	}
	return ""
}

func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= maxMessage {
		return s
	}
	cut := maxMessage
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// ParseRetryAfter reads a Retry-After header: whole seconds or an HTTP date.
// It returns 0 when the header is absent or unreadable.
func ParseRetryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(h, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// KindForStatus maps an HTTP status to the kind of failure it means.
func KindForStatus(status int) providers.Kind {
	switch {
	case status == 400 || status == 413 || status == 422:
		return providers.KindValidation
	case status == 401:
		return providers.KindAuth
	case status == 402: // payment required: out of credits, which waiting does not cure
		return providers.KindQuota
	case status == 429:
		return providers.KindRateLimit
	case status == 403:
		return providers.KindForbidden
	case status == 404 || status == 410:
		return providers.KindNotFound
	case status == 408:
		return providers.KindNetwork
	case status >= 500:
		return providers.KindServer
	}
	return providers.KindUnknown
}

// retryableStatus is the set of statuses worth another attempt.
func retryableStatus(status int) bool {
	return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504
}

// hint says what the user should do next for a kind of failure.
func (c *Client) hint(kind providers.Kind, status int, retryAfter time.Duration) string {
	name := c.info.Name
	switch kind {
	case providers.KindAuth:
		if c.info.KeyOptional {
			return fmt.Sprintf("Check the API key for %s in Settings; this endpoint may need one", name)
		}
		return fmt.Sprintf("Check the API key for %s in Settings, or set %s", name, c.info.KeyEnv())
	case providers.KindForbidden:
		return fmt.Sprintf("Your %s key is not allowed to do this; check the account's plan and permissions", name)
	case providers.KindNotFound:
		return "Check the model and voice names, and the base URL in Settings"
	case providers.KindQuota:
		return fmt.Sprintf("Add credits to your %s account or check its plan, then try again", name)
	case providers.KindRateLimit:
		if retryAfter > 0 {
			return fmt.Sprintf("Wait %s and try again", FormatDuration(max(retryAfter.Round(time.Second), time.Second)))
		}
		return fmt.Sprintf("Wait a moment and try again, or check your %s plan and quota", name)
	case providers.KindServer:
		if retryAfter > 0 {
			return fmt.Sprintf("%s is unavailable for now; wait %s and try again", name, FormatDuration(max(retryAfter.Round(time.Second), time.Second)))
		}
		return fmt.Sprintf("%s had a problem; try again in a moment", name)
	case providers.KindValidation:
		return "Check the model, voice, format and speed"
	case providers.KindNetwork:
		return fmt.Sprintf("Check your internet connection and the %s base URL in Settings", name)
	case providers.KindCutStream:
		return "Try again; if it keeps happening, use batch mode or a shorter text"
	case providers.KindNotAudio:
		return fmt.Sprintf("Check that the base URL points at the %s API", name)
	}
	return ""
}

// NewError builds a provider error with the provider's ID, a hint for its
// kind, and the API key redacted from the message. Providers use it for
// errors found inside a stream (an SSE "error" event, for example).
func (c *Client) NewError(kind providers.Kind, status int, code, message string) *providers.Error {
	return &providers.Error{
		Provider: c.info.ID,
		Kind:     kind,
		Status:   status,
		Code:     c.redact(code),
		Message:  c.redact(message),
		Hint:     c.hint(kind, status, 0),
	}
}

// StatusError maps a non-2xx response to one *providers.Error: kind by
// status, the provider's own message (redacted), Retry-After and a hint.
func (c *Client) StatusError(status int, header http.Header, body []byte) *providers.Error {
	code, msg := c.parse(body)
	if msg == "" {
		msg = http.StatusText(status)
	}
	kind := KindForStatus(status)
	e := c.NewError(kind, status, code, msg)
	if kind == providers.KindValidation {
		// Validation errors print only their message, so name who refused.
		e.Message = fmt.Sprintf("%s refused the request (HTTP %d): %s", c.info.Name, status, e.Message)
	}
	if kind == providers.KindUnknown {
		e.Message = fmt.Sprintf("unexpected answer: %s", e.Message)
	}
	e.RetryAfter = ParseRetryAfter(header.Get("Retry-After"), time.Now())
	e.Hint = c.hint(kind, status, e.RetryAfter)
	return e
}

func (c *Client) redact(s string) string {
	return redactKey(s, c.key)
}

// minFragment is the shortest start of a key that redactKey removes.
const minFragment = 6

// redactKey replaces key in s, and also any start of it of minFragment or
// more characters: an excerpt of a body that echoed the key may have been
// cut in the middle of it.
func redactKey(s, key string) string {
	s = providers.Redact(s, key)
	if len(key) <= minFragment {
		return s
	}
	for n := len(key) - 1; n >= minFragment; n-- {
		if strings.Contains(s, key[:n]) {
			s = strings.ReplaceAll(s, key[:n], "[redacted]")
		}
	}
	return s
}

package providers

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// TransportHTTP is the transport name of a provider's plain HTTP endpoint:
// one request, one complete response.
const TransportHTTP = "http"

// MaxTextChars bounds any request, whatever the provider says, so a stray
// paste of a whole disk image is refused before it is sent anywhere.
const MaxTextChars = 1_000_000

// Normalize fills the request's empty fields with the provider's defaults.
// A batch request without a transport takes the plain HTTP endpoint when
// the provider offers one: batch means one complete response, whatever
// transport the provider streams over by default.
func Normalize(req Request, c Capabilities) Request {
	if req.Model == "" {
		req.Model = c.DefaultModel()
	}
	if req.Format == "" {
		req.Format = c.DefaultFormat()
	}
	if req.Speed == 0 {
		req.Speed = 1
		if c.Speed.Default != 0 {
			req.Speed = c.Speed.Default
		}
	}
	if req.SampleRate == 0 {
		req.SampleRate = c.DefaultSampleRate
	}
	if req.Transport == "" && req.Batch && slices.Contains(c.Transports, TransportHTTP) {
		req.Transport = TransportHTTP
	}
	if req.Transport == "" && len(c.Transports) > 0 {
		req.Transport = c.Transports[0]
	}
	return req
}

// Validate checks a normalized request against the capabilities and returns
// a validation error that names the allowed values: the text's length (the
// model's own limit when it has one), the model when the service takes a
// closed list (Capabilities.ClosedModels), the format, speed, sample rate,
// language, transport and options. Prepare calls it; rules the table
// cannot express are the provider's Checker.
func Validate(provider string, req Request, c Capabilities) error {
	text := strings.TrimSpace(req.Text)
	if text == "" {
		return &Error{Provider: provider, Kind: KindValidation, Message: "the text is empty",
			Hint: "type or paste something to speak"}
	}
	n := utf8.RuneCountInString(req.Text)
	if n > MaxTextChars {
		return Invalid(provider, "the text has %d characters; Chorus accepts at most %d per request", n, MaxTextChars)
	}
	if limit := c.MaxCharsFor(req.Model); limit > 0 && n > limit {
		return &Error{Provider: provider, Kind: KindValidation,
			Message: fmt.Sprintf("the text has %d characters; this provider takes at most %d per request", n, limit),
			Hint:    "shorten the text or split it"}
	}
	if c.ClosedModels && req.Model != "" && !slices.ContainsFunc(c.Models, func(m Model) bool { return m.ID == req.Model }) {
		ids := make([]string, len(c.Models))
		for i, m := range c.Models {
			ids[i] = m.ID
		}
		return &Error{Provider: provider, Kind: KindValidation,
			Message: fmt.Sprintf("model %q is not offered; allowed: %s", req.Model, strings.Join(ids, ", ")),
			Hint:    "choose one of those models (the service no longer takes retired ones)"}
	}
	if len(c.Formats) > 0 && !slices.Contains(c.Formats, req.Format) {
		return Invalid(provider, "format %q is not offered; allowed: %s", req.Format, strings.Join(c.Formats, ", "))
	}
	if c.Speed.Max > 0 && !c.Speed.Contains(req.Speed) {
		return Invalid(provider, "speed %g is out of range; allowed: %g to %g", req.Speed, c.Speed.Min, c.Speed.Max)
	}
	if c.Speed.Max == 0 && req.Speed != 0 && req.Speed != 1 {
		return Invalid(provider, "speed %g is not offered; this provider has no speed setting, so leave it at 1", req.Speed)
	}
	if req.SampleRate != 0 && len(c.SampleRates) > 0 && !slices.Contains(c.SampleRates, req.SampleRate) {
		return Invalid(provider, "sample rate %d is not offered; allowed: %s", req.SampleRate, joinInts(c.SampleRates))
	}
	if req.SampleRate != 0 && len(c.SampleRates) == 0 && c.DefaultSampleRate != 0 && req.SampleRate != c.DefaultSampleRate {
		return Invalid(provider, "sample rate %d is not offered; this provider always sends %d Hz (export can convert the rate)", req.SampleRate, c.DefaultSampleRate)
	}
	if req.Language != "" && len(c.Languages) > 0 && !slices.Contains(c.Languages, req.Language) {
		return Invalid(provider, "language %q is not offered; allowed: %s", req.Language, strings.Join(c.Languages, ", "))
	}
	if req.Transport != "" && len(c.Transports) > 0 && !slices.Contains(c.Transports, req.Transport) {
		return Invalid(provider, "transport %q is not offered; allowed: %s", req.Transport, strings.Join(c.Transports, ", "))
	}
	for k, v := range req.Options {
		o, ok := findOption(c.Options, k)
		if !ok {
			var keys []string
			for _, o := range c.Options {
				keys = append(keys, o.Key)
			}
			if len(keys) == 0 {
				return Invalid(provider, "option %q is not known; this provider has no options", k)
			}
			return Invalid(provider, "option %q is not known; allowed: %s", k, strings.Join(keys, ", "))
		}
		if err := o.Check(v); err != nil {
			return Invalid(provider, "%v", err)
		}
	}
	return nil
}

// Check validates one value for the option.
func (o Option) Check(v string) error {
	if len(o.Choices) > 0 && !slices.Contains(o.Choices, v) {
		return fmt.Errorf("option %s=%q is not allowed; allowed: %s", o.Key, v, strings.Join(o.Choices, ", "))
	}
	if o.Range != nil {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("option %s needs a number from %g to %g, not %q", o.Key, o.Range.Min, o.Range.Max, v)
		}
		if !o.Range.Contains(f) {
			return fmt.Errorf("option %s=%g is out of range; allowed: %g to %g", o.Key, f, o.Range.Min, o.Range.Max)
		}
	}
	return nil
}

func findOption(opts []Option, key string) (Option, bool) {
	for _, o := range opts {
		if o.Key == key {
			return o, true
		}
	}
	return Option{}, false
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}

package book

import "strings"

// WithCast returns text with its [cast: …] header lines replaced by one line
// per name of c (sorted), placed where the first cast line was (else at the
// top), so a cast edited in the window lives in the text itself. The rest of
// the text is kept as it is.
func WithCast(text string, c Cast) string {
	lines := strings.Split(text, "\n")
	var head []string
	for _, n := range c.Names() {
		v := c[n]
		spec := v.Provider
		if v.Model != "" || v.Voice != "" {
			spec += "/" + v.Model
		}
		if v.Voice != "" {
			spec += "/" + v.Voice
		}
		head = append(head, "[cast: "+n+" = "+spec+"]")
	}
	var out []string
	at := -1
	for _, l := range lines {
		if castLine.MatchString(strings.TrimSpace(l)) {
			if at < 0 {
				at = len(out)
			}
			continue
		}
		out = append(out, l)
	}
	if at < 0 {
		at = 0
	}
	return strings.Join(append(append(append([]string(nil), out[:at]...), head...), out[at:]...), "\n")
}

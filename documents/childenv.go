package documents

import (
	"os"
	"strings"
)

// ChildEnv is the environment for helper programs (pdftotext, ffmpeg): the
// process environment without any *_API_KEY variable, so keys never reach a
// child process. It stands in until internal/childenv is merged.
func ChildEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasSuffix(strings.ToUpper(name), "_API_KEY") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

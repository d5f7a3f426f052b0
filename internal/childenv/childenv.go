// Package childenv builds the environment Chorus gives child processes
// (ffmpeg, espeak-ng): the parent's environment without API keys, tokens,
// passwords and other secrets, so a key never reaches another program.
package childenv

import (
	"os"
	"strings"
)

// secretMarks are name fragments (upper case) that mark a variable as secret.
var secretMarks = []string{"API_KEY", "APIKEY", "SECRET", "TOKEN", "PASSWORD", "PASSWD", "CREDENTIAL", "PRIVATE_KEY", "ACCESS_KEY"}

// IsSecret reports whether an environment variable name looks like it holds
// a secret (any name containing API_KEY, SECRET, TOKEN, PASSWORD, …).
func IsSecret(name string) bool {
	n := strings.ToUpper(name)
	for _, m := range secretMarks {
		if strings.Contains(n, m) {
			return true
		}
	}
	return false
}

// Environ returns os.Environ() without the variables IsSecret matches. Set it
// as exec.Cmd.Env for every child process.
func Environ() []string {
	return Filter(os.Environ())
}

// Filter drops secret variables from env, a list of "NAME=value" entries.
func Filter(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if IsSecret(name) {
			continue
		}
		out = append(out, kv)
	}
	return out
}

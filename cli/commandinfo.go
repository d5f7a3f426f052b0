package cli

import (
	"bytes"
	"context"
	"flag"
	"io"
	"sort"
	"strings"
)

// commandInfo describes one command for completions and the man page. It is
// read from the commands themselves, so it cannot drift from what they take.
type commandInfo struct {
	Name, Summary string
	Flags         []flagInfo
}

// flagInfo is one flag of a command.
type flagInfo struct {
	Name, Usage string
	Bool        bool // takes no value
}

// describeCommands runs every command with --help in a silent environment and
// records the flags each one defines. Commands parse their flags before doing
// anything else, and the context is cancelled, so nothing is done.
func describeCommands(env *Env) []commandInfo {
	var names []string
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out []commandInfo
	for _, n := range names {
		info := commandInfo{Name: n, Summary: commands[n].Summary}
		var sets []*flag.FlagSet
		quiet := &Env{Stdin: bytes.NewReader(nil), Stdout: io.Discard, Stderr: io.Discard,
			Getenv: func(string) string { return "" }, Engine: env.Engine,
			StdinIsTerminal: func() bool { return false },
			ReadSecret:      func() (string, error) { return "", io.EOF },
			// Only the command's own flag set: subcommands are named
			// "cmd sub" and are not reached with --help.
			onFlags: func(fs *flag.FlagSet) {
				if fs.Name() == n {
					sets = append(sets, fs)
				}
			}}
		commands[n].Run(ctx, quiet, []string{"--help"})
		seen := map[string]bool{}
		for _, fs := range sets {
			fs.VisitAll(func(f *flag.Flag) {
				if seen[f.Name] {
					return
				}
				seen[f.Name] = true
				b, ok := f.Value.(interface{ IsBoolFlag() bool })
				info.Flags = append(info.Flags, flagInfo{Name: f.Name, Usage: firstLine(f.Usage), Bool: ok && b.IsBoolFlag()})
			})
		}
		out = append(out, info)
	}
	return out
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}

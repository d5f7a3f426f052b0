package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

func runMan(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "man", "")
	if _, err := parse(fs, args); err != nil {
		return flagExit(err)
	}
	writeMan(env.Stdout, describeCommands(env), time.Now())
	return ExitOK
}

// roff escapes text for a man page line: backslashes, hyphens (so that
// flags copy and paste as ASCII), and a leading dot or quote.
func roff(s string) string {
	s = strings.NewReplacer(`\`, `\e`, `-`, `\-`, "—", `\(em`, "–", `\(en`, "…", "...", "’", "'").Replace(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

func writeMan(w io.Writer, cmds []commandInfo, now time.Time) {
	fmt.Fprintf(w, ".TH CHORUS 1 %q %q \"User Commands\"\n", now.Format("2006-01-02"), "chorus "+Version)
	fmt.Fprintln(w, ".SH NAME")
	fmt.Fprintln(w, `chorus \- text to speech studio: type and listen, compare voices, export audio`)
	fmt.Fprintln(w, ".SH SYNOPSIS")
	fmt.Fprintln(w, `.B chorus`)
	fmt.Fprintln(w, ".br")
	fmt.Fprintln(w, `.B chorus \fICOMMAND\fR [\fIflags\fR] [\fIarguments\fR]`)
	fmt.Fprintln(w, ".SH DESCRIPTION")
	fmt.Fprintln(w, "With no arguments, Chorus opens its window. With a command, it runs that command on the same engine the window uses and exits.")
	fmt.Fprintln(w, "Flags may come before or after the arguments; each command's")
	fmt.Fprintln(w, `.B \-\-help`)
	fmt.Fprintln(w, "lists them.")
	fmt.Fprintln(w, ".SH COMMANDS")
	for _, c := range append(cmds, builtins...) {
		fmt.Fprintln(w, ".TP")
		fmt.Fprintf(w, ".B %s\n%s\n", roff(c.Name), roff(c.Summary))
		for _, f := range c.Flags {
			fmt.Fprintln(w, ".RS")
			fmt.Fprintln(w, ".TP")
			if f.Bool {
				fmt.Fprintf(w, `\fB\-\-%s\fR`+"\n", roff(f.Name))
			} else {
				fmt.Fprintf(w, `\fB\-\-%s\fR \fIvalue\fR`+"\n", roff(f.Name))
			}
			fmt.Fprintln(w, roff(f.Usage))
			fmt.Fprintln(w, ".RE")
		}
	}
	fmt.Fprintln(w, ".SH ENVIRONMENT")
	fmt.Fprintln(w, ".TP")
	fmt.Fprintln(w, `.B \fIID\fB_API_KEY`)
	fmt.Fprintln(w, "A provider's API key, used when the OS keychain holds none (for example OPENAI_API_KEY).")
	fmt.Fprintln(w, ".SH EXIT STATUS")
	fmt.Fprintln(w, "0 on success, 1 when the work failed, 2 when the command line or the request is not acceptable.")
	fmt.Fprintln(w, ".SH LICENSE")
	fmt.Fprintln(w, "GPL\\-3.0\\-or\\-later.")
}

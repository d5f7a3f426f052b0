// Package cli is Chorus's command line: thin commands over the same core the
// GUI uses. main dispatches here when it has arguments.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"chorus/core"
	"chorus/providers"
)

// Exit codes shared by every command.
const (
	ExitOK      = 0 // success
	ExitFailure = 1 // the work failed (network, provider, device, file)
	ExitUsage   = 2 // the command line or the request is not acceptable
)

// Env is what a command may touch: its streams, the environment and the core.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Engine         *core.Engine
	// StdinIsTerminal reports whether stdin is an interactive terminal.
	StdinIsTerminal func() bool
	// ReadSecret reads a line from the terminal without echo.
	ReadSecret func() (string, error)
	// onFlags, when set, sees every flag set a command defines (completions
	// and the man page are generated from them).
	onFlags func(*flag.FlagSet)
	// shareInstance lets this process's commands meet the running Chorus
	// (see withInstance); only DefaultEnv sets it.
	shareInstance bool
}

// Command is one subcommand.
type Command struct {
	Name    string
	Summary string
	Run     func(ctx context.Context, env *Env, args []string) int
}

var commands = map[string]Command{}

// Register adds a subcommand. Command files call it from init.
func Register(c Command) { commands[c.Name] = c }

// Version is set by main from FyneApp.toml's version.
var Version = "dev"

// Run executes one command line (without the program name) and returns the
// process exit code.
func Run(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(env.Stdout)
		return ExitOK
	}
	if args[0] == "version" || args[0] == "--version" {
		fmt.Fprint(env.Stdout, VersionText())
		return ExitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "chorus: unknown command %q\n\n", args[0])
		usage(env.Stderr)
		return ExitUsage
	}
	// Ctrl+C or a polite kill cancels the work: requests stop, sound stops,
	// and no partial file is left.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	return withInstance(ctx, env, args, func(ctx context.Context) int { return c.Run(ctx, env, args[1:]) })
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Chorus: type, listen, compare voices, export audio.")
	fmt.Fprintln(w, "\nUsage:\n  chorus                 open the window\n  chorus COMMAND [flags]")
	fmt.Fprintln(w, "\nCommands:")
	var names []string
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].Summary)
	}
	fmt.Fprintln(w, "  version    print the version")
	fmt.Fprintln(w, "\nRun `chorus COMMAND --help` for a command's flags.")
	fmt.Fprintln(w, "Providers:", strings.Join(providers.IDs(), ", "))
}

// parse parses flags anywhere on the line (before or after positional
// arguments) and returns the positional ones. "-" alone is positional.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(env *Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: chorus %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	if env.onFlags != nil {
		env.onFlags(fs)
	}
	return fs
}

// fail prints an error and returns its exit code: 2 for validation errors,
// 1 for everything else.
func fail(env *Env, err error) int {
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(env.Stderr, "chorus: stopped; nothing was saved")
		return ExitFailure
	}
	fmt.Fprintln(env.Stderr, "chorus:", err)
	if providers.IsValidation(err) || errors.Is(err, errUsage) {
		return ExitUsage
	}
	return ExitFailure
}

// errUsage marks errors that exit 2; its own text is never shown.
var errUsage = errors.New("usage error")

// usageError is a message that exits 2.
type usageError struct{ msg string }

func (e usageError) Error() string        { return e.msg }
func (e usageError) Is(target error) bool { return target == errUsage }

// usageErr builds an error that exits 2.
func usageErr(format string, args ...any) error {
	return usageError{fmt.Sprintf(format, args...)}
}

// flagExit maps a flag parsing error to an exit code.
func flagExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	return ExitUsage
}

// DefaultEnv is the process's own environment.
func DefaultEnv(engine *core.Engine) *Env {
	return &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Engine: engine,
		StdinIsTerminal: func() bool { return isTerminal(os.Stdin) }, shareInstance: true}
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"chorus/core"
	"chorus/internal/instance"
)

func init() {
	Register(Command{Name: "stop", Summary: "stop whatever Chorus is speaking (the window or another chorus speak)", Run: runStop})
}

// codeRetry is the answer of a `chorus speak` that was only playing for
// itself: it has stopped, and the caller should speak on its own.
const codeRetry = 75

// runStop runs only when no Chorus was there to take the request.
func runStop(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "stop", "")
	if _, err := parse(fs, args); err != nil {
		return flagExit(err)
	}
	fmt.Fprintln(env.Stderr, "chorus: nothing is speaking")
	return ExitOK
}

// playsOnly reports whether a speak command line only plays: one that reads
// or writes files, or stdin, runs in its own process.
func playsOnly(args []string) bool {
	for _, a := range args {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if a == "-" || (strings.HasPrefix(a, "-") && (name == "out" || name == "file" || name == "per-chunk-dir" || name == "help" || name == "h")) {
			return false
		}
	}
	return true
}

// withInstance runs one command with regard to the running instance: `stop`
// and a playing `speak` are handed to it when one runs; a playing `speak`
// with none becomes the instance while it plays, so that `chorus stop` or
// the next speak can stop it.
func withInstance(ctx context.Context, env *Env, args []string, run func(context.Context) int) int {
	if !env.shareInstance || !(args[0] == "stop" || args[0] == "speak" && playsOnly(args[1:])) {
		return run(ctx)
	}
	for attempt := 0; ; attempt++ {
		code, ok, err := instance.Forward(ctx, args, env.Stdout, env.Stderr)
		if err != nil {
			return fail(env, err)
		}
		if ok && code != codeRetry {
			return code
		}
		if args[0] == "stop" {
			return run(ctx)
		}
		ctx, cancel := context.WithCancel(ctx)
		srv, err := instance.Listen(func(_ context.Context, req instance.Request, _, stderr io.Writer) int {
			switch {
			case len(req.Args) > 0 && req.Args[0] == "speak":
				cancel()
				return codeRetry
			case len(req.Args) > 0 && req.Args[0] == "stop":
				cancel()
				return ExitOK
			}
			fmt.Fprintln(stderr, "chorus: this chorus speak takes only stop and speak")
			return ExitUsage
		})
		if errors.Is(err, instance.ErrRunning) && attempt < 50 {
			cancel()
			time.Sleep(100 * time.Millisecond) // the one we stopped is leaving
			continue
		}
		if srv != nil {
			defer srv.Close()
		}
		defer cancel()
		return run(ctx)
	}
}

// InstanceHooks connect the window to the instance socket.
type InstanceHooks struct {
	Show func() // raise the window (a second launch)
	Stop func() // stop what the window is speaking
}

// ServeInstance makes this process (the window) the running instance:
// `chorus` hands it "show", `chorus stop` stops it, and a playing
// `chorus speak` runs here, one at a time, instead of in a second player.
// It returns instance.ErrRunning when another Chorus already serves.
func ServeInstance(engine *core.Engine, hooks InstanceHooks) (io.Closer, error) {
	var mu sync.Mutex
	var current context.CancelFunc
	stopAll := func() {
		mu.Lock()
		if current != nil {
			current()
		}
		mu.Unlock()
		if hooks.Stop != nil {
			hooks.Stop()
		}
	}
	return instance.Listen(func(ctx context.Context, req instance.Request, stdout, stderr io.Writer) int {
		switch {
		case len(req.Args) == 0 || req.Args[0] == "show":
			if hooks.Show != nil {
				hooks.Show()
			}
			return ExitOK
		case req.Args[0] == "stop":
			stopAll()
			return ExitOK
		case req.Args[0] == "speak":
			stopAll()
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			mu.Lock()
			current = cancel
			mu.Unlock()
			env := &Env{Stdin: strings.NewReader(""), Stdout: stdout, Stderr: stderr, Getenv: os.Getenv,
				Engine: engine, StdinIsTerminal: func() bool { return false }}
			return Run(ctx, env, req.Args)
		}
		fmt.Fprintf(stderr, "chorus: the running Chorus does not take %q\n", req.Args[0])
		return ExitUsage
	})
}

// HandOverLaunch asks the running instance to show its window and reports
// whether one did; a second `chorus` then exits instead of opening another.
func HandOverLaunch() bool {
	_, ok, err := instance.Forward(context.Background(), []string{"show"}, io.Discard, os.Stderr)
	return ok && err == nil
}

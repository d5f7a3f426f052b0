package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"chorus/voices"
)

// runVoicesPiper handles what `chorus voices` does for natural voices:
// `voices install ID…`, `voices remove ID…` and `voices --available`. It
// reports false when args are for the generic listing.
func runVoicesPiper(ctx context.Context, env *Env, args []string) (int, bool) {
	if len(args) > 0 {
		switch args[0] {
		case "install":
			return installVoices(ctx, env, args[1:]), true
		case "remove":
			return removeVoices(env, args[1:]), true
		}
	}
	for _, a := range args {
		if a == "--available" || a == "-available" {
			return availableVoices(ctx, env, args), true
		}
	}
	return 0, false
}

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

func availableVoices(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "voices", "--available [--json]")
	fs.Bool("available", true, "list the natural voices that can be downloaded")
	provider := fs.String("provider", "piper", "provider whose catalog to list (only piper has one)")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return flagExit(err)
	}
	if *provider != "piper" {
		return fail(env, usageErr("only the piper provider has voices to download; use --provider piper"))
	}
	cat, err := voices.Load(ctx, nil)
	if err != nil {
		return fail(env, err)
	}
	installed := map[string]bool{}
	if dir, err := voices.Dir(); err == nil {
		list, _ := voices.List(dir)
		for _, v := range list {
			installed[v.ID] = true
		}
	}
	if *asJSON {
		type row struct {
			voices.Voice
			Installed bool  `json:"installed"`
			Bytes     int64 `json:"bytes"`
		}
		var rows []row
		for _, v := range cat.Voices {
			rows = append(rows, row{v, installed[v.ID], v.Size()})
		}
		return printJSON(env, rows)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tLANGUAGE\tQUALITY\tSIZE\tLICENSE\tINSTALLED")
	for _, v := range cat.Voices {
		mark := ""
		if installed[v.ID] {
			mark = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v.ID, v.Name, v.Language, v.Quality, megabytes(v.Size()), v.License, mark)
	}
	tw.Flush()
	return ExitOK
}

func installVoices(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "voices install", "ID…")
	quiet := fs.Bool("quiet", false, "no progress line")
	ids, err := parse(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(ids) == 0 {
		return fail(env, usageErr("name the voices to install (list them with chorus voices --available)"))
	}
	// Ctrl+C stops the download and leaves nothing half installed.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	cat, err := voices.Load(ctx, nil)
	if err != nil {
		return fail(env, err)
	}
	var todo []voices.Voice
	for _, id := range ids {
		v, ok := cat.Find(id)
		if !ok {
			return fail(env, usageErr("no voice %q in the catalog; one of: %s", id, strings.Join(cat.IDs(), ", ")))
		}
		todo = append(todo, v)
	}
	dir, err := voices.Dir()
	if err != nil {
		return fail(env, err)
	}
	for _, v := range todo {
		opt := voices.Options{}
		if !*quiet {
			opt.Progress = func(p voices.Progress) {
				left := "?"
				if p.Remaining > 0 {
					left = p.Remaining.Round(time.Second).String()
				}
				fmt.Fprintf(env.Stderr, "\r%s: %s of %s, %.1f MB/s, %s left   ", v.ID, megabytes(p.Done), megabytes(p.Total), p.Rate/1e6, left)
			}
		}
		inst, err := voices.Install(ctx, dir, v, opt)
		if !*quiet {
			fmt.Fprintln(env.Stderr)
		}
		if errors.Is(err, context.Canceled) {
			fmt.Fprintf(env.Stderr, "chorus: stopped; %s was not installed and nothing of it was kept\n", v.ID)
			return ExitFailure
		}
		if err != nil {
			return fail(env, fmt.Errorf("%w; nothing of %s was kept, try again", err, v.ID))
		}
		fmt.Fprintf(env.Stdout, "installed %s (%s) in %s; credit: %s\n", v.ID, v.License, inst.Dir, v.Attribution)
	}
	return ExitOK
}

func removeVoices(env *Env, args []string) int {
	fs := newFlags(env, "voices remove", "ID…")
	ids, err := parse(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(ids) == 0 {
		return fail(env, usageErr("name the voices to remove (list them with chorus voices --provider piper)"))
	}
	dir, err := voices.Dir()
	if err != nil {
		return fail(env, err)
	}
	for _, id := range ids {
		if err := voices.Remove(dir, id); err != nil {
			if errors.Is(err, voices.ErrNotInstalled) {
				return fail(env, usageErr("voice %q is not installed (list them with chorus voices --provider piper)", id))
			}
			return fail(env, err)
		}
		fmt.Fprintf(env.Stdout, "removed %s\n", id)
	}
	return ExitOK
}

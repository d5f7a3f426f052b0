package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"text/tabwriter"

	"chorus/cache"
)

func init() {
	Register(Command{Name: "history", Summary: "list, play, export or delete past clips (list|play ID|export ID FILE|delete ID|clear)", Run: runHistory})
}

func runHistory(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "history", "list | play ID | export ID FILE | delete ID | clear")
	asJSON := fs.Bool("json", false, "list: print JSON")
	force := fs.Bool("force", false, "export: replace FILE if it exists")
	pos, err := parse(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) == 0 {
		fs.Usage()
		return ExitUsage
	}
	store := env.Engine.Cache
	if store == nil {
		s, err := cache.OpenDefault()
		if err != nil {
			return fail(env, err)
		}
		store = s
		env.Engine.Cache = s
	}
	id := func() (uint64, error) {
		if len(pos) < 2 {
			return 0, usageErr("give the clip's ID (see `chorus history list`)")
		}
		n, err := strconv.ParseUint(pos[1], 10, 64)
		if err != nil {
			return 0, usageErr("%q is not a clip ID: use the number from `chorus history list`", pos[1])
		}
		return n, nil
	}
	switch pos[0] {
	case "list", "ls":
		clips, err := store.Clips()
		if err != nil {
			return fail(env, err)
		}
		if *asJSON {
			b, _ := json.MarshalIndent(clips, "", "  ")
			fmt.Fprintln(env.Stdout, string(b))
			return ExitOK
		}
		if len(clips) == 0 {
			fmt.Fprintln(env.Stdout, "No clips yet: `chorus speak` adds them.")
			return ExitOK
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tDATE\tLENGTH\tPROVIDER\tVOICE\tTEXT")
		for _, c := range clips {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Created.Local().Format("2006-01-02 15:04"),
				clock(c.Duration), c.Provider, c.Voice, c.Title(50))
		}
		tw.Flush()
		return ExitOK
	case "play", "export":
		n, err := id()
		if err != nil {
			return fail(env, err)
		}
		clip, err := store.Clip(n)
		if err != nil {
			return fail(env, usageErr("%v", err))
		}
		out := ""
		if pos[0] == "export" {
			if len(pos) != 3 {
				return fail(env, usageErr("give the clip's ID and a file: chorus history export ID FILE"))
			}
			out = pos[2]
		}
		res, err := env.Engine.PlayClip(ctx, clip, nil, out, *force)
		if err != nil {
			return fail(env, err)
		}
		if out != "" {
			fmt.Fprintf(env.Stderr, "saved %s (%.1f s)\n", out, res.Stats.AudioSeconds)
		}
		return ExitOK
	case "delete", "rm":
		n, err := id()
		if err != nil {
			return fail(env, err)
		}
		if err := store.DeleteClip(n); err != nil {
			return fail(env, usageErr("%v", err))
		}
		fmt.Fprintf(env.Stderr, "deleted clip %d\n", n)
		return ExitOK
	case "clear":
		if err := store.ClearHistory(); err != nil {
			return fail(env, err)
		}
		fmt.Fprintln(env.Stderr, "history cleared (cached audio stays until it is evicted)")
		return ExitOK
	}
	return fail(env, usageErr("unknown history command %q: use list, play, export, delete or clear", pos[0]))
}

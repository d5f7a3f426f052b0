package cli

import (
	"context"
	"fmt"
	"text/tabwriter"

	"chorus/core"
	"chorus/settings/references"
)

func init() {
	Register(Command{Name: "references", Summary: "list, add or delete saved voice references for instant cloning", Run: runReferences})
}

const referencesHelp = `Usage:
  chorus references list [--json]
  chorus references add NAME FILE --text TRANSCRIPT
  chorus references delete NAME

A reference is a WAV, MP3 or FLAC recording (10–30 s clones best) of one voice and its exact
transcript. Providers with instant voice cloning (fishaudio) speak in that voice
with "chorus speak --provider fishaudio --reference-name NAME TEXT".
`

func runReferences(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(env.Stdout, referencesHelp)
		return ExitOK
	}
	store := core.References() // the store speak --reference-name reads
	switch args[0] {
	case "list":
		fs := newFlags(env, "references list", "[--json]")
		asJSON := fs.Bool("json", false, "print JSON")
		if _, err := parse(fs, args[1:]); err != nil {
			return flagExit(err)
		}
		list, err := store.List()
		if err != nil {
			return fail(env, err)
		}
		if *asJSON {
			if list == nil {
				list = []references.Reference{}
			}
			return printJSON(env, list)
		}
		if len(list) == 0 {
			fmt.Fprintln(env.Stdout, "no saved references; add one with: chorus references add NAME FILE --text TRANSCRIPT")
			return ExitOK
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tLENGTH\tTRANSCRIPT")
		for _, r := range list {
			t := r.Transcript
			if len([]rune(t)) > 60 {
				t = string([]rune(t)[:59]) + "…"
			}
			fmt.Fprintf(tw, "%s\t%.1f s\t%s\n", r.Name, r.Duration.Seconds(), t)
		}
		tw.Flush()
		return ExitOK
	case "add":
		fs := newFlags(env, "references add", "NAME FILE --text TRANSCRIPT")
		text := fs.String("text", "", "exact transcript of the recording (required)")
		pos, err := parse(fs, args[1:])
		if err != nil {
			return flagExit(err)
		}
		if len(pos) != 2 {
			return fail(env, usageErr("give a name and a file, e.g. chorus references add ana ana.wav --text \"Hello, I am Ana.\""))
		}
		ref, err := store.Save(pos[0], pos[1], *text)
		if err != nil {
			return fail(env, usageErr("%v", err))
		}
		fmt.Fprintf(env.Stderr, "saved reference %q (%.1f s)\n", ref.Name, ref.Duration.Seconds())
		if advice := ref.Advice(); advice != "" {
			fmt.Fprintf(env.Stderr, "note: %s\n", advice)
		}
		return ExitOK
	case "delete", "remove":
		pos, err := parse(newFlags(env, "references delete", "NAME"), args[1:])
		if err != nil {
			return flagExit(err)
		}
		if len(pos) != 1 {
			return fail(env, usageErr("give exactly one name"))
		}
		if err := store.Delete(pos[0]); err != nil {
			return fail(env, usageErr("%v", err))
		}
		fmt.Fprintf(env.Stderr, "deleted reference %q\n", pos[0])
		return ExitOK
	}
	return fail(env, usageErr("unknown references command %q; use list, add or delete", args[0]))
}

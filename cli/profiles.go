package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"chorus/providers/openai"
	"chorus/settings"
)

func init() {
	Register(Command{Name: "endpoints", Summary: "add, list or remove custom OpenAI-compatible endpoints (local servers)", Run: runEndpoints})
}

// Profiles is the custom endpoint store the endpoints command uses; tests
// replace it.
var Profiles = settings.DefaultProfiles

const endpointsHelp = `Usage:
  chorus endpoints add ID --base-url URL [--name NAME] [--models a,b] [--voices a,b] [--formats a,b] [--insecure-http]
  chorus endpoints list [--json]
  chorus endpoints remove ID

A custom endpoint is any server that speaks OpenAI's POST /audio/speech, such as
Kokoro-FastAPI or LocalAI on your machine. Its ID then works with --provider. If it
needs a key, store it with "chorus keys set ID" or set <ID>_API_KEY.
`

func runEndpoints(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(env.Stdout, endpointsHelp)
		return ExitOK
	}
	store := Profiles()
	switch args[0] {
	case "add":
		fs := newFlags(env, "endpoints add", "ID --base-url URL [flags]")
		base := fs.String("base-url", "", "the server's base URL, e.g. http://localhost:8880/v1")
		name := fs.String("name", "", "display name")
		models := fs.String("models", "", "comma-separated model IDs (when the server does not list them)")
		voices := fs.String("voices", "", "comma-separated voice IDs (when the server does not list them)")
		formats := fs.String("formats", "", "comma-separated response formats the server takes")
		insecure := fs.Bool("insecure-http", false, "allow plain http:// to a host other than this machine")
		pos, err := parse(fs, args[1:])
		if err != nil {
			return flagExit(err)
		}
		if len(pos) != 1 {
			return fail(env, usageErr("give exactly one ID, e.g. chorus endpoints add kokoro --base-url http://localhost:8880/v1"))
		}
		p := openai.Profile{ID: pos[0], Name: *name, BaseURL: *base, Models: openai.SplitList(*models),
			Voices: openai.SplitList(*voices), Formats: openai.SplitList(*formats), AllowInsecureHTTP: *insecure}
		if err := p.Check(); err != nil {
			return fail(env, usageErr("%v", err))
		}
		if err := store.Save(p); err != nil {
			return fail(env, err)
		}
		fmt.Fprintf(env.Stdout, "added %s (%s): use --provider %s\n", p.ID, p.BaseURL, p.ID)
		return ExitOK
	case "list":
		fs := newFlags(env, "endpoints list", "[--json]")
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
				list = []openai.Profile{}
			}
			return printJSON(env, list)
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tBASE URL\tMODELS\tVOICES")
		for _, p := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.ID, p.BaseURL, strings.Join(p.Models, ","), strings.Join(p.Voices, ","))
		}
		tw.Flush()
		return ExitOK
	case "remove", "delete":
		if len(args) != 2 {
			return fail(env, usageErr("give the ID to remove"))
		}
		if err := store.Delete(args[1]); err != nil {
			return fail(env, usageErr("%v", err))
		}
		fmt.Fprintln(env.Stdout, "removed", args[1])
		return ExitOK
	}
	return fail(env, usageErr("unknown endpoints command %q; use add, list or remove", args[0]))
}

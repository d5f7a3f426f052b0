package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"chorus/providers"
)

func init() {
	Register(Command{Name: "voices", Summary: "list a provider's voices", Run: runVoices})
	Register(Command{Name: "models", Summary: "list a provider's models", Run: runModels})
	Register(Command{Name: "providers", Summary: "list the providers and what they offer", Run: runProviders})
}

func runVoices(ctx context.Context, env *Env, args []string) int {
	if code, ok := runVoicesPiper(ctx, env, args); ok { // voices_piper.go
		return code
	}
	fs := newFlags(env, "voices", "--provider ID [flags]")
	provider := fs.String("provider", "local", "provider ID")
	model := fs.String("model", "", "model whose voices to list")
	baseURL := fs.String("base-url", "", "provider base URL")
	search := fs.String("search", "", "search voices: the provider's own search (e.g. a public library), else a filter on name, ID, language")
	asJSON := fs.Bool("json", false, "print JSON")
	preview := fs.String("preview", "", "play a short sample of voice `ID` (the provider's own sample when it hosts one)")
	if _, err := parse(fs, args); err != nil {
		return flagExit(err)
	}
	voices, err := env.Engine.SearchVoices(ctx, *provider, *baseURL, *model, *search)
	if err != nil {
		return fail(env, err)
	}
	if *preview != "" {
		return previewVoice(ctx, env, *provider, *baseURL, *model, *preview, voices)
	}
	if *asJSON {
		return printJSON(env, voices)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tLANGUAGE\tGENDER")
	for _, v := range voices {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", v.ID, v.Name, v.Language, v.Gender)
	}
	tw.Flush()
	return ExitOK
}

func runModels(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "models", "--provider ID [flags]")
	provider := fs.String("provider", "local", "provider ID")
	baseURL := fs.String("base-url", "", "provider base URL")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return flagExit(err)
	}
	models, err := env.Engine.Models(ctx, *provider, *baseURL)
	if err != nil {
		return fail(env, err)
	}
	if *asJSON {
		return printJSON(env, models)
	}
	for _, m := range models {
		fmt.Fprintln(env.Stdout, m.ID)
	}
	return ExitOK
}

func runProviders(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "providers", "[--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return flagExit(err)
	}
	type row struct {
		ID, Name, KeyEnv string
		NeedsKey         bool
		Formats          []string
		Speed            providers.Range
		MaxChars         int
	}
	var rows []row
	for _, r := range providers.List() {
		c := r.Capabilities
		rows = append(rows, row{r.ID, r.Name, r.KeyEnv(), r.NeedsKey, c.Formats, c.Speed, c.MaxChars})
	}
	if *asJSON {
		return printJSON(env, rows)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tKEY\tFORMATS\tSPEED")
	for _, r := range rows {
		key := "none needed"
		if r.NeedsKey {
			key = r.KeyEnv
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%g–%g\n", r.ID, r.Name, key, strings.Join(r.Formats, ","), r.Speed.Min, r.Speed.Max)
	}
	tw.Flush()
	return ExitOK
}

func printJSON(env *Env, v any) int {
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fail(env, err)
	}
	return ExitOK
}

// previewVoice plays a sample of the voice id: the listing's hosted sample
// when it has one, else a line spoken in it (cached).
func previewVoice(ctx context.Context, env *Env, provider, baseURL, model, id string, voices []providers.Voice) int {
	v := providers.Voice{ID: id}
	for _, x := range voices {
		if x.ID == id {
			v = x
		}
	}
	_, hosted, err := env.Engine.Preview(ctx, provider, baseURL, model, v, nil)
	if err != nil {
		return fail(env, err)
	}
	if hosted {
		fmt.Fprintf(env.Stderr, "played %s's own sample of %s\n", provider, id)
	} else {
		fmt.Fprintf(env.Stderr, "played a line spoken in %s\n", id)
	}
	return ExitOK
}

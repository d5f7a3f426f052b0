package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"chorus/providers"
	"chorus/settings/keys"
)

func init() {
	Register(Command{Name: "keys", Summary: "manage API keys in the OS keychain: set, delete, list, test", Run: runKeys})
}

// KeyStore returns the key store the keys command uses. The default reads the
// command's environment and the OS keychain, and reports a missing D-Bus
// session instead of launching one. Tests may replace it.
var KeyStore = func(env *Env) *keys.Store {
	return keys.New(keys.Options{Getenv: env.Getenv, CheckBus: keys.FindSessionBus})
}

// maxKeyInput bounds what `keys set` reads from stdin.
const maxKeyInput = 64 << 10

const keysHelp = `Usage:
  chorus keys set ID [--from-env]       save ID's API key in the OS keychain; the key is read
                                        from stdin (a hidden prompt on a terminal, or piped)
  chorus keys delete ID                 remove ID's key from the keychain
  chorus keys list [--json]             show where each provider's key comes from
  chorus keys test ID [--base-url URL]  check ID's key with a cheap authenticated call

The key is never taken from the command line, so it stays out of shell history.
<ID>_API_KEY in the environment overrides the keychain for that run; --from-env
copies it into the keychain.
`

func runKeys(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, keysHelp)
		return ExitUsage
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(env.Stdout, keysHelp)
		return ExitOK
	case "set":
		return runKeysSet(ctx, env, args[1:])
	case "delete", "remove", "rm":
		return runKeysDelete(env, args[1:])
	case "list", "ls":
		return runKeysList(env, args[1:])
	case "test", "check":
		return runKeysTest(ctx, env, args[1:])
	}
	// The word is not echoed: it could be a key typed in the wrong place.
	return fail(env, usageErr("unknown keys command; use set, delete, list or test (see `chorus keys --help`)"))
}

// keyProvider looks up a provider that takes a key; anything else exits 2
// naming the IDs that do.
func keyProvider(id string) (providers.Registration, error) {
	reg, ok := providers.Lookup(id)
	if !ok {
		what := "unknown provider"
		if looksLikeID(id) {
			what = fmt.Sprintf("unknown provider %q", id)
		}
		return reg, usageErr("%s; providers that take an API key: %s", what, strings.Join(keyIDs(), ", "))
	}
	if !reg.NeedsKey && !reg.KeyOptional {
		return reg, usageErr("%s needs no API key; providers that take one: %s", id, strings.Join(keyIDs(), ", "))
	}
	return reg, nil
}

// looksLikeID reports whether s is short and plain enough to be a provider ID
// rather than a key pasted in the wrong place, so it can be echoed.
func looksLikeID(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// keyProviders lists the providers that take a key, in picker order.
func keyProviders() []providers.Registration {
	var out []providers.Registration
	for _, r := range providers.List() {
		if r.NeedsKey || r.KeyOptional {
			out = append(out, r)
		}
	}
	return out
}

func keyIDs() []string {
	var ids []string
	for _, r := range keyProviders() {
		ids = append(ids, r.ID)
	}
	if len(ids) == 0 {
		return []string{"(none)"}
	}
	return ids
}

// oneID takes exactly one provider ID from the positional arguments, without
// echoing extra ones (they might be keys).
func oneID(cmd string, pos []string) (string, error) {
	switch {
	case len(pos) == 0:
		return "", usageErr("keys %s needs a provider ID: %s", cmd, strings.Join(keyIDs(), ", "))
	case len(pos) > 1:
		return "", usageErr("keys %s takes one provider ID; API keys are read from stdin, never from the command line", cmd)
	}
	return pos[0], nil
}

func runKeysSet(ctx context.Context, env *Env, args []string) int {
	// Parsed by hand so that a mistyped argument (maybe the key itself) is
	// never echoed, as the flag package would.
	var pos []string
	fromEnv := false
	for _, a := range args {
		switch a {
		case "-h", "-help", "--help":
			fmt.Fprint(env.Stdout, "Usage: chorus keys set ID [--from-env]\n\nReads the API key from stdin: a hidden prompt on a terminal, or piped, e.g.\n  pass show openai | chorus keys set openai\n--from-env copies <ID>_API_KEY into the keychain instead.\n")
			return ExitOK
		case "-from-env", "--from-env":
			fromEnv = true
		default:
			if strings.HasPrefix(a, "-") {
				return fail(env, usageErr("keys set takes only a provider ID and --from-env; the key is read from stdin, never from the command line"))
			}
			pos = append(pos, a)
		}
	}
	id, err := oneID("set", pos)
	if err != nil {
		return fail(env, err)
	}
	reg, err := keyProvider(id)
	if err != nil {
		return fail(env, err)
	}
	store := KeyStore(env)
	if fromEnv {
		err = store.ImportEnv(id)
	} else {
		var key string
		key, err = readKey(env, reg)
		if err == nil {
			err = store.Set(id, key)
		}
	}
	if err != nil {
		return fail(env, err)
	}
	fmt.Fprintf(env.Stdout, "Saved the API key for %s in the keychain.\n", reg.Name)
	envNote(env, reg, "overrides the saved key while it is set")
	return ExitOK
}

// readKey reads a key from stdin: with a hidden prompt on a terminal, else
// everything piped in.
func readKey(env *Env, reg providers.Registration) (string, error) {
	if env.StdinIsTerminal != nil && env.StdinIsTerminal() {
		fmt.Fprintf(env.Stderr, "API key for %s (input hidden): ", reg.Name)
		key, err := readSecret(env)
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return "", fmt.Errorf("reading the key from the terminal failed (%v); pipe it in instead, e.g. `pass show %s | chorus keys set %s`", err, reg.ID, reg.ID)
		}
		return key, nil
	}
	if env.Stdin == nil {
		return "", usageErr("no key on stdin; pipe it in, e.g. `pass show %s | chorus keys set %s`", reg.ID, reg.ID)
	}
	b, err := io.ReadAll(io.LimitReader(env.Stdin, maxKeyInput+1))
	if err != nil {
		return "", fmt.Errorf("reading the key from stdin failed: %v", err)
	}
	if len(b) > maxKeyInput {
		return "", usageErr("stdin holds more than %d KB; pipe in only the API key", maxKeyInput>>10)
	}
	if strings.TrimSpace(string(b)) == "" {
		return "", usageErr("no key on stdin; pipe it in, e.g. `pass show %s | chorus keys set %s`", reg.ID, reg.ID)
	}
	return string(b), nil
}

// readSecret reads one line from the terminal without echo.
func readSecret(env *Env) (string, error) {
	if env.ReadSecret != nil {
		return env.ReadSecret()
	}
	f, ok := env.Stdin.(*os.File)
	if !ok {
		return "", errors.New("stdin is not a terminal")
	}
	b, err := term.ReadPassword(int(f.Fd()))
	return string(b), err
}

// envNote tells the user that <ID>_API_KEY is set and what that means.
func envNote(env *Env, reg providers.Registration, what string) {
	if env.Getenv != nil && strings.TrimSpace(env.Getenv(reg.KeyEnv())) != "" {
		fmt.Fprintf(env.Stderr, "Note: %s is set in this environment and %s.\n", reg.KeyEnv(), what)
	}
}

func runKeysDelete(env *Env, args []string) int {
	fs := newFlags(env, "keys delete", "ID")
	pos, err := parse(fs, args)
	if err != nil {
		return flagExit(err)
	}
	id, err := oneID("delete", pos)
	if err != nil {
		return fail(env, err)
	}
	reg, err := keyProvider(id)
	if err != nil {
		return fail(env, err)
	}
	err = KeyStore(env).Delete(id)
	switch {
	case errors.Is(err, keys.ErrNotStored):
		fmt.Fprintf(env.Stdout, "No API key was saved for %s; nothing to remove.\n", reg.Name)
	case err != nil:
		return fail(env, err)
	default:
		fmt.Fprintf(env.Stdout, "Removed the API key for %s from the keychain.\n", reg.Name)
	}
	envNote(env, reg, "still provides a key; unset it to stop using that key")
	return ExitOK
}

func runKeysList(env *Env, args []string) int {
	fs := newFlags(env, "keys list", "[--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) > 0 {
		return fail(env, usageErr("keys list takes no arguments"))
	}
	store := KeyStore(env)
	type row struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		Status   string `json:"status"` // none, keychain, environment, session, unavailable
		Text     string `json:"text"`
		EnvVar   string `json:"env_var"`
		Saved    bool   `json:"saved"`
		Optional bool   `json:"optional"`
	}
	var rows []row
	var keychainErr error
	for _, r := range keyProviders() {
		st := store.Status(r.ID)
		if st.Err != nil && keychainErr == nil {
			keychainErr = st.Err
		}
		rows = append(rows, row{r.ID, r.Name, st.State.String(), st.String(), st.EnvVar, st.Saved, !r.NeedsKey})
	}
	if *asJSON {
		if rows == nil {
			rows = []row{}
		}
		if code := printJSON(env, rows); code != ExitOK {
			return code
		}
	} else if len(rows) == 0 {
		fmt.Fprintln(env.Stdout, "No provider takes an API key.")
	} else {
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PROVIDER\tNAME\tKEY")
		for _, r := range rows {
			text := r.Text
			if r.Optional {
				text += " (optional)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Name, text)
		}
		tw.Flush()
	}
	if keychainErr != nil {
		return fail(env, keychainErr)
	}
	return ExitOK
}

func runKeysTest(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "keys test", "ID [--base-url URL]")
	baseURL := fs.String("base-url", "", "provider base URL (else env <ID>_BASE_URL)")
	pos, err := parse(fs, args)
	if err != nil {
		return flagExit(err)
	}
	id, err := oneID("test", pos)
	if err != nil {
		return fail(env, err)
	}
	if _, err := keyProvider(id); err != nil {
		return fail(env, err)
	}
	msg, err := KeyStore(env).Check(ctx, env.Engine, id, *baseURL, "")
	if err != nil {
		return fail(env, err)
	}
	fmt.Fprintln(env.Stdout, msg)
	return ExitOK
}

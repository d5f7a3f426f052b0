package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"chorus/core"
	"chorus/export"
	"chorus/longtext"
	"chorus/providers"
)

func init() {
	Register(Command{Name: "speak", Summary: "speak text aloud and/or save it to a file", Run: runSpeak})
}

// maxStdinBytes bounds text read from stdin or a file.
const maxStdinBytes = 16 << 20

// SpeakExtension adds flags to `chorus speak`: it defines them on fs and
// returns a function that applies their values to the job after parsing.
// Features (provider options, long text, subtitles) register one from init
// in their own file instead of editing this one.
type SpeakExtension func(fs *flag.FlagSet) func(job *core.Job) error

var speakExtensions []SpeakExtension

// ExtendSpeak registers a SpeakExtension.
func ExtendSpeak(e SpeakExtension) { speakExtensions = append(speakExtensions, e) }

func runSpeak(ctx context.Context, env *Env, args []string) int {
	if isBookSpeak(args) {
		return runBookSpeak(ctx, env, args) // chapters, cast, lexicon, M4B: cli/book.go
	}
	fs := newFlags(env, "speak", "[flags] [TEXT | -]")
	plain := fs.Usage
	fs.Usage = func() {
		plain()
		fmt.Fprintln(env.Stderr, "\nAudiobooks: with --file, add --chapters --out-dir DIR and/or --out BOOK.m4b to render a document\nchapter by chapter (cast, lexicon, loudness, tags). See: chorus speak --chapters --help")
	}
	provider := fs.String("provider", "local", "provider ID: "+strings.Join(providers.IDs(), ", "))
	model := fs.String("model", "", "model (default: the provider's)")
	voice := fs.String("voice", "", "`NAME` of the voice (list them with: chorus voices)")
	format := fs.String("format", "", "format to request from the provider (default: from --out's extension, else the provider's)")
	speed := fs.Float64("speed", 0, "speed multiplier, 1 = normal")
	rate := fs.Int("sample-rate", 0, "sample rate in Hz (requested, or converted on export)")
	lang := fs.String("language", "", "language code, where the provider takes one")
	instructions := fs.String("instructions", "", "style instructions, for models that take them")
	transport := fs.String("transport", "", "transport, where a provider has several (http, stream, ws)")
	var options optionFlag
	fs.Var(&options, "option", "provider option key=value (repeatable)")
	baseURL := fs.String("base-url", "", "provider base URL (else env <ID>_BASE_URL)")
	file := fs.String("file", "", "read the text from this file")
	out := fs.String("out", "", "write the audio to this file (atomically)")
	force := fs.Bool("force", false, "replace --out if it exists")
	play := fs.Bool("play", false, "play the audio (the default when there is no --out)")
	batch := fs.Bool("batch", false, "ask for one complete response instead of a stream")
	stats := fs.Bool("stats", false, "print one JSON line of measurements on stderr")
	yes := fs.Bool("yes", false, "go ahead with a large job (over 100,000 characters or $1) without asking")
	screen := screenTextFlags(fs)
	var apply []func(*core.Job) error
	for _, ext := range speakExtensions {
		apply = append(apply, ext(fs))
	}
	pos, err := parse(fs, args)
	if err != nil {
		return flagExit(err)
	}
	text, err := screen(ctx, env, pos, *file)
	if err != nil {
		return fail(env, err)
	}
	job := core.Job{
		Provider: *provider, BaseURL: *baseURL,
		Request: providers.Request{Text: text, Model: *model, Voice: *voice, Format: *format, Speed: *speed,
			SampleRate: *rate, Language: *lang, Instructions: *instructions, Batch: *batch,
			Transport: *transport, Options: options.m},
		Play: *play || *out == "", Out: *out, Force: *force,
		SpeedGiven: flagGiven(fs, "speed"),
	}
	if err := export.CheckTarget(*out, *force, *file); err != nil { // the extension names the file's format
		return fail(env, usageErr("%v", err))
	}
	for _, a := range apply {
		if err := a(&job); err != nil {
			return fail(env, err)
		}
	}
	job.OnEvent = func(ev core.Event) {
		if ev.Stage == core.StageNotice { // e.g. control characters removed from the text
			fmt.Fprintln(env.Stderr, "chorus:", ev.Message)
		}
	}
	if !*yes {
		if code, stop := confirmLarge(env, job); stop {
			return code
		}
	}
	res, err := env.Engine.Speak(ctx, job)
	if *stats && res != nil {
		line, _ := json.Marshal(res.Stats)
		fmt.Fprintln(env.Stderr, string(line))
	}
	if err != nil {
		return fail(env, err)
	}
	if *out != "" {
		fmt.Fprintf(env.Stderr, "saved %s (%.1f s)\n", *out, res.Stats.AudioSeconds)
	}
	return ExitOK
}

// confirmLarge refuses a large job (see core.Estimate.Large) that --yes did
// not confirm: exit 2 with the estimate. A job the estimate cannot be
// worked out for goes on, so Speak reports the problem.
func confirmLarge(env *Env, job core.Job) (int, bool) {
	est, err := env.Engine.Estimate(job)
	if err != nil || !est.Large() {
		return 0, false
	}
	return fail(env, usageErr("this is a large job: %s; add --yes to go ahead", est)), true
}

// flagGiven reports whether the flag was set on the command line, so an
// explicit 0 can be told apart from the flag's default.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			given = true
		}
	})
	return given
}

// readText takes the text from the argument, "-" (stdin) or --file.
func readText(env *Env, pos []string, file string) (string, error) {
	switch {
	case file != "" && len(pos) > 0:
		return "", usageErr("give the text or --file, not both")
	case len(pos) > 1:
		return "", usageErr("give the text as one argument (quote it), or use --file or -")
	case file != "" && isDocument(file):
		return readDocument(file)
	case file != "":
		f, err := os.Open(file)
		if err != nil {
			return "", usageErr("cannot read %s: %v", file, err)
		}
		defer f.Close()
		text, err := readLimited(f, file)
		if err == nil && isMarkdown(file) {
			text = longtext.SpeakableMarkdown(text) // the words the GUI's editor shows for it
		}
		return text, err
	case len(pos) == 1 && pos[0] == "-":
		return readLimited(env.Stdin, "stdin")
	case len(pos) == 1:
		return pos[0], nil
	}
	return "", usageErr("no text: give it as an argument, with --file PATH, or - to read stdin")
}

func readLimited(r io.Reader, name string) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxStdinBytes+1))
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", name, err)
	}
	if len(b) > maxStdinBytes {
		return "", usageErr("%s is larger than %d MB; split it first", name, maxStdinBytes>>20)
	}
	return string(b), nil
}

// optionFlag collects repeated key=value options.
type optionFlag struct{ m map[string]string }

func (o *optionFlag) String() string { return "" }

func (o *optionFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("want key=value, got %q", v)
	}
	if o.m == nil {
		o.m = map[string]string{}
	}
	o.m[k] = val
	return nil
}

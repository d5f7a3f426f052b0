package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"chorus/audio"
	"chorus/audio/codec"
	"chorus/compare"
	"chorus/core"
	"chorus/providers"
)

func init() {
	Register(Command{Name: "compare", Summary: "render one line in several voices and measure them", Run: runCompare})
}

// voiceList collects repeated --voice PROVIDER:MODEL:VOICE flags.
type voiceList []compare.Entry

// String is empty: the flag has no default to show.
func (v *voiceList) String() string { return "" }

// Set parses one PROVIDER:MODEL:VOICE.
func (v *voiceList) Set(s string) error {
	e, err := compare.ParseEntry(s)
	if err != nil {
		return err
	}
	*v = append(*v, e)
	return nil
}

func runCompare(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "compare", "TEXT --voice PROVIDER:MODEL:VOICE --voice ... [flags]")
	var voices voiceList
	fs.Var(&voices, "voice", "a voice to compare, PROVIDER:MODEL:VOICE (repeat; empty MODEL = the provider's default, e.g. local::en-us)")
	format := fs.String("format", "", "format of the files written with --out-dir: "+strings.Join(codec.ExportNames(), ", ")+" (default wav)")
	outDir := fs.String("out-dir", "", "write one file per voice plus compare.csv and compare.json to this folder")
	force := fs.Bool("force", false, "replace files in --out-dir")
	asJSON := fs.Bool("json", false, "print the measurements as JSON instead of a table")
	play := fs.Bool("play", false, "play the voices in turn after rendering")
	gap := fs.Duration("gap", compare.DefaultGap, "silence between voices with --play")
	speed := fs.Float64("speed", 0, "speed multiplier for every voice, 1 = normal")
	file := fs.String("file", "", "read the text from this file")
	pos, err := parse(fs, args)
	if err != nil {
		return flagExit(err)
	}
	text, err := readText(env, pos, *file)
	if err != nil {
		return fail(env, err)
	}
	if strings.TrimSpace(text) == "" {
		return fail(env, usageErr("the text is empty; give a line to compare"))
	}
	if len(voices) == 0 {
		return fail(env, usageErr("no voices: add --voice PROVIDER:MODEL:VOICE at least once (see `chorus voices`)"))
	}
	enc := audio.WAV
	if *format != "" {
		f, ok := codec.Lookup(*format)
		e := f.Encoding
		if !ok || !codec.CanEncode(e) {
			return fail(env, usageErr("cannot write %q files; use %s (opus and aac need ffmpeg)", *format, codec.ExportList()))
		}
		enc = e
	}
	if *outDir != "" {
		// Like --per-chunk-dir: a folder that does not exist yet is made,
		// with its parents, before anything is rendered.
		if st, err := os.Stat(*outDir); err == nil && !st.IsDir() {
			return fail(env, usageErr("--out-dir %s is a file, not a folder; choose a folder", *outDir))
		}
		if err := os.MkdirAll(*outDir, 0o755); err != nil {
			return fail(env, usageErr("cannot create --out-dir %s: %v; choose a folder you can write to", *outDir, err))
		}
	}
	for i := range voices {
		voices[i].Speed = *speed
		if err := checkEntry(env.Engine, text, voices[i], flagGiven(fs, "speed")); err != nil {
			return fail(env, fmt.Errorf("voice %s: %w", voices[i].Key(), err))
		}
	}

	session := enc
	if !codec.CanDecode(session) {
		session = audio.WAV // render losslessly, convert on export
	}
	done := 0
	s, err := compare.Render(ctx, env.Engine, text, voices, compare.Options{
		Format: session,
		OnProgress: func(p compare.Progress) {
			if p.Phase == compare.PhaseDone || p.Phase == compare.PhaseFailed {
				done++
				fmt.Fprintf(env.Stderr, "[%d/%d] %s: %s\n", done, len(voices), p.Result.Label(), p.Phase)
			}
		},
	})
	if err != nil {
		return fail(env, err)
	}
	defer s.Close()

	code := ExitOK
	if s.Succeeded() < len(s.Results) {
		code = ExitFailure
	}
	var names map[int]string
	if *outDir != "" {
		out, err := compare.Export(s, *outDir, enc, *force)
		names = compare.ExportNames(s, enc)
		for i, name := range names {
			if !slices.Contains(out.Files, filepath.Join(*outDir, name)) {
				delete(names, i) // not written: keep it out of the report
			}
		}
		if err != nil {
			fmt.Fprintln(env.Stderr, "chorus: export:", err)
			code = ExitFailure
		}
		if out.Report != "" {
			fmt.Fprintf(env.Stderr, "saved %d audio files, %s and %s in %s\n", len(out.Files), compare.CSVFile, compare.ReportFile, *outDir)
		}
	}
	rep := compare.MakeReport(s, enc, names)
	if *asJSON {
		env.Stdout.Write(rep.JSON())
	} else {
		printTable(env.Stdout, rep)
	}
	for _, r := range s.Results {
		if r.Err != nil {
			fmt.Fprintf(env.Stderr, "chorus: #%d %s: %v\n", r.Index+1, r.Label(), r.Err)
		}
	}
	if *play && s.Succeeded() > 0 {
		err := compare.PlayInTurn(ctx, env.Engine, s, *gap, nil, func(i int) {
			fmt.Fprintf(env.Stderr, "playing #%d %s\n", i+1, s.Results[i].Label())
		})
		if err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintln(env.Stderr, "chorus: play:", err)
			code = ExitFailure
		}
	}
	return code
}

// checkEntry reports a request the provider would refuse (exit 2) before
// any work starts. Other failures (no key, no engine) are left to the
// render, where they fail only their own entry.
// speedGiven says --speed was on the command line, so 0 is refused.
func checkEntry(engine *core.Engine, text string, e compare.Entry, speedGiven bool) error {
	job := core.Job{Provider: e.Provider, Request: providers.Request{Text: text, Model: e.Model, Voice: e.Voice,
		Speed: e.Speed, Options: e.Options}, SpeedGiven: speedGiven}
	if _, _, err := engine.Prepare(&job); err != nil && providers.IsValidation(err) {
		return err
	}
	return nil
}

// printTable writes the measurements as aligned columns.
func printTable(w io.Writer, rep compare.Report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tVOICE\tTTFB\tFIRST AUDIO\tTOTAL\tAUDIO\tRTF\tSIZE\tCOST\tSTATUS")
	for i, r := range rep.Entries {
		voice := compare.Entry{Provider: r.Provider, Model: r.Model, Voice: r.Voice, Speed: r.Speed}.Label()
		if r.Error != "" {
			fmt.Fprintf(tw, "%d\t%s\t-\t-\t-\t-\t-\t-\t-\tfailed\n", i+1, voice)
			continue
		}
		cost := "?"
		if r.CostKnown {
			cost = fmt.Sprintf("$%.4f", r.CostUSD)
		}
		fmt.Fprintf(tw, "%d\t%s\t%.0f ms\t%.0f ms\t%.0f ms\t%.2f s\t%.2f\t%.1f KB\t%s\tok\n", i+1, voice,
			r.TTFBMs, r.FirstAudioMs, r.TotalMs,
			r.AudioSeconds, r.RTF, float64(r.Bytes)/1000, cost)
	}
	tw.Flush()
}

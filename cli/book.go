package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"chorus/book"
	"chorus/core"
	"chorus/documents"
	"chorus/pricing"
	"chorus/providers"
)

func init() {
	Register(Command{Name: "chapters", Summary: "list the chapters Chorus finds in a document (.epub .md .html .docx .odt .pdf …)", Run: runChapters})
}

func runChapters(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "chapters", "FILE")
	pos, err := parse(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) != 1 {
		return fail(env, usageErr("give one document: chorus chapters book.epub"))
	}
	d, err := documents.Open(ctx, pos[0], documents.Options{})
	if err != nil {
		return fail(env, usageErr("%v", err))
	}
	if d.Title != "" {
		fmt.Fprintf(env.Stdout, "%s", d.Title)
		if d.Author != "" {
			fmt.Fprintf(env.Stdout, " by %s", d.Author)
		}
		fmt.Fprintln(env.Stdout)
	}
	for i, c := range d.Chapters {
		fmt.Fprintf(env.Stdout, "%3d  %-50s %7d characters\n", i+1, title(c.Title, i), len([]rune(c.Text)))
	}
	return ExitOK
}

func title(t string, i int) string {
	if t == "" {
		return "Chapter " + strconv.Itoa(i+1)
	}
	return t
}

// bookFlags are the speak flags that turn a speak into an audiobook render.
var bookFlags = []string{"chapters", "out-dir", "cast", "lexicon", "loudness", "true-peak", "title", "author", "cover", "estimate", "speak-urls", "speak-code", "timed"}

// isBookSpeak says whether a speak command line asks for book rendering:
// one of bookFlags, or --out to an .m4b file.
func isBookSpeak(args []string) bool {
	for i, a := range args {
		name := strings.TrimLeft(a, "-")
		name, _, _ = strings.Cut(name, "=")
		if !strings.HasPrefix(a, "-") {
			continue
		}
		for _, f := range bookFlags {
			if name == f {
				return true
			}
		}
		if name == "out" {
			v := ""
			if _, after, ok := strings.Cut(a, "="); ok {
				v = after
			} else if i+1 < len(args) {
				v = args[i+1]
			}
			if strings.EqualFold(filepath.Ext(v), ".m4b") {
				return true
			}
		}
	}
	return false
}

// runBookSpeak renders a document chapter by chapter: one file per chapter
// (--chapters --out-dir) and/or one file with chapter markers (--out).
func runBookSpeak(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "speak", "--file BOOK [--chapters --out-dir DIR] [--out BOOK.m4b] [flags]")
	provider := fs.String("provider", "local", "provider ID for text outside [voice: …] lines: "+strings.Join(providers.IDs(), ", "))
	model := fs.String("model", "", "model (default: the provider's)")
	voice := fs.String("voice", "", "`NAME` of the voice (list them with: chorus voices)")
	baseURL := fs.String("base-url", "", "provider base URL (else env <ID>_BASE_URL)")
	file := fs.String("file", "", "the document to read (.epub .md .txt .html .docx .odt .pdf .srt .vtt)")
	out := fs.String("out", "", "one file for the whole book with chapter markers (.m4b audiobook, .mp3, .m4a)")
	chapters := fs.Bool("chapters", false, "write one file per chapter into --out-dir (01 - Title.mp3, …)")
	outDir := fs.String("out-dir", "", "folder for the chapter files")
	ext := fs.String("format", "mp3", "format of the chapter files: mp3, flac, opus, ogg, m4a, wav")
	force := fs.Bool("force", false, "replace files that exist")
	castFile := fs.String("cast", "", "cast file (JSON: name → {provider, model, voice}) for [voice: name] lines")
	lexFile := fs.String("lexicon", "", "pronunciation lexicon: lines word = respelling (== to match case), or word = /IPA/ [[espeak]] respelling")
	loud := fs.Float64("loudness", 0, "normalise to this loudness in LUFS (-16 podcasts, -18 or -19 audiobooks); 0 leaves levels alone")
	peak := fs.Float64("true-peak", -1.5, "true-peak ceiling in dBTP when normalising")
	bookTitle := fs.String("title", "", "book title for the tags (default: from the document)")
	author := fs.String("author", "", "author for the tags (default: from the document)")
	cover := fs.String("cover", "", "cover image (JPEG or PNG) for the M4B/MP3")
	estimate := fs.Bool("estimate", false, "print the estimate and stop, sending nothing")
	yes := fs.Bool("yes", false, "go ahead with a large book (over 100,000 characters or $1) without asking")
	retries := fs.Int("retries", 2, "attempts again per chapter after a failure")
	speakURLs := fs.Bool("speak-urls", false, "read web addresses aloud")
	speakCode := fs.Bool("speak-code", false, "read code blocks aloud")
	timed := fs.Bool("timed", false, "subtitles (.srt .vtt): start each cue's speech at its cue time, with silence between (a cue that runs long delays the next)")
	pos, err := parse(fs, args)
	if err != nil {
		return flagExit(err)
	}
	switch {
	case len(pos) > 0:
		return fail(env, usageErr("book rendering reads --file; give the text in a file"))
	case *file == "":
		return fail(env, usageErr("give the document with --file"))
	case *chapters && *outDir == "":
		return fail(env, usageErr("--chapters needs --out-dir DIR"))
	case !*estimate && !*chapters && *out == "":
		return fail(env, usageErr("say where the audio goes: --out book.m4b and/or --chapters --out-dir DIR"))
	case *loud != 0 && (*loud < -40 || *loud > -5):
		return fail(env, usageErr("--loudness %.1f is out of range; use a target between -40 and -5 LUFS, such as -16, -18 or -19", *loud))
	}
	if *timed {
		return runTimedSpeak(ctx, env, *file, *out, *force, *provider, *model, *voice, *baseURL, *castFile, book.Loudness{LUFS: *loud, TruePeak: *peak})
	}
	fileExt := "." + strings.TrimPrefix(strings.ToLower(*ext), ".")
	if !contains(book.Formats(), fileExt) {
		return fail(env, usageErr("--format %q: use one of %s", *ext, strings.Join(book.Formats(), " ")))
	}
	d, err := documents.Open(ctx, *file, documents.Options{SpeakURLs: *speakURLs, SpeakCode: *speakCode})
	if err != nil {
		return fail(env, usageErr("%v", err))
	}
	b := &book.Book{Title: d.Title, Author: d.Author, Cover: *cover}
	if *bookTitle != "" {
		b.Title = *bookTitle
	}
	if *author != "" {
		b.Author = *author
	}
	for i, c := range d.Chapters {
		b.Chapters = append(b.Chapters, book.Chapter{Title: title(c.Title, i), Text: c.Text})
	}
	r := &book.Renderer{Engine: env.Engine, Default: book.Voice{Provider: *provider, Model: *model, Voice: *voice, BaseURL: *baseURL},
		Retries: max(*retries, 0), Prices: pricing.DefaultTable()}
	if *castFile != "" {
		if r.Cast, err = book.LoadCast(*castFile); err != nil {
			return fail(env, usageErr("%v", err))
		}
	}
	// The user's own pronunciations (chorus lexicon), then --lexicon's:
	// an entry in the file given wins.
	if path, perr := globalLexiconPath(); perr == nil {
		global, _, err := book.LoadLexiconFile(path)
		if err != nil {
			return fail(env, usageErr("%v; fix it (chorus lexicon list) or delete the file", err))
		}
		r.Lexicon = global
	}
	if *lexFile != "" {
		lx, err := book.LoadLexicon(*lexFile)
		if err != nil {
			return fail(env, usageErr("%v", err))
		}
		r.Lexicon = book.Merge(r.Lexicon, lx)
	}
	est, err := r.Estimate(b)
	if errors.Is(err, book.ErrUnknownVoice) || errors.Is(err, book.ErrNoPhonemes) {
		return fail(env, usageErr("%v", err))
	} else if err != nil {
		return fail(env, err)
	}
	printEstimate(env, est)
	if *estimate {
		return ExitOK
	}
	if total := est[len(est)-1]; !*yes && core.IsLarge(total.Characters, total.Cost, total.CostKnown) {
		return fail(env, usageErr("this is a large book: %d characters in %d requests; add --yes to go ahead", total.Characters, total.Requests))
	}
	r.OnChapter = func(i int, t string) { fmt.Fprintf(env.Stderr, "rendering %d/%d: %s\n", i+1, len(b.Chapters), t) }
	rd, err := r.Render(ctx, b)
	if err != nil {
		return fail(env, err)
	}
	defer rd.Close()
	l := book.Loudness{LUFS: *loud, TruePeak: *peak}
	var written []string
	if *chapters {
		paths, err := rd.ExportChapters(ctx, *outDir, fileExt, *cover, l, *force)
		written = append(written, paths...)
		if err != nil {
			return fail(env, err)
		}
	}
	if *out != "" {
		if err := rd.ExportBook(ctx, *out, *cover, l, *force); err != nil {
			return fail(env, err)
		}
		written = append(written, *out)
	}
	for _, p := range written {
		line := "saved " + p
		if *loud != 0 {
			if m, err := book.Measure(ctx, p); err == nil {
				line += fmt.Sprintf(" (%.1f LUFS, true peak %.1f dBTP)", m.LUFS, m.TruePeak)
			}
		}
		fmt.Fprintln(env.Stderr, line)
	}
	return ExitOK
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func printEstimate(env *Env, est []book.Estimate) {
	fmt.Fprintf(env.Stderr, "%-40s %10s %8s %10s %9s %12s\n", "Chapter", "characters", "requests", "cost", "audio", "render time")
	guess := false
	for _, e := range est {
		cost := "unknown"
		if e.CostKnown {
			cost = fmt.Sprintf("$%.4f", e.Cost)
		}
		t := e.Title
		if len(t) > 40 {
			t = t[:39] + "…"
		}
		render := e.Render.Round(time.Second).String()
		if e.Render < time.Second {
			render = "<1s"
		}
		if e.RenderGuess {
			render += " *"
			guess = true
		}
		fmt.Fprintf(env.Stderr, "%-40s %10d %8d %10s %9s %12s\n", t, e.Characters, e.Requests, cost, e.Audio.Round(time.Second), render)
	}
	if guess {
		fmt.Fprintln(env.Stderr, "* a default guess: Chorus has not rendered with this voice's provider yet; it measures each render and uses that next time")
	}
}

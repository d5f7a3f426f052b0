package cli

import (
	"context"
	"fmt"
	"strings"

	"chorus/book"
)

func init() {
	Register(Command{Name: "lexicon", Summary: "list, add or remove pronunciations applied to every book render", Run: runLexicon})
}

// globalLexiconPath is where the lexicon command keeps the list (tests
// point it elsewhere).
var globalLexiconPath = book.GlobalLexiconPath

// runLexicon edits the user's pronunciation list:
//
//	chorus lexicon [list]
//	chorus lexicon add WORD [RESPELLING] [--ipa IPA] [--espeak PHONEMES] [--exact]
//	chorus lexicon remove WORD
func runLexicon(ctx context.Context, env *Env, args []string) int {
	path, err := globalLexiconPath()
	if err != nil {
		return fail(env, err)
	}
	sub := "list"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	lx, _, err := book.LoadLexiconFile(path)
	if err != nil {
		return fail(env, usageErr("%v; fix or delete the file", err))
	}
	switch sub {
	case "list":
		fs := newFlags(env, "lexicon list", "")
		if _, err := parse(fs, args); err != nil {
			return flagExit(err)
		}
		if len(lx) == 0 {
			fmt.Fprintf(env.Stderr, "no pronunciations yet; add one with: chorus lexicon add WORD REPLACEMENT (kept in %s)\n", path)
			return ExitOK
		}
		fmt.Fprint(env.Stdout, lx.Text())
		return ExitOK
	case "add":
		fs := newFlags(env, "lexicon add", "WORD [RESPELLING]")
		exact := fs.Bool("exact", false, "match the word's case exactly")
		ipa := fs.String("ipa", "", "the word's phonemes in IPA, for voices that read SSML phonemes (e.g. təˈmɑːtoʊ)")
		espeak := fs.String("espeak", "", "the word's phonemes in espeak-ng's alphabet, for the local voice (e.g. t@m'A:toU)")
		pos, err := parse(fs, args)
		if err != nil {
			return flagExit(err)
		}
		hasPh := strings.TrimSpace(*ipa) != "" || strings.TrimSpace(*espeak) != ""
		if len(pos) < 1 || len(pos) > 2 || (len(pos) == 1 && !hasPh) || strings.TrimSpace(pos[0]) == "" || strings.Contains(pos[0], "=") {
			return fail(env, usageErr("give a word and how to say it, e.g. chorus lexicon add Nguyen win, or chorus lexicon add tomato tuh-MAH-toe --ipa təˈmɑːtoʊ"))
		}
		rep := ""
		if len(pos) == 2 {
			rep = pos[1]
		}
		// The flags go in the file's own syntax, so one parser checks both.
		if v := strings.TrimSpace(*ipa); v != "" {
			rep = "/" + v + "/ " + rep
		}
		if v := strings.TrimSpace(*espeak); v != "" {
			rep = "[[" + v + "]] " + rep
		}
		e, err := book.ParseEntry(pos[0], rep, *exact)
		if err != nil {
			return fail(env, usageErr("%v", err))
		}
		out := book.Lexicon{}
		for _, old := range lx {
			if !strings.EqualFold(old.Word, e.Word) {
				out = append(out, old)
			}
		}
		out = append(out, e)
		if _, err := book.SaveLexiconText(path, out.Text()); err != nil {
			return fail(env, err)
		}
		fmt.Fprintf(env.Stderr, "%s (%d pronunciations in %s)\n", strings.TrimSpace(book.Lexicon{e}.Text()), len(out), path)
		if e.HasPhonemes() && e.Replacement == "" {
			fmt.Fprintf(env.Stderr, "voices that cannot read these phonemes will refuse %q; add a respelling to use it with every voice\n", e.Word)
		}
		return ExitOK
	case "remove", "delete":
		fs := newFlags(env, "lexicon remove", "WORD")
		pos, err := parse(fs, args)
		if err != nil {
			return flagExit(err)
		}
		if len(pos) != 1 {
			return fail(env, usageErr("give exactly one word to remove"))
		}
		out := book.Lexicon{}
		for _, e := range lx {
			if !strings.EqualFold(e.Word, pos[0]) {
				out = append(out, e)
			}
		}
		if len(out) == len(lx) {
			return fail(env, usageErr("%q is not in the lexicon; see chorus lexicon list", pos[0]))
		}
		if _, err := book.SaveLexiconText(path, out.Text()); err != nil {
			return fail(env, err)
		}
		fmt.Fprintf(env.Stderr, "removed %q\n", pos[0])
		return ExitOK
	}
	return fail(env, usageErr("unknown lexicon command %q; use list, add or remove", sub))
}

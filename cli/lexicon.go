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
//	chorus lexicon add WORD REPLACEMENT [--exact]
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
		fs := newFlags(env, "lexicon add", "WORD REPLACEMENT")
		exact := fs.Bool("exact", false, "match the word's case exactly")
		pos, err := parse(fs, args)
		if err != nil {
			return flagExit(err)
		}
		if len(pos) != 2 || strings.TrimSpace(pos[0]) == "" || strings.Contains(pos[0], "=") {
			return fail(env, usageErr("give a word and how to say it, e.g. chorus lexicon add Nguyen win"))
		}
		out := book.Lexicon{}
		for _, e := range lx {
			if !strings.EqualFold(e.Word, pos[0]) {
				out = append(out, e)
			}
		}
		out = append(out, book.Entry{Word: strings.TrimSpace(pos[0]), Replacement: strings.TrimSpace(pos[1]), MatchCase: *exact})
		if _, err := book.SaveLexiconText(path, out.Text()); err != nil {
			return fail(env, err)
		}
		fmt.Fprintf(env.Stderr, "%q is now said %q (%d pronunciations in %s)\n", pos[0], pos[1], len(out), path)
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

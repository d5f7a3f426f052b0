package cli

import (
	"context"
	"errors"
	"flag"

	"chorus/internal/screentext"
)

// screenTextFlags adds --clipboard and --selection to `chorus speak` and
// returns the text reader to use after parsing: the screen's text when one
// of them is set, else readText.
func screenTextFlags(fs *flag.FlagSet) func(ctx context.Context, env *Env, pos []string, file string) (string, error) {
	clipboard := fs.Bool("clipboard", false, "speak the text on the clipboard")
	selection := fs.Bool("selection", false, "speak the selected text (X11 PRIMARY, Wayland primary selection)")
	return func(ctx context.Context, env *Env, pos []string, file string) (string, error) {
		var src screentext.Source
		switch {
		case *clipboard && *selection:
			return "", usageErr("give --clipboard or --selection, not both")
		case *clipboard:
			src = screentext.Clipboard
		case *selection:
			src = screentext.Selection
		default:
			return readText(env, pos, file)
		}
		if len(pos) > 0 || file != "" {
			return "", usageErr("--%s reads the text itself: drop the text argument and --file", src)
		}
		text, err := screentext.Read(ctx, src)
		if errors.Is(err, screentext.ErrEmpty) || errors.Is(err, screentext.ErrImage) {
			return "", usageErr("%v", err)
		}
		return text, err
	}
}

//go:build linux || freebsd || openbsd || netbsd || dragonfly

package screentext

import (
	"bytes"
	"chorus/internal/childenv"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// textTypes are the targets that carry text, best first.
var textTypes = []string{"UTF8_STRING", "text/plain;charset=utf-8", "text/plain", "STRING", "TEXT"}

func read(ctx context.Context, src Source) (string, error) {
	if os.Getenv("WAYLAND_DISPLAY") != "" {
		if _, err := exec.LookPath("wl-paste"); err == nil {
			return readWayland(ctx, src)
		}
	}
	if os.Getenv("DISPLAY") == "" {
		return "", unsupported("there is no X11 or Wayland display")
	}
	if _, err := exec.LookPath("xclip"); err == nil {
		return readXclip(ctx, src)
	}
	if _, err := exec.LookPath("xsel"); err == nil {
		return readXsel(ctx, src)
	}
	return "", unsupported("install xclip or xsel (or wl-clipboard on Wayland)")
}

// pick returns the best text type among targets, or the error that says why
// there is none.
func pick(targets []string) (string, error) {
	have := map[string]bool{}
	image := false
	for _, t := range targets {
		t = strings.TrimSpace(t)
		have[t] = true
		image = image || strings.HasPrefix(t, "image/")
	}
	for _, t := range textTypes {
		if have[t] {
			return t, nil
		}
	}
	if image {
		return "", ErrImage
	}
	return "", ErrEmpty
}

func readXclip(ctx context.Context, src Source) (string, error) {
	sel := "clipboard"
	if src == Selection {
		sel = "primary"
	}
	out, err := run(ctx, "xclip", "-selection", sel, "-o", "-t", "TARGETS")
	if err != nil {
		// xclip fails when nobody owns the selection.
		return "", ErrEmpty
	}
	typ, err := pick(strings.Split(out, "\n"))
	if err != nil {
		return "", err
	}
	return run(ctx, "xclip", "-selection", sel, "-o", "-t", typ)
}

func readXsel(ctx context.Context, src Source) (string, error) {
	flag := "--clipboard"
	if src == Selection {
		flag = "--primary"
	}
	out, err := run(ctx, "xsel", flag, "--output")
	if err != nil {
		return "", ErrEmpty
	}
	return out, nil
}

func readWayland(ctx context.Context, src Source) (string, error) {
	args := []string{}
	if src == Selection {
		args = append(args, "--primary")
	}
	out, err := run(ctx, "wl-paste", append(args, "--list-types")...)
	if err != nil {
		return "", ErrEmpty
	}
	typ, err := pick(strings.Split(out, "\n"))
	if err != nil {
		return "", err
	}
	return run(ctx, "wl-paste", append(args, "--no-newline", "--type", typ)...)
}

// run runs a clipboard tool and returns its output.
func run(ctx context.Context, name string, args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = childenv.Environ()
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("%s did not answer: %w", name, ctx.Err())
		}
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", errors.New(name + ": " + msg)
	}
	return stdout.String(), nil
}

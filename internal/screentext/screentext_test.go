//go:build linux

package screentext_test

import (
	"context"
	"errors"
	"testing"

	"chorus/assets"
	"chorus/internal/audiotest"
	"chorus/internal/screentext"
	"chorus/internal/screentext/xcliptest"
)

func TestReadsClipboardAndSelectionApart(t *testing.T) {
	audiotest.RequireReal(t)
	t.Setenv("WAYLAND_DISPLAY", "")
	xcliptest.PrivateDisplay(t)
	clip, prim := "Copied: naïve café, 42 words\nand a second line.", "Highlighted text, not copied."
	xcliptest.Own(t, "clipboard", "UTF8_STRING", []byte(clip))
	xcliptest.Own(t, "primary", "UTF8_STRING", []byte(prim))
	for src, want := range map[screentext.Source]string{screentext.Clipboard: clip, screentext.Selection: prim} {
		got, err := screentext.Read(context.Background(), src)
		if err != nil || got != want {
			t.Errorf("Read(%s) = %q, %v; want %q", src, got, err, want)
		}
	}
}

func TestEmptyAndImageSayWhy(t *testing.T) {
	audiotest.RequireReal(t)
	t.Setenv("WAYLAND_DISPLAY", "")
	xcliptest.PrivateDisplay(t)
	xcliptest.Own(t, "clipboard", "image/png", assets.Icon.Content())
	_, err := screentext.Read(context.Background(), screentext.Clipboard)
	if !errors.Is(err, screentext.ErrImage) || err.Error() != "the clipboard holds an image, not text: copy or select some text first" {
		t.Errorf("image clipboard: %v", err)
	}
	xcliptest.Own(t, "primary", "UTF8_STRING", []byte(" \n\t"))
	_, err = screentext.Read(context.Background(), screentext.Selection)
	if !errors.Is(err, screentext.ErrEmpty) || err.Error() != "the selection is empty: copy or select some text first" {
		t.Errorf("blank selection: %v", err)
	}
}

func TestNoDisplayIsUnsupported(t *testing.T) {
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	_, err := screentext.Read(context.Background(), screentext.Clipboard)
	if !errors.Is(err, screentext.ErrUnsupported) {
		t.Errorf("no display: %v", err)
	}
}

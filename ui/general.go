package ui

import (
	"errors"
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"chorus/ui/modal"
	"chorus/ui/tray"
)

// themeChoices are the General tab's theme options.
var themeChoices = []string{"System", "Light", "Dark"}

const themeKey = "theme"

// variantTheme draws the default theme in a fixed variant (light or dark).
type variantTheme struct {
	fyne.Theme
	v fyne.ThemeVariant
}

// Color draws every color in the fixed variant.
func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.v)
}

// ApplyTheme sets the app's theme from a General tab choice.
func ApplyTheme(a fyne.App, choice string) {
	switch choice {
	case "Light":
		a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantLight})
	case "Dark":
		a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantDark})
	default:
		a.Settings().SetTheme(theme.DefaultTheme())
	}
}

// GeneralPage is Settings → General: theme, default export folder, and the
// cache with its size and a Clear button.
func (s *Studio) GeneralPage(win fyne.Window) fyne.CanvasObject {
	th := widget.NewRadioGroup(themeChoices, func(c string) {
		s.prefs().SetString(themeKey, c)
		ApplyTheme(s.App, c)
	})
	th.Horizontal = true
	th.SetSelected(s.prefs().StringWithFallback(themeKey, "System"))
	folder := widget.NewEntry()
	folder.SetText(s.Settings.ExportDir())
	folder.PlaceHolder = "your home folder"
	folder.OnChanged = s.Settings.SetExportDir
	browse := widget.NewButton("Browse…", func() {
		modal.ShowFolderOpen(func(u fyne.ListableURI, err error) {
			if err == nil && u != nil {
				folder.SetText(u.Path())
			}
		}, win)
	})
	form := widget.NewForm(
		widget.NewFormItem("Theme", th),
		widget.NewFormItem("Export folder", container.NewBorder(nil, nil, nil, browse, folder)),
	)
	if s.Hotkey != nil {
		form.Append("Speak selection", s.shortcutRow())
	}
	if c := s.Engine.Cache; c != nil {
		clear := widget.NewButton("Clear cache", nil)
		show := func() {
			_, size, err := c.Usage()
			if err != nil {
				clear.SetText("Clear cache")
				return
			}
			clear.SetText(fmt.Sprintf("Clear cache (%s)", humanBytes(size)))
		}
		clear.OnTapped = func() {
			modal.ShowConfirm("Clear the cache?", "Audio kept to replay text without asking the provider again is deleted. History entries stay.", func(yes bool) {
				if !yes {
					return
				}
				if err := c.ClearChunks(); err != nil {
					modal.ShowError(fmt.Errorf("Could not clear the cache: %w", err), win)
				}
				show()
			}, win)
		}
		show()
		form.Append("Cache", clear)
	}
	return form
}

// ShortcutKey is the preference that holds the global shortcut.
const ShortcutKey = "tray.shortcut"

// shortcutRow edits the global shortcut that speaks the selection from any
// app, and says whether it works on this desktop.
func (s *Studio) shortcutRow() fyne.CanvasObject {
	entry := widget.NewEntry()
	state := widget.NewLabel("")
	state.Wrapping = fyne.TextWrapWord
	show := func() {
		sc, err := s.Hotkey.Current()
		entry.SetText(sc.String())
		if err != nil {
			state.SetText(tray.NoShortcutAdvice)
			return
		}
		state.SetText("Press " + sc.String() + " in any application to hear the selected text.")
	}
	apply := widget.NewButton("Apply", func() {
		if err := s.Hotkey.Set(entry.Text); err != nil {
			msg := err.Error()
			if errors.Is(err, tray.ErrNoShortcut) {
				cur, _ := s.Hotkey.Current()
				msg = strings.TrimPrefix(msg, tray.ErrNoShortcut.Error()+": ")
				msg = "That shortcut cannot be used: " + msg + ". " + cur.String() + " still works."
			}
			state.SetText(PlainError(errors.New(msg)))
			return
		}
		sc, _ := s.Hotkey.Current()
		s.prefs().SetString(ShortcutKey, sc.String())
		show()
		if s.OnShortcutChanged != nil {
			s.OnShortcutChanged()
		}
	})
	entry.OnSubmitted = func(string) { apply.OnTapped() }
	entry.PlaceHolder = tray.DefaultShortcut
	show()
	return container.NewVBox(container.NewBorder(nil, nil, nil, apply, entry), state)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

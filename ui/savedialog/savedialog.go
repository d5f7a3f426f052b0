// Package savedialog asks where to save audio without touching the disk:
// unlike Fyne's file-save dialog, which creates (and truncates) the chosen
// file at once, it only returns a path. The caller writes the file
// atomically, so a failed export never leaves an empty or broken file, and
// an existing file is replaced only after the user has confirmed.
package savedialog

import (
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"chorus/ui/modal"
)

// Options configure the dialog.
type Options struct {
	Title string             // e.g. "Export audio"
	Dir   string             // starting folder ("" = home)
	Name  string             // suggested file name
	Hint  string             // one line under the fields
	Extra []*widget.FormItem // more fields (e.g. "Also play it")
}

// Show opens the dialog; save is called with the chosen path and whether the
// user agreed to replace an existing file there.
func Show(win fyne.Window, opts Options, save func(path string, replace bool)) dialog.Dialog {
	dir := opts.Dir
	if dir == "" {
		dir, _ = os.UserHomeDir()
	}
	name := widget.NewEntry()
	name.SetText(opts.Name)
	folder := widget.NewEntry()
	folder.SetText(dir)
	browse := widget.NewButton("Browse…", func() {
		modal.ShowFolderOpen(func(u fyne.ListableURI, err error) {
			if err == nil && u != nil {
				folder.SetText(u.Path())
			}
		}, win)
	})
	items := []*widget.FormItem{
		widget.NewFormItem("File name", name),
		widget.NewFormItem("Folder", container.NewBorder(nil, nil, nil, browse, folder)),
	}
	items = append(items, opts.Extra...)
	if opts.Hint != "" {
		items = append(items, widget.NewFormItem("", widget.NewLabel(opts.Hint)))
	}
	title := opts.Title
	if title == "" {
		title = "Save"
	}
	d := dialog.NewForm(title, "Save", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		path := filepath.Join(strings.TrimSpace(folder.Text), strings.TrimSpace(name.Text))
		Confirm(win, path, save)
	}, win)
	d.Resize(fyne.NewSize(520, 260))
	modal.Show(d, win)
	return d
}

// Confirm calls save(path, false) when path is free, or asks first and calls
// save(path, true) when it exists and the user agrees to replace it.
func Confirm(win fyne.Window, path string, save func(path string, replace bool)) {
	if _, err := os.Stat(path); err == nil {
		modal.ShowConfirm("Replace file?", filepath.Base(path)+" already exists. Replace it?", func(yes bool) {
			if yes {
				save(path, true)
			}
		}, win)
		return
	}
	save(path, false)
}

package ui

import (
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"chorus/providers"
	"chorus/ui/modal"
)

// optionField is one provider-specific setting in the Advanced area.
type optionField struct {
	opt   providers.Option
	value func() string // "" means "leave the provider's default"
	item  *widget.FormItem
}

// buildOptions rebuilds the provider-specific fields (and the transport
// picker) for the selected provider and model; only the options that apply
// to that model are shown, with the documented ranges enforced by the widgets.
func (s *Studio) buildOptions(caps providers.Capabilities, model string) {
	s.optionFields = nil
	var items []*widget.FormItem
	if len(caps.Transports) > 0 {
		sel := widget.NewSelect(caps.Transports, nil)
		sel.SetSelected(caps.Transports[0])
		if t := s.prefs().String(pickKey(s.ProviderID(), "transport")); slices.Contains(caps.Transports, t) {
			sel.SetSelected(t)
		}
		sel.OnChanged = func(string) { s.remember() }
		s.transportPick = sel
		items = append(items, widget.NewFormItem("Transport", sel))
	} else {
		s.transportPick = nil
	}
	for _, o := range caps.Options {
		if len(o.Models) > 0 && !slices.Contains(o.Models, model) {
			continue
		}
		f := newOptionField(o, s.Window, s.prefs().String(pickKey(s.ProviderID(), "opt."+o.Key)), s.remember)
		s.optionFields = append(s.optionFields, f)
		items = append(items, f.item)
	}
	if len(items) == 0 {
		s.providerOptions.Objects = nil
	} else {
		s.providerOptions.Objects = []fyne.CanvasObject{widget.NewForm(items...)}
	}
	s.providerOptions.Refresh()
}

// newOptionField builds the field for one option, showing saved (what was
// chosen before, "" for the default) when the option accepts it, and
// calling changed when the user changes it.
func newOptionField(o providers.Option, win fyne.Window, saved string, changed func()) *optionField {
	label := o.Label
	if label == "" {
		label = o.Key
	}
	f := &optionField{opt: o}
	switch {
	case len(o.Choices) > 0:
		sel := widget.NewSelect(append([]string{"default"}, o.Choices...), nil)
		sel.SetSelected("default")
		if o.Default != "" && slices.Contains(o.Choices, o.Default) {
			sel.SetSelected(o.Default)
		}
		if slices.Contains(o.Choices, saved) {
			sel.SetSelected(saved)
		}
		sel.OnChanged = func(string) { changed() }
		f.value = func() string {
			if sel.Selected == "default" {
				return ""
			}
			return sel.Selected
		}
		f.item = widget.NewFormItem(label, sel)
	case o.Range != nil:
		r := *o.Range
		sl := widget.NewSlider(r.Min, r.Max)
		sl.Step = (r.Max - r.Min) / 100
		sl.SetValue(r.Default)
		val := widget.NewLabel("default")
		touched := false
		sl.OnChanged = func(v float64) { touched = true; val.SetText(strconv.FormatFloat(v, 'g', 3, 64)) }
		if v, err := strconv.ParseFloat(saved, 64); err == nil && v >= r.Min && v <= r.Max {
			sl.SetValue(v)
		}
		sl.OnChangeEnded = func(float64) { changed() }
		f.value = func() string {
			if !touched {
				return ""
			}
			return strconv.FormatFloat(sl.Value, 'g', 4, 64)
		}
		f.item = widget.NewFormItem(label, container.NewBorder(nil, nil, nil, val, sl))
	default:
		e := widget.NewEntry()
		e.SetPlaceHolder(o.Default)
		e.Validator = func(v string) error {
			if v == "" {
				return nil
			}
			return o.Check(v)
		}
		if saved != "" && o.Check(saved) == nil {
			e.SetText(saved)
		}
		e.OnChanged = func(string) { changed() }
		f.value = func() string { return strings.TrimSpace(e.Text) }
		f.item = widget.NewFormItem(label, e)
		if strings.HasSuffix(o.Key, "_file") && win != nil {
			// A file option (a reference recording to clone): pick it.
			browse := widget.NewButton("Browse…", func() {
				d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
					if err == nil && r != nil {
						e.SetText(r.URI().Path())
						r.Close()
					}
				}, win)
				d.SetFilter(storage.NewExtensionFileFilter([]string{".wav", ".mp3", ".flac"}))
				modal.Show(d, win)
			})
			f.item.Widget = container.NewBorder(nil, nil, nil, browse, e)
		}
	}
	if o.Help != "" {
		f.item.HintText = o.Help
	}
	return f
}

// providerOptionValues collects the options the user set.
func (s *Studio) providerOptionValues() map[string]string {
	var m map[string]string
	for _, f := range s.optionFields {
		if v := f.value(); v != "" {
			if m == nil {
				m = map[string]string{}
			}
			m[f.opt.Key] = v
		}
	}
	return m
}

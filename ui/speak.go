package ui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"chorus/audio"
	"chorus/audio/codec"
	"chorus/core"
	"chorus/player"
	"chorus/providers"
	"chorus/ui/modal"
	"chorus/ui/savedialog"
)

// Speak synthesizes the text and plays it while it arrives.
func (s *Studio) Speak() { s.run(core.Job{Play: true}, "Speaking") }

// Stop cancels the synthesis and silences playback at once.
func (s *Studio) Stop() {
	s.mu.Lock()
	cancel := s.cancel
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// Busy reports whether a synthesis is running.
func (s *Studio) Busy() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.busy
}

// run starts a job in a worker. The UI stays live: the worker reports
// through fyne.Do, and Stop cancels its context.
func (s *Studio) run(job core.Job, verb string) { s.runAsked(job, verb, false) }

// runAsked is run; asked says the user has already agreed to a large job
// (then job is the one already checked and estimated).
//
// The job is checked on the UI goroutine, so a mistake (no text, a value
// the provider does not offer, a file that cannot be written) is shown at
// once; core's one pipeline then streams it in the background.
func (s *Studio) runAsked(job core.Job, verb string, asked bool) {
	if s.Busy() {
		s.SetStatus("Already working: press Stop first.")
		return
	}
	if !asked {
		id := s.ProviderID()
		job.Provider = id
		job.BaseURL = s.Settings.BaseURL(id)
		job.Request = s.Request()
		if s.override != "" {
			job.Request.Text = s.override
		}
		s.Settings.SetText(keepable(s.Text.Text))
		s.applyLong(&job) // "Speak from here", chunk size and parallel requests (long.go)
		// The estimate checks the job as Start does: its error is Start's.
		est, err := s.Engine.Estimate(job)
		if err != nil {
			s.showError(err)
			return
		}
		if est.Large() {
			s.askLargeJob(est, func() { s.runAsked(job, verb, true) })
			return
		}
	}
	s.mu.Lock()
	ctx, runID := s.beginLocked()
	s.mu.Unlock()
	s.SetStatus(verb + "…")
	job.OnEvent = func(ev core.Event) {
		var msg string
		switch ev.Stage {
		case core.StageRequest:
			msg = "Waiting for the first audio…"
		case core.StageFirstByte:
			msg = fmt.Sprintf("%s… (first audio after %.0f ms)", verb, ev.Stats.TTFBMs)
		case core.StageNotice:
			msg = ev.Message
		default:
			return
		}
		uiDo(func() { s.SetStatus(msg) })
	}
	s.PauseButton.SetText("Pause")
	s.startLong(&job) // progress, highlight (long.go)
	done := make(chan struct{})
	if job.Play && job.Sink == nil {
		// The device is opened by the pipeline, in its worker: opening it
		// can take a while, and the UI goroutine never waits for audio.
		job.OpenPlayer = s.openPlayer
		job.OnSink = func(player.Sink) {
			uiDo(func() { s.PauseButton.Enable() })
			go s.watchTransport(done)
		}
	}
	run, err := s.Engine.Start(ctx, job)
	if err != nil {
		close(done)
		s.finish(runID, job, nil, err)
		return
	}
	go func() {
		res, err := run.Wait()
		close(done)
		uiDo(func() { s.finish(runID, job, res, err) })
	}()
}

// PreviewVoice plays a short sample of the chosen voice: the provider's
// own sample when it hosts one, else a line spoken in it (cached, so it
// is paid once). It is a run like Speak: Stop ends it.
func (s *Studio) PreviewVoice() {
	s.mu.Lock()
	if s.busy {
		s.mu.Unlock()
		s.SetStatus("Already working: press Stop first.")
		return
	}
	id, vid := s.ProviderID(), s.VoiceID()
	v := providers.Voice{ID: vid}
	for _, x := range s.Voice.Voices() {
		if x.ID == vid {
			v = x
		}
	}
	model, base := strings.TrimSpace(s.Model.Text), s.Settings.BaseURL(id)
	ctx, runID := s.beginLocked()
	s.mu.Unlock()
	name := v.Name
	if name == "" {
		name = vid
	}
	if name == "" {
		name = "the default voice"
	}
	s.SetStatus("Playing a sample of " + name + "…")
	go func() {
		_, hosted, err := s.Engine.Preview(ctx, id, base, model, v, nil)
		stopped := ctx.Err() != nil // before end, which cancels ctx
		uiDo(func() {
			if !s.end(runID) {
				return
			}
			switch {
			case stopped:
				s.SetStatus("Stopped.")
			case err != nil:
				s.showError(err)
			case hosted:
				s.SetStatus("Played the provider's own sample of " + name + ".")
			default:
				s.SetStatus("Played a line in " + name + ". It is cached: previewing it again is free.")
			}
		})
	}()
}

// askLargeJob shows what a large job will take (characters, requests,
// cost, length) and runs goAhead only if the user agrees.
func (s *Studio) askLargeJob(est core.Estimate, goAhead func()) {
	msg := widget.NewLabel("This text is long: " + est.String() + ".\nDo you want to go ahead?")
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm("Speak a large text?", "Go ahead", "Cancel", msg, func(ok bool) {
		if ok {
			goAhead()
		} else {
			s.SetStatus("Cancelled: nothing was sent.")
		}
	}, s.Window)
	d.Resize(fyne.NewSize(520, 200))
	modal.Show(d, s.Window)
}

// beginLocked marks the studio busy with a new run that Stop cancels,
// and sets the buttons for it. s.mu must be held and s.busy false.
func (s *Studio) beginLocked() (context.Context, int) {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.busy = cancel, true
	s.runID++
	s.SpeakButton.Disable()
	s.ExportButton.Disable()
	s.StopButton.Enable()
	return ctx, s.runID
}

// end ends run runID: not busy, buttons restored. It reports false when a
// newer run has started since (then nothing is touched).
func (s *Studio) end(runID int) bool {
	s.mu.Lock()
	if runID != s.runID {
		s.mu.Unlock()
		return false
	}
	s.busy = false
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
	s.mu.Unlock()
	s.SpeakButton.Enable()
	s.ExportButton.Enable()
	s.StopButton.Disable()
	s.PauseButton.Disable()
	s.PauseButton.SetText("Pause")
	return true
}

// finish restores the buttons and reports the outcome.
func (s *Studio) finish(runID int, job core.Job, res *core.Result, err error) {
	if !s.end(runID) {
		return
	}
	s.endLong()
	switch {
	case errors.Is(err, context.Canceled):
		s.SetStatus("Stopped.")
	case err != nil:
		s.showError(err)
	case job.Out != "":
		s.SetStatus(fmt.Sprintf("Saved %s (%.1f s of audio).%s", job.Out, res.Stats.AudioSeconds, costNote(res.Stats)))
	default:
		note := ""
		if res.Stats.Underruns > 0 {
			note = fmt.Sprintf(" %d underrun(s): the provider was slower than playback.", res.Stats.Underruns)
		}
		s.SetStatus(fmt.Sprintf("Done: %.1f s of audio, first sound after %.0f ms.%s%s", res.Stats.AudioSeconds, res.Stats.FirstAudioMs, note, costNote(res.Stats)))
	}
}

// costNote tells what a finished run cost: the characters the service
// billed when it said, and the price table's figure when it knows one.
func costNote(st core.Stats) string {
	var parts []string
	if st.BilledChars > 0 {
		parts = append(parts, fmt.Sprintf("%d characters billed", st.BilledChars))
	}
	if st.CostKnown && st.CostUSD > 0 {
		parts = append(parts, fmt.Sprintf("about $%.4f", st.CostUSD))
	}
	if len(parts) == 0 {
		return ""
	}
	return " Cost: " + strings.Join(parts, ", ") + "."
}

// keepable limits what is remembered of the text between runs.
func keepable(t string) string {
	if len(t) > 64<<10 {
		return ""
	}
	return t
}

// ExportChoice is what the Export dialog asks besides the file's place.
type ExportChoice struct {
	Format     string // wav, mp3, flac, ogg, pcm; "" keeps the file name's extension
	SampleRate int    // 0 keeps the provider's rate
	Subtitles  string // "", "srt", "vtt" or "lrc": written next to the audio
	PerChunk   bool   // also one file per chunk, in <name>-chunks/
	Sidecar    bool   // also <name>.json describing the export
	Play       bool   // also play it while it is written
}

// subtitleChoices maps the dialog's labels to subtitle file extensions.
var subtitleChoices = []struct{ label, ext string }{{"None", ""}, {"SRT", "srt"}, {"WebVTT", "vtt"}, {"LRC", "lrc"}}

// exportJob turns a chosen path and the dialog's choices into a job. The
// audio file's extension always matches its format.
func exportJob(path string, replace bool, c ExportChoice) core.Job {
	if c.Format != "" {
		path = strings.TrimSuffix(path, filepath.Ext(path)) + audio.Encoding(c.Format).Extension()
	}
	base := strings.TrimSuffix(path, filepath.Ext(path))
	job := core.Job{Out: path, Force: replace, Play: c.Play, OutFormat: audio.Encoding(c.Format), OutRate: c.SampleRate, Sidecar: c.Sidecar}
	if c.Subtitles != "" {
		job.Subtitles = base + "." + c.Subtitles
	}
	if c.PerChunk {
		job.PerChunkDir = base + "-chunks"
	}
	return job
}

// ShowExport asks where to save and how, then synthesizes straight to that
// file. The file is written atomically, and an existing file is replaced
// only after the user confirms.
func (s *Studio) ShowExport() {
	exportFormats := codec.ExportNames() // the format table's exportable entries
	format := widget.NewSelect(exportFormats, nil)
	f := s.Format.Selected
	if !contains(exportFormats, f) {
		f = "wav"
	}
	format.SetSelected(f)
	rate := widget.NewSelect([]string{"provider's rate", "16000", "22050", "24000", "44100", "48000"}, nil)
	rate.SetSelectedIndex(0)
	var subLabels []string
	for _, c := range subtitleChoices {
		subLabels = append(subLabels, c.label)
	}
	subs := widget.NewRadioGroup(subLabels, nil)
	subs.Horizontal = true
	subs.SetSelected("None")
	perChunk := widget.NewCheck("One file per chunk too", nil)
	sidecar := widget.NewCheck("A JSON description alongside", nil)
	play := widget.NewCheck("Also play it", nil)
	choice := func() ExportChoice {
		c := ExportChoice{Format: format.Selected, PerChunk: perChunk.Checked, Sidecar: sidecar.Checked, Play: play.Checked}
		c.SampleRate, _ = strconv.Atoi(rate.Selected)
		for _, sc := range subtitleChoices {
			if sc.label == subs.Selected {
				c.Subtitles = sc.ext
			}
		}
		return c
	}
	s.exportDialog = savedialog.Show(s.Window, savedialog.Options{
		Title: "Export audio",
		Dir:   s.Settings.ExportDir(),
		Name:  core.OutputName(s.Text.Text, audio.Encoding(f)),
		Extra: []*widget.FormItem{
			widget.NewFormItem("Format", format),
			widget.NewFormItem("Sample rate", rate),
			widget.NewFormItem("Subtitles", subs),
			widget.NewFormItem("", perChunk),
			widget.NewFormItem("", sidecar),
			widget.NewFormItem("", play),
		},
	}, func(path string, replace bool) {
		job := exportJob(path, replace, choice())
		if job.Out == path {
			s.exportWith(job)
			return
		}
		// The format changed the extension: ask about that file.
		savedialog.Confirm(s.Window, job.Out, func(_ string, replace bool) {
			job.Force = replace
			s.exportWith(job)
		})
	})
}

// exportTo confirms replacing an existing file, then runs the export.
func (s *Studio) exportTo(path string, play bool) {
	savedialog.Confirm(s.Window, path, func(path string, replace bool) { s.export(path, replace, play) })
}

func (s *Studio) export(path string, replace, play bool) {
	s.exportWith(core.Job{Out: path, Force: replace, Play: play})
}

func (s *Studio) exportWith(job core.Job) {
	s.Settings.SetExportDir(filepath.Dir(job.Out))
	s.run(job, "Exporting")
}

package ui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2/widget"

	"chorus/audio"
	"chorus/core"
	"chorus/providers"
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
func (s *Studio) run(job core.Job, verb string) {
	s.mu.Lock()
	if s.busy {
		s.mu.Unlock()
		s.SetStatus("Already working: press Stop first.")
		return
	}
	id := s.ProviderID()
	job.Provider = id
	job.BaseURL = s.Settings.BaseURL(id)
	job.Request = s.Request()
	s.Settings.SetText(keepable(job.Request.Text))
	if _, _, err := s.Engine.Prepare(&job); err != nil {
		s.mu.Unlock()
		s.showError(err)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.busy = cancel, true
	s.runID++
	runID := s.runID
	s.mu.Unlock()

	s.SpeakButton.Disable()
	s.ExportButton.Disable()
	s.StopButton.Enable()
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
	s.startLong(&job) // chunk overrides, progress, highlight (long.go)
	go func() {
		if job.Play && job.Sink == nil {
			if tr := s.openTransport(); tr != nil {
				job.Player, job.Sink = tr, tr.Sink()
			}
		}
		done := make(chan struct{})
		if job.Player != nil {
			uiDo(func() { s.PauseButton.Enable() })
			go s.watchTransport(done)
		}
		res, err := s.Engine.Speak(ctx, job)
		close(done)
		uiDo(func() { s.finish(runID, job, res, err) })
	}()
}

// finish restores the buttons and reports the outcome.
func (s *Studio) finish(runID int, job core.Job, res *core.Result, err error) {
	s.mu.Lock()
	if runID != s.runID {
		s.mu.Unlock()
		return
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
	s.endLong()
	switch {
	case errors.Is(err, context.Canceled):
		s.SetStatus("Stopped.")
	case err != nil:
		s.showError(err)
	case job.Out != "":
		s.SetStatus(fmt.Sprintf("Saved %s (%.1f s of audio).", job.Out, res.Stats.AudioSeconds))
	default:
		note := ""
		if res.Stats.Underruns > 0 {
			note = fmt.Sprintf(" %d underrun(s): the provider was slower than playback.", res.Stats.Underruns)
		}
		s.SetStatus(fmt.Sprintf("Done: %.1f s of audio, first sound after %.0f ms.%s", res.Stats.AudioSeconds, res.Stats.FirstAudioMs, note))
	}
}

// showError puts an error in the status line in plain words; the text is kept.
func (s *Studio) showError(err error) {
	msg := err.Error()
	if providers.KindOf(err) == providers.KindUnavailable && s.OpenSettings != nil && strings.Contains(msg, "API key") {
		s.OpenSettings(s.ProviderID())
	}
	s.SetStatus("Error: " + msg)
}

// keepable limits what is remembered of the text between runs.
func keepable(t string) string {
	if len(t) > 64<<10 {
		return ""
	}
	return t
}

// ShowExport asks where to save, then synthesizes straight to that file.
// The file is written atomically, and an existing file is replaced only
// after the user confirms.
func (s *Studio) ShowExport() {
	ext := audio.Encoding(s.Format.Selected).Extension()
	play := widget.NewCheck("Also play it", nil)
	s.exportDialog = savedialog.Show(s.Window, savedialog.Options{
		Title: "Export audio",
		Dir:   s.Settings.ExportDir(),
		Name:  core.OutputName(s.Text.Text, audio.Encoding(strings.TrimPrefix(ext, "."))),
		Hint:  "The extension picks the format: .wav .mp3 .flac .ogg .pcm",
		Extra: []*widget.FormItem{widget.NewFormItem("", play)},
	}, func(path string, replace bool) { s.export(path, replace, play.Checked) })
}

// exportTo confirms replacing an existing file, then runs the export.
func (s *Studio) exportTo(path string, play bool) {
	savedialog.Confirm(s.Window, path, func(path string, replace bool) { s.export(path, replace, play) })
}

func (s *Studio) export(path string, replace, play bool) {
	s.Settings.SetExportDir(filepath.Dir(path))
	s.run(core.Job{Out: path, Force: replace, Play: play}, "Exporting")
}

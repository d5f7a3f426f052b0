package ui

import (
	"fmt"
	"sync"
	"time"

	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"chorus/player"
	"chorus/ui/tip"
)

// transportState is the Studio's playback transport, opened on first use
// (in a worker: opening the sound device may take a moment).
type transportState struct {
	mu sync.Mutex // held while the device is being opened
	tr *player.Transport
}

func (s *Studio) buildTransport() {
	s.Waveform = NewWaveform()
	s.Waveform.OnSeek = func(d time.Duration) {
		if tr := s.transport(); tr != nil {
			if err := tr.Seek(d); err != nil {
				s.SetStatus(err.Error())
			}
		}
	}
	k := keyHook{onEsc: s.Escape, onF10: s.ToggleMenu}
	s.PauseButton = newKeyButton(k, "Pause", s.TogglePause)
	s.PauseButton.Disable()
	s.Volume = newKeySlider(k, 0, 1, s.TogglePause)
	s.Volume.Step = 0.05
	s.Volume.SetValue(s.Settings.Volume())
	s.VolumeLabel = widget.NewLabel("")
	s.Volume.OnChanged = func(v float64) {
		if tr := s.transport(); tr != nil {
			tr.SetVolume(v)
		}
		s.showVolume()
	}
	s.MuteButton = tip.NewIconButton(theme.VolumeUpIcon(), "Mute", s.ToggleMute)
	s.showVolume()
	s.Volume.OnChangeEnded = s.Settings.SetVolume
	s.Position = widget.NewLabel("0:00.0")
}

// ToggleMute silences playback, or brings back the volume it had.
func (s *Studio) ToggleMute() {
	if s.Volume.Value > 0 {
		s.unmuted = s.Volume.Value
		s.Volume.SetValue(0)
	} else {
		v := s.unmuted
		if v <= 0 {
			v = 1
		}
		s.Volume.SetValue(v)
	}
	s.Settings.SetVolume(s.Volume.Value)
}

// showVolume shows the volume as a percentage and the mute state.
func (s *Studio) showVolume() {
	if s.VolumeLabel == nil || s.MuteButton == nil {
		return
	}
	s.VolumeLabel.SetText(fmt.Sprintf("%d%%", int(s.Volume.Value*100+0.5)))
	if s.Volume.Value == 0 {
		s.MuteButton.SetIcon(theme.VolumeMuteIcon())
		s.MuteButton.Tip = "Unmute"
	} else {
		s.MuteButton.SetIcon(theme.VolumeUpIcon())
		s.MuteButton.Tip = "Mute"
	}
}

// openPlayer opens the sound device on first use and wraps it in the
// transport every later run plays through. A device that failed to open
// is tried again on the next run (the sound server may have started).
func (s *Studio) openPlayer() (*player.Transport, error) {
	s.ts.mu.Lock()
	defer s.ts.mu.Unlock()
	if tr := s.transport(); tr != nil {
		return tr, nil
	}
	sink, err := s.Engine.Sink()
	if err != nil {
		return nil, err
	}
	tr := player.NewTransport(sink)
	tr.SetVolume(s.Settings.Volume())
	s.mu.Lock()
	s.ts.tr = tr
	s.mu.Unlock()
	return tr, nil
}

// transport is the open transport, or nil.
func (s *Studio) transport() *player.Transport {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ts.tr
}

// TogglePause pauses or resumes playback.
func (s *Studio) TogglePause() {
	tr := s.transport()
	if tr == nil {
		return
	}
	if tr.Status().Paused {
		tr.Resume()
		s.PauseButton.SetText("Pause")
	} else {
		tr.Pause()
		s.PauseButton.SetText("Resume")
	}
}

// watchTransport refreshes the waveform and position until done closes.
func (s *Studio) watchTransport(done <-chan struct{}) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			uiDo(s.showTransport)
			return
		case <-tick.C:
			uiDo(s.showTransport)
		}
	}
}

// showTransport draws the transport's state (UI goroutine).
func (s *Studio) showTransport() {
	tr := s.transport()
	if tr == nil {
		return
	}
	st := tr.Status()
	s.Waveform.Set(tr.Peaks(), tr.PeakDuration(), st.Position)
	text := clock(st.Position) + " / " + clock(st.Arrived)
	if !st.Done && st.Playing {
		text += "…"
	}
	if st.Underruns > 0 {
		text += fmt.Sprintf("  (%d underruns)", st.Underruns)
	}
	s.Position.SetText(text)
	s.FollowPlayback(st.Position)
}

func clock(d time.Duration) string {
	d = d.Round(100 * time.Millisecond)
	return fmt.Sprintf("%d:%04.1f", int(d.Minutes()), (d % time.Minute).Seconds())
}

package ui

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"chorus/audio"
	"chorus/core"
	"chorus/internal/scripted"
	"chorus/player"
	"chorus/providers"
	_ "chorus/providers/local"
	"chorus/providers/openai"
	"chorus/settings"
)

// uiQueue collects what workers post for the UI goroutine; the test
// goroutine runs it, so widget state has one owner as in the real app.
var uiQueue = make(chan func(), 1024)

func init() { uiDo = func(f func()) { uiQueue <- f } }

// pump runs the UI updates posted so far.
func pump() {
	for {
		select {
		case f := <-uiQueue:
			f()
		default:
			return
		}
	}
}

// newTestStudio opens the real main window on Fyne's headless driver, with a
// memory sink instead of the sound device.
func newTestStudio(t testing.TB) (*Studio, *player.MemorySink) {
	t.Helper()
	a := test.NewTempApp(t)
	isolateDraft(t)
	w := a.NewWindow(Title)
	t.Cleanup(w.Close)
	sink := player.NewMemorySink(player.DeviceFormat)
	engine := &core.Engine{OpenSink: func() (player.Sink, error) { return sink, nil }, Getenv: func(string) string { return "" }}
	s := New(a, w, engine, settings.New(a.Preferences()))
	t.Cleanup(s.draft.Stop)
	statusOf = func() string { return s.Status.Text }
	w.Resize(w.Content().MinSize().AddWidthHeight(200, 200))
	return s, sink
}

// isolateDraft gives the test a draft folder of its own: test apps share
// one storage folder, and a window's draft must not reach the next test.
func isolateDraft(t testing.TB) {
	dir := t.TempDir()
	old := draftFile
	draftFile = func(fyne.App) string { return filepath.Join(dir, "draft.txt") }
	t.Cleanup(func() { draftFile = old })
}

// lastStatus is the status line of the newest test studio, for failure messages.
var lastStatus string

// statusOf reads the current test studio's status line.
var statusOf = func() string { return "" }

// eventually runs posted UI updates and polls cond until it holds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for pump(); !cond(); pump() {
		lastStatus = statusOf()
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s (status %q)", what, lastStatus)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestFirstLaunchIsLocalAndReady(t *testing.T) {
	s, _ := newTestStudio(t)
	if s.ProviderID() != "local" || s.Window.Title() != "Chorus" {
		t.Fatalf("provider %q, title %q", s.ProviderID(), s.Window.Title())
	}
	eventually(t, "voices", func() bool { return len(s.Voice.Choices()) > 50 })
	if s.VoiceID() != "en-us" {
		t.Errorf("default voice %q", s.VoiceID())
	}
	if s.Format.Selected != "wav" || s.Model.Text != "espeak-ng" {
		t.Errorf("format %q model %q", s.Format.Selected, s.Model.Text)
	}
}

// selectHeldTone registers and selects a provider whose audio is 0.1 s of
// tone in a WAV stream that then sends nothing more until the job is
// stopped, as a slow service does; started is closed once the tone is sent.
func selectHeldTone(t *testing.T, s *Studio, id string) (p *scripted.Provider, started <-chan struct{}) {
	t.Helper()
	sent := make(chan struct{})
	var once sync.Once
	p = scripted.Register(t, &scripted.Provider{ID: id})
	p.Respond = func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
		st := scripted.NewStream(ctx)
		go func() {
			st.Send(scripted.WAVHeader(24000, 0xFFFFFFFF))
			st.Send(scripted.TonePCM(24000, 0.1, 440))
			once.Do(func() { close(sent) })
		}()
		return &providers.Audio{Body: st.Body(), Encoding: audio.WAV}, nil
	}
	s.RefreshProviders()
	s.selectProvider(id)
	return p, sent
}

// Type text, tap Speak with a provider the test controls, see the status
// change, tap Stop, see it cancelled; the text is kept.
func TestSpeakAndStop(t *testing.T) {
	s, sink := newTestStudio(t)
	p, started := selectHeldTone(t, s, "ui-ctl")
	if s.ProviderID() != "ui-ctl" {
		t.Fatalf("provider %q", s.ProviderID())
	}
	test.Type(s.Text, "Hello from the test")
	test.Tap(s.SpeakButton)
	<-started
	eventually(t, "speaking status", func() bool { return strings.Contains(s.Status.Text, "Speaking") })
	if !s.Busy() || !s.SpeakButton.Disabled() || s.StopButton.Disabled() {
		t.Fatalf("while speaking: busy %v, speak disabled %v, stop disabled %v", s.Busy(), s.SpeakButton.Disabled(), s.StopButton.Disabled())
	}
	eventually(t, "audio at the sink", func() bool { return len(sink.Samples()) > 0 })
	test.Tap(s.StopButton)
	eventually(t, "stopped", func() bool { return s.Status.Text == "Stopped." })
	if s.Busy() || s.SpeakButton.Disabled() {
		t.Error("buttons not restored after Stop")
	}
	if s.Text.Text != "Hello from the test" {
		t.Errorf("text changed to %q", s.Text.Text)
	}
	if got := p.Requests(); len(got) != 1 || got[0].Text != "Hello from the test" {
		t.Errorf("requests %+v", got)
	}
}

func TestErrorsShowInStatusAndKeepText(t *testing.T) {
	s, _ := newTestStudio(t)
	p := scripted.Register(t, &scripted.Provider{ID: "ui-err"})
	p.Respond = func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
		return nil, &providers.Error{Provider: "ui-err", Kind: providers.KindServer, Status: 503, Message: "overloaded", Hint: "try again in a minute"}
	}
	s.RefreshProviders()
	s.selectProvider("ui-err")
	test.Tap(s.SpeakButton)
	if !strings.Contains(s.Status.Text, "empty") {
		t.Errorf("empty text status: %q", s.Status.Text)
	}
	test.Type(s.Text, "Keep me")
	test.Tap(s.SpeakButton)
	eventually(t, "error status", func() bool { return strings.Contains(s.Status.Text, "HTTP 503") })
	if !strings.Contains(strings.ToLower(s.Status.Text), "try again") || s.Text.Text != "Keep me" {
		t.Errorf("status %q, text %q", s.Status.Text, s.Text.Text)
	}
}

func TestPickersFollowProvider(t *testing.T) {
	s, _ := newTestStudio(t)
	scripted.Register(t, &scripted.Provider{ID: "ui-pick"})
	s.RefreshProviders()
	s.selectProvider("ui-pick")
	if strings.Join(s.Format.Options, ",") != "wav,pcm" || s.Speed.Min != 0.5 || s.Speed.Max != 2 {
		t.Errorf("format options %v, speed %g–%g", s.Format.Options, s.Speed.Min, s.Speed.Max)
	}
	s.Model.SetText("m2")
	if !s.Instructions.Visible() {
		t.Error("instructions hidden for a model that takes them")
	}
	s.Model.SetText("m1")
	if s.Instructions.Visible() {
		t.Error("instructions shown for a model that does not take them")
	}
	s.Format.SetSelected("pcm")
	s.selectProvider("local")
	s.selectProvider("ui-pick")
	if s.Format.Selected != "pcm" {
		t.Errorf("format not remembered per provider: %q", s.Format.Selected)
	}
}

func TestExportWritesFileAndAsksBeforeReplacing(t *testing.T) {
	s, _ := newTestStudio(t)
	scripted.Register(t, &scripted.Provider{ID: "ui-exp"})
	s.RefreshProviders()
	s.selectProvider("ui-exp")
	test.Type(s.Text, "Save me")
	dir := t.TempDir()
	path := dir + "/out.wav"
	s.exportTo(path, false)
	eventually(t, "saved", func() bool { return strings.HasPrefix(s.Status.Text, "Saved") })
	// Exporting again to the same file must ask first: a confirm dialog appears.
	s.exportTo(path, false)
	if len(s.Window.Canvas().Overlays().List()) == 0 {
		t.Fatal("no confirmation before replacing an existing file")
	}
}

func TestWaveformAndPositionFollowPlayback(t *testing.T) {
	s, sink := newTestStudio(t)
	scripted.Register(t, &scripted.Provider{ID: "ui-wave"}) // 0.5 s of 440 Hz
	s.RefreshProviders()
	s.selectProvider("ui-wave")
	test.Type(s.Text, "Wave")
	test.Tap(s.SpeakButton)
	eventually(t, "done", func() bool { return strings.HasPrefix(s.Status.Text, "Done") })
	pump()
	if n := len(s.Waveform.peaks); n != 50 {
		t.Errorf("%d waveform peaks for 0.5 s, want 50", n)
	}
	for _, p := range s.Waveform.peaks[5:45] {
		if p < 0.45 || p > 0.55 {
			t.Fatalf("peak %.3f, want the tone's 0.5", p)
		}
	}
	if !strings.HasPrefix(s.Position.Text, "0:00.5 / 0:00.5") {
		t.Errorf("position %q", s.Position.Text)
	}
	if got := len(sink.Samples()) / 2; got < 23900 || got > 24100 {
		t.Errorf("played %d frames", got)
	}
	// Tapping the waveform when nothing plays is harmless and says why.
	s.Waveform.Resize(s.Waveform.MinSize())
	test.Tap(s.Waveform)
	if !strings.Contains(s.Status.Text, "nothing is playing") {
		t.Errorf("status after tapping the waveform: %q", s.Status.Text)
	}
}

func TestProviderOptionsAppearOnlyWhereTheyApply(t *testing.T) {
	s, _ := newTestStudio(t)
	p := scripted.Register(t, &scripted.Provider{ID: "ui-opt", Caps: providers.Capabilities{
		Models:     []providers.Model{{ID: "a"}, {ID: "b"}},
		Formats:    []string{"wav"},
		Speed:      providers.Range{Min: 0.5, Max: 2, Default: 1},
		Transports: []string{"ws", "http"},
		Options: []providers.Option{
			{Key: "latency", Choices: []string{"normal", "balanced"}},
			{Key: "temperature", Range: &providers.Range{Min: 0, Max: 1, Default: 0.7}, Models: []string{"b"}},
		},
	}})
	s.RefreshProviders()
	s.selectProvider("ui-opt")
	if len(s.optionFields) != 1 || s.transportPick == nil {
		t.Fatalf("model a: %d option fields, transport picker %v", len(s.optionFields), s.transportPick != nil)
	}
	s.Model.SetText("b")
	if len(s.optionFields) != 2 {
		t.Fatalf("model b: %d option fields, want 2", len(s.optionFields))
	}
	sel := s.optionFields[0].item.Widget.(*widget.Select)
	sel.SetSelected("balanced")
	s.transportPick.SetSelected("http")
	test.Type(s.Text, "opts")
	test.Tap(s.SpeakButton)
	eventually(t, "done", func() bool { return !s.Busy() && len(p.Requests()) == 1 })
	req := p.Requests()[0]
	if req.Options["latency"] != "balanced" || req.Transport != "http" || req.Model != "b" {
		t.Errorf("request options %v transport %q model %q", req.Options, req.Transport, req.Model)
	}
	if _, set := req.Options["temperature"]; set {
		t.Error("an untouched slider sent a value instead of the provider's default")
	}
	s.selectProvider("local")
	if len(s.optionFields) != 0 || s.transportPick != nil {
		t.Error("options of another provider still shown")
	}
}

func TestAddAndRemoveEndpoint(t *testing.T) {
	s, _ := newTestStudio(t)
	s.Profiles = &settings.ProfileStore{Path: t.TempDir() + "/profiles.json"}
	err := s.AddEndpoint(openai.Profile{ID: "Bad ID", BaseURL: "http://localhost:1/v1"})
	if err == nil {
		t.Fatal("an invalid ID was accepted")
	}
	if err := s.AddEndpoint(openai.Profile{ID: "kokoro-test", BaseURL: "http://localhost:8880/v1", Voices: []string{"af_heart"}}); err != nil {
		t.Fatal(err)
	}
	defer openai.UnregisterProfile("kokoro-test")
	if s.ProviderID() != "kokoro-test" {
		t.Fatalf("selected %q", s.ProviderID())
	}
	list, _ := s.Profiles.List()
	if len(list) != 1 || list[0].BaseURL != "http://localhost:8880/v1" {
		t.Errorf("saved %+v", list)
	}
	if err := s.RemoveEndpoint("kokoro-test"); err != nil {
		t.Fatal(err)
	}
	if _, ok := providers.Lookup("kokoro-test"); ok || s.ProviderID() != "local" {
		t.Error("endpoint still registered or selected after removal")
	}
}

func TestChoosingAProviderWithoutKeyOpensSettings(t *testing.T) {
	s, _ := newTestStudio(t)
	p := &scripted.Provider{ID: "ui-keyed"}
	providers.Register(providers.Registration{Info: providers.Info{ID: "ui-keyed", Name: "Keyed", NeedsKey: true},
		New: func(providers.Config) (providers.Provider, error) { return p, nil }})
	defer providers.Unregister("ui-keyed")
	var opened []string
	s.OpenSettings = func(id string) { opened = append(opened, id) }
	s.RefreshProviders()
	eventually(t, "key status", func() bool { return s.missingKey["ui-keyed"] })
	found := false
	for _, o := range s.Provider.Options {
		if o == "Keyed — add key" {
			found = true
		}
	}
	if !found {
		t.Errorf("provider without a key is not marked: %v", s.Provider.Options)
	}
	s.selectProvider("ui-keyed")
	eventually(t, "settings opened", func() bool { return len(opened) > 0 })
	if opened[0] != "ui-keyed" || !strings.Contains(s.Status.Text, "UI_KEYED_API_KEY") {
		t.Errorf("opened %v, status %q", opened, s.Status.Text)
	}
}

func TestVoiceSearch(t *testing.T) {
	s, _ := newTestStudio(t)
	eventually(t, "voices", func() bool { return len(s.Voice.Choices()) > 50 })
	s.SearchVoices("portug")
	eventually(t, "search results", func() bool { return strings.Contains(s.Status.Text, "match") })
	if len(s.Voice.Choices()) == 0 || len(s.Voice.Choices()) > 5 {
		t.Fatalf("%d voices match portug", len(s.Voice.Choices()))
	}
	for label, id := range s.Voice.Choices() {
		if !strings.HasPrefix(id, "pt") {
			t.Errorf("%q (%s) does not match", label, id)
		}
	}
}

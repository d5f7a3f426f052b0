package core

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"chorus/audio"
	"chorus/internal/scripted"
	"chorus/player"
	"chorus/providers"
)

func memEngine() (*Engine, *player.MemorySink) {
	sink := player.NewMemorySink(player.DeviceFormat)
	return &Engine{OpenSink: func() (player.Sink, error) { return sink, nil }, Getenv: func(string) string { return "" }}, sink
}

func TestSpeakPlaysWholeClip(t *testing.T) {
	scripted.Register(t, &scripted.Provider{ID: "s-play"})
	e, sink := memEngine()
	res, err := e.Speak(context.Background(), Job{Provider: "s-play", Request: providers.Request{Text: "hi"}, Play: true})
	if err != nil {
		t.Fatal(err)
	}
	got := len(sink.Samples()) / 2
	if got < 23900 || got > 24100 { // 0.5 s at 48 kHz
		t.Errorf("played %d frames, want about 24000", got)
	}
	if res.Stats.AudioSeconds < 0.49 || res.Stats.AudioSeconds > 0.51 || res.Stats.Bytes != 44+24000 || res.Stats.Requests != 1 {
		t.Errorf("stats %+v", res.Stats)
	}
	if res.Stats.TTFBMs <= 0 || res.Stats.FirstAudioMs < res.Stats.TTFBMs || res.Stats.TotalMs < res.Stats.FirstAudioMs {
		t.Errorf("times out of order: %+v", res.Stats)
	}
}

func TestSpeakSavesProviderBytesAsTheyAre(t *testing.T) {
	scripted.Register(t, &scripted.Provider{ID: "s-save"})
	e, _ := memEngine()
	out := filepath.Join(t.TempDir(), "clip.wav")
	if _, err := e.Speak(context.Background(), Job{Provider: "s-save", Request: providers.Request{Text: "hi"}, Out: out}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	if !bytes.Equal(got, scripted.ToneWAV(24000, 0.5, 440)) {
		t.Errorf("saved %d bytes that differ from the provider's", len(got))
	}
}

func TestStreamedWAVHeaderIsFixedOnSave(t *testing.T) {
	p := scripted.Register(t, &scripted.Provider{ID: "s-fix"})
	pcm := scripted.TonePCM(24000, 0.25, 300)
	p.Respond = func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
		body := append(scripted.WAVHeader(24000, 0xFFFFFFFF), pcm...)
		return &providers.Audio{Body: io.NopCloser(bytes.NewReader(body)), Encoding: audio.WAV}, nil
	}
	e, _ := memEngine()
	out := filepath.Join(t.TempDir(), "clip.wav")
	if _, err := e.Speak(context.Background(), Job{Provider: "s-fix", Request: providers.Request{Text: "hi"}, Out: out}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	if !bytes.Equal(got, append(scripted.WAVHeader(24000, uint32(len(pcm))), pcm...)) {
		t.Errorf("header not patched to the real sizes: % x", got[:44])
	}
}

func TestExportNeverOverwritesWithoutForce(t *testing.T) {
	p := scripted.Register(t, &scripted.Provider{ID: "s-exists"})
	e, _ := memEngine()
	out := filepath.Join(t.TempDir(), "keep.wav")
	os.WriteFile(out, []byte("precious"), 0o644)
	_, err := e.Speak(context.Background(), Job{Provider: "s-exists", Request: providers.Request{Text: "hi"}, Out: out})
	if !providers.IsValidation(err) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("want a validation error that mentions --force, got %v", err)
	}
	if b, _ := os.ReadFile(out); string(b) != "precious" {
		t.Fatal("existing file was changed")
	}
	if len(p.Requests()) != 0 {
		t.Error("a request was sent although the output could not be written")
	}
	if _, err := e.Speak(context.Background(), Job{Provider: "s-exists", Request: providers.Request{Text: "hi"}, Out: out, Force: true}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(out); string(b[:4]) != "RIFF" {
		t.Fatal("--force did not replace the file")
	}
}

// A stopped or failed synthesis leaves neither the target nor a temporary file.
func TestNoPartialFiles(t *testing.T) {
	for _, c := range []struct {
		name   string
		finish func(s *scripted.Stream, cancel context.CancelFunc)
		kind   providers.Kind
	}{
		{"cancel", func(s *scripted.Stream, cancel context.CancelFunc) { cancel() }, providers.KindCanceled},
		{"cut", func(s *scripted.Stream, cancel context.CancelFunc) { s.Fail(io.ErrUnexpectedEOF) }, providers.KindCutStream},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := scripted.Register(t, &scripted.Provider{ID: "s-partial-" + c.name})
			var cancel context.CancelFunc
			var sent chan struct{}
			p.Respond = func(rctx context.Context, req providers.Request) (*providers.Audio, error) {
				s := scripted.NewStream(rctx)
				go func() {
					s.Send(scripted.WAVHeader(24000, 0xFFFFFFFF))
					s.Send(scripted.TonePCM(24000, 0.2, 440))
					close(sent)
					<-time.After(50 * time.Millisecond)
					c.finish(s, cancel)
				}()
				return &providers.Audio{Body: s.Body(), Encoding: audio.WAV}, nil
			}
			e, _ := memEngine()
			dir := t.TempDir()
			for _, name := range []string{"a.wav", "b.pcm"} { // raw save and transcode
				var ctx context.Context
				ctx, cancel = context.WithCancel(context.Background())
				sent = make(chan struct{})
				out := filepath.Join(dir, name)
				_, err := e.Speak(ctx, Job{Provider: p.ID, Request: providers.Request{Text: "hi"}, Out: out, Play: true})
				if providers.KindOf(err) != c.kind {
					t.Fatalf("%s: error %v (kind %v), want kind %v", name, err, providers.KindOf(err), c.kind)
				}
				<-sent
				entries, _ := os.ReadDir(dir)
				if len(entries) != 0 {
					t.Fatalf("%s: files left behind: %v", name, entries)
				}
				cancel()
			}
		})
	}
}

func TestTranscodesToTheExtensionsFormat(t *testing.T) {
	scripted.Register(t, &scripted.Provider{ID: "s-pcm"})
	e, _ := memEngine()
	out := filepath.Join(t.TempDir(), "clip.pcm")
	res, err := e.Speak(context.Background(), Job{Provider: "s-pcm", Request: providers.Request{Text: "hi", Format: "wav"}, Out: out, OutRate: 16000})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(out)
	if st.Size() < 15900 || st.Size() > 16100 { // 0.5 s at 16 kHz = 8000 samples of 2 bytes
		t.Errorf("pcm export is %d bytes, want about 16000 at 16 kHz", st.Size())
	}
	if res.Encoding != audio.WAV {
		t.Errorf("provider encoding %v", res.Encoding)
	}
}

func TestNoDevice(t *testing.T) {
	scripted.Register(t, &scripted.Provider{ID: "s-nodev"})
	e := &Engine{OpenSink: func() (player.Sink, error) { return nil, fmt.Errorf("%w: nothing here", player.ErrNoDevice) }}
	_, err := e.Speak(context.Background(), Job{Provider: "s-nodev", Request: providers.Request{Text: "hi"}, Play: true})
	if providers.KindOf(err) != providers.KindUnavailable || !strings.Contains(err.Error(), "no audio output") || !strings.Contains(err.Error(), "--out") {
		t.Errorf("play without a device: %v", err)
	}
	out := filepath.Join(t.TempDir(), "x.wav")
	var notices []string
	_, err = e.Speak(context.Background(), Job{Provider: "s-nodev", Request: providers.Request{Text: "hi"}, Play: true, Out: out,
		OnEvent: func(ev Event) {
			if ev.Stage == StageNotice {
				notices = append(notices, ev.Message)
			}
		}})
	if err != nil {
		t.Fatalf("export without a device must still work: %v", err)
	}
	if len(notices) != 1 || !strings.Contains(notices[0], "no audio output") {
		t.Errorf("notices %q", notices)
	}
}

func TestNonAudioBodyIsAnError(t *testing.T) {
	p := scripted.Register(t, &scripted.Provider{ID: "s-html"})
	p.Respond = func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
		body := "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>"
		return &providers.Audio{Body: io.NopCloser(strings.NewReader(body)), Encoding: audio.WAV}, nil
	}
	e, sink := memEngine()
	out := filepath.Join(t.TempDir(), "x.wav")
	_, err := e.Speak(context.Background(), Job{Provider: "s-html", Request: providers.Request{Text: "hi"}, Play: true, Out: out})
	if providers.KindOf(err) != providers.KindNotAudio || !strings.Contains(err.Error(), "HTML") {
		t.Fatalf("html body: %v", err)
	}
	if len(sink.Samples()) != 0 {
		t.Error("non-audio reached the speakers")
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Error("non-audio was saved")
	}
}

func TestValidationNamesAllowedValues(t *testing.T) {
	scripted.Register(t, &scripted.Provider{ID: "s-valid"})
	e, _ := memEngine()
	for _, c := range []struct {
		req  providers.Request
		want string
	}{
		{providers.Request{Text: ""}, "empty"},
		{providers.Request{Text: "hi", Format: "ogg"}, "allowed: wav, pcm"},
		{providers.Request{Text: "hi", Speed: 9}, "0.5 to 2"},
	} {
		_, err := e.Speak(context.Background(), Job{Provider: "s-valid", Request: c.req, Play: true})
		if !providers.IsValidation(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want a validation error containing %q", c.req, err, c.want)
		}
	}
	_, err := e.Speak(context.Background(), Job{Provider: "nope", Request: providers.Request{Text: "hi"}})
	if !providers.IsValidation(err) || !strings.Contains(err.Error(), "s-valid") {
		t.Errorf("unknown provider: %v", err)
	}
	_, err = e.Speak(context.Background(), Job{Provider: "s-valid", Request: providers.Request{Text: "hi"}, Out: filepath.Join(t.TempDir(), "x.xyz")})
	if !providers.IsValidation(err) || !strings.Contains(err.Error(), ".wav") {
		t.Errorf("unknown extension: %v", err)
	}
}

func TestMissingKeySaysWhereToPutIt(t *testing.T) {
	p := &scripted.Provider{ID: "s-key"}
	providers.Register(providers.Registration{Info: providers.Info{ID: "s-key", Name: "Keyed", NeedsKey: true},
		New: func(providers.Config) (providers.Provider, error) { return p, nil }})
	defer providers.Unregister("s-key")
	e, _ := memEngine()
	_, err := e.Speak(context.Background(), Job{Provider: "s-key", Request: providers.Request{Text: "hi"}})
	if providers.KindOf(err) != providers.KindMissingKey || !strings.Contains(err.Error(), "S_KEY_API_KEY") {
		t.Errorf("missing key: %v", err)
	}
}

func TestBatchWithoutTransportTakesHTTP(t *testing.T) {
	p := scripted.Register(t, &scripted.Provider{ID: "s-batch", Caps: providers.Capabilities{
		Formats: []string{"wav"}, Speed: providers.Range{Min: 0.5, Max: 2, Default: 1},
		Transports: []string{"ws", "http"},
	}})
	e, _ := memEngine()
	for _, batch := range []bool{true, false} {
		if _, err := e.Speak(context.Background(), Job{Provider: "s-batch", Request: providers.Request{Text: "hi", Batch: batch}, Play: true}); err != nil {
			t.Fatal(err)
		}
	}
	reqs := p.Requests()
	if len(reqs) != 2 || reqs[0].Transport != "http" || reqs[1].Transport != "ws" {
		t.Errorf("transports %q (batch) and %q (stream), want http and ws", reqs[0].Transport, reqs[1].Transport)
	}
}

func TestControlCharactersAreStrippedAndCounted(t *testing.T) {
	p := scripted.Register(t, &scripted.Provider{ID: "s-ctl"})
	e, _ := memEngine()
	var events []string
	job := Job{Provider: "s-ctl", Request: providers.Request{Text: "He\x00llo\x1b[0m\tthere\r\nfriend\u0085\x7f."}, Play: true,
		OnEvent: func(ev Event) {
			if ev.Stage == StageNotice {
				events = append(events, ev.Message)
			}
		}}
	res, err := e.Speak(context.Background(), job)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Requests()[0].Text; got != "Hello[0m\tthere\r\nfriend." {
		t.Errorf("the provider was sent %q", got)
	}
	if len(res.Notices) != 1 || !strings.Contains(res.Notices[0], "removed 4 control characters") {
		t.Errorf("notices %q, want one saying 4 control characters were removed", res.Notices)
	}
	if len(events) != 1 || events[0] != res.Notices[0] {
		t.Errorf("notice events %q, want the Result's notice", events)
	}
	// Clean text has no notice.
	res, err = e.Speak(context.Background(), Job{Provider: "s-ctl", Request: providers.Request{Text: "Fine\ttext\n"}, Play: true})
	if err != nil || len(res.Notices) != 0 {
		t.Errorf("clean text: notices %q, %v", res.Notices, err)
	}
	// Text of nothing but control characters is empty text, refused before any request.
	before := len(p.Requests())
	_, err = e.Speak(context.Background(), Job{Provider: "s-ctl", Request: providers.Request{Text: "\x00\x00\x01"}, Play: true})
	if !providers.IsValidation(err) || len(p.Requests()) != before {
		t.Errorf("only control characters: %v, %d requests sent", err, len(p.Requests())-before)
	}
}

func TestExplicitSpeedZeroIsRefused(t *testing.T) {
	p := scripted.Register(t, &scripted.Provider{ID: "s-speed0"})
	e, _ := memEngine()
	for _, speed := range []float64{0, -1, 2.5} {
		_, err := e.Speak(context.Background(), Job{Provider: "s-speed0", Request: providers.Request{Text: "hi", Speed: speed}, SpeedGiven: true, Play: true})
		if !providers.IsValidation(err) || !strings.Contains(err.Error(), "0.5 to 2") {
			t.Errorf("speed %g: %v, want a validation error naming 0.5 to 2", speed, err)
		}
	}
	if n := len(p.Requests()); n != 0 {
		t.Errorf("%d requests were sent for refused speeds", n)
	}
	// Not given, 0 still means the default.
	if _, err := e.Speak(context.Background(), Job{Provider: "s-speed0", Request: providers.Request{Text: "hi"}, Play: true}); err != nil {
		t.Fatal(err)
	}
	if got := p.Requests()[0].Speed; got != 1 {
		t.Errorf("default speed %g, want 1", got)
	}
}

func TestSpeedRefusedWithoutSpeedSetting(t *testing.T) {
	p := scripted.Register(t, &scripted.Provider{ID: "s-nospeed", Caps: providers.Capabilities{Formats: []string{"wav"}}})
	e, _ := memEngine()
	_, err := e.Speak(context.Background(), Job{Provider: "s-nospeed", Request: providers.Request{Text: "hi", Speed: 1.5}, SpeedGiven: true, Play: true})
	if !providers.IsValidation(err) || !strings.Contains(err.Error(), "no speed setting") || len(p.Requests()) != 0 {
		t.Errorf("speed 1.5 without a speed setting: %v", err)
	}
}

func TestFailedRequestsAreCounted(t *testing.T) {
	p := scripted.Register(t, &scripted.Provider{ID: "s-failcount"})
	e, _ := memEngine()
	cases := []struct {
		err  *providers.Error
		want int
	}{
		{&providers.Error{Provider: "s-failcount", Kind: providers.KindRateLimit, Status: 429, Message: "slow down", Requests: 4}, 4},
		{&providers.Error{Provider: "s-failcount", Kind: providers.KindServer, Status: 500, Message: "fell over"}, 1},
		{&providers.Error{Provider: "s-failcount", Kind: providers.KindNetwork, Message: "connection refused"}, 0},
	}
	for _, c := range cases {
		p.Respond = func(context.Context, providers.Request) (*providers.Audio, error) { return nil, c.err }
		res, err := e.Speak(context.Background(), Job{Provider: "s-failcount", Request: providers.Request{Text: "hi"}, Play: true})
		if err == nil || res == nil || res.Stats.Requests != c.want {
			t.Errorf("%v: result %+v, %v; want %d requests counted", c.err, res, err, c.want)
		}
	}
}

// Start reports a mistake at once, before anything is sent, and otherwise
// returns while the audio is still coming; Wait gives Speak's outcome.
func TestStartChecksThenStreams(t *testing.T) {
	p := scripted.Register(t, &scripted.Provider{ID: "s-start"})
	gate := make(chan struct{})
	p.Respond = func(ctx context.Context, req providers.Request) (*providers.Audio, error) {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return &providers.Audio{Body: io.NopCloser(bytes.NewReader(scripted.ToneWAV(24000, 0.5, 440))), Encoding: audio.WAV, Requests: 1}, nil
	}
	e, _ := memEngine()
	dir := t.TempDir()
	existing := filepath.Join(dir, "keep.wav")
	os.WriteFile(existing, []byte("precious"), 0o644)
	for name, job := range map[string]Job{
		"existing file":    {Provider: "s-start", Request: providers.Request{Text: "hi"}, Out: existing},
		"missing folder":   {Provider: "s-start", Request: providers.Request{Text: "hi"}, Out: filepath.Join(dir, "no", "x.wav")},
		"bad format":       {Provider: "s-start", Request: providers.Request{Text: "hi", Format: "ogg"}, Play: true},
		"unknown provider": {Provider: "s-nope", Request: providers.Request{Text: "hi"}, Play: true},
	} {
		if run, err := e.Start(context.Background(), job); err == nil || run != nil {
			t.Errorf("%s: Start returned %v, %v; want the error at once", name, run, err)
		}
	}
	if n := len(p.Requests()); n != 0 {
		t.Errorf("%d requests were sent for refused jobs", n)
	}
	out := filepath.Join(dir, "new.wav")
	run, err := e.Start(context.Background(), Job{Provider: "s-start", Request: providers.Request{Text: "hi"}, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-run.Done():
		t.Fatal("the job finished before the provider answered")
	case <-time.After(50 * time.Millisecond):
	}
	close(gate)
	res, err := run.Wait()
	if err != nil || res.Stats.AudioSeconds < 0.49 {
		t.Fatalf("Wait: %+v, %v", res, err)
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, scripted.ToneWAV(24000, 0.5, 440)) {
		t.Errorf("saved %d bytes that differ from the provider's", len(got))
	}
}

// Start checks the job at once and opens the player only in its worker:
// a job refused by the check never touches the device; a job that runs
// plays through the transport OpenPlayer gives, and a device that
// cannot open fails the run, not the check.
func TestStartOpensThePlayerInItsWorker(t *testing.T) {
	scripted.Register(t, &scripted.Provider{ID: "s-open"})
	e := &Engine{Getenv: func(string) string { return "" }}
	sink := player.NewMemorySink(player.DeviceFormat)
	opened := 0
	var sinkSeen player.Sink
	job := Job{Provider: "s-open", Request: providers.Request{Text: "hi"}, Play: true,
		OpenPlayer: func() (*player.Transport, error) { opened++; return player.NewTransport(sink), nil },
		OnSink:     func(s player.Sink) { sinkSeen = s }}
	bad := job
	bad.Request.Text = "  "
	if _, err := e.Start(context.Background(), bad); !providers.IsValidation(err) || opened != 0 {
		t.Fatalf("empty text: %v, device opened %d times", err, opened)
	}
	run, err := e.Start(context.Background(), job)
	if err != nil {
		t.Fatal(err)
	}
	res, err := run.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if opened != 1 || sinkSeen != player.Sink(sink) || !res.Played {
		t.Errorf("opened %d, sink given %v, played %v", opened, sinkSeen, res.Played)
	}
	if got := len(sink.Samples()) / 2; got < 23900 {
		t.Errorf("played %d frames through the transport, want about 24000", got)
	}
	job.OpenPlayer = func() (*player.Transport, error) { return nil, fmt.Errorf("%w: gone", player.ErrNoDevice) }
	run, err = e.Start(context.Background(), job)
	if err != nil {
		t.Fatalf("the check must not open the device: %v", err)
	}
	if _, err := run.Wait(); providers.KindOf(err) != providers.KindUnavailable {
		t.Errorf("no device: %v", err)
	}
}

package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"chorus/audio"
	"chorus/core"
	"chorus/internal/instance"
	"chorus/internal/scripted"
	"chorus/player"
	"chorus/providers"
)

// noCleanup lets scripted.Register run outside a test (in a child process).
type noCleanup struct{}

func (noCleanup) Cleanup(func()) {}

// endless answers with a stream that lasts until the request is cancelled,
// like a long text being spoken.
func endless(ctx context.Context, req providers.Request) (*providers.Audio, error) {
	s := scripted.NewStream(ctx)
	go func() {
		s.Send(scripted.WAVHeader(24000, 0xFFFFFFFF))
		for ctx.Err() == nil {
			if s.Send(scripted.TonePCM(24000, 0.05, 440)) != nil {
				return
			}
		}
	}()
	return &providers.Audio{Body: s.Body(), Encoding: audio.WAV, Requests: 1}, nil
}

// TestMain lets the test binary be a second `chorus` process: with
// CHORUS_CLI_CHILD=1 it runs its arguments as the real command line does,
// with an "endless" scripted provider and a memory sound device.
func TestMain(m *testing.M) {
	if os.Getenv("CHORUS_CLI_CHILD") == "1" {
		scripted.Register(noCleanup{}, &scripted.Provider{ID: "endless", Respond: endless})
		engine := &core.Engine{OpenSink: func() (player.Sink, error) { return player.NewMemorySink(player.DeviceFormat), nil },
			Getenv: func(string) string { return "" }}
		if len(os.Args) == 2 && os.Args[1] == "launch" {
			if HandOverLaunch() {
				os.Exit(0)
			}
			os.Exit(3)
		}
		os.Exit(Run(context.Background(), DefaultEnv(engine), os.Args[1:]))
	}
	os.Exit(m.Run())
}

func child(args ...string) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "CHORUS_CLI_CHILD=1")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	return cmd, &errb
}

func exitCode(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// waitForInstance waits until a process listens on the instance socket.
func waitForInstance(t *testing.T) {
	t.Helper()
	for i := 0; i < 600; i++ {
		if _, ok, _ := instance.Forward(context.Background(), []string{"ping"}, io.Discard, io.Discard); ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("no process took the instance socket")
}

// TestStopStopsAnotherProcessSpeaking: one `chorus speak` plays an endless
// text; `chorus stop` from a second process stops it.
func TestStopStopsAnotherProcessSpeaking(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	speaker, speakerErr := child("speak", "--provider", "endless", "A text that never ends")
	if err := speaker.Start(); err != nil {
		t.Fatal(err)
	}
	defer speaker.Process.Kill()
	waitForInstance(t)
	stop, stopErr := child("stop")
	if code := exitCode(stop.Run()); code != 0 || strings.Contains(stopErr.String(), "nothing") {
		t.Fatalf("chorus stop: exit %d: %s", code, stopErr)
	}
	code := exitCode(speaker.Wait())
	if code != ExitFailure || !strings.Contains(speakerErr.String(), "stopped") {
		t.Errorf("the speaking process: exit %d, stderr %q; want it stopped", code, speakerErr)
	}
	if stop, errb := child("stop"); exitCode(stop.Run()) != 0 || !strings.Contains(errb.String(), "nothing is speaking") {
		t.Errorf("chorus stop with nothing speaking: %s", errb)
	}
}

// TestWindowTakesSecondProcessesWork: with the window serving, a second
// launch raises it, and `chorus speak` runs in the window's process.
func TestWindowTakesSecondProcessesWork(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	p := scripted.Register(t, &scripted.Provider{ID: "window-rec"})
	var mu sync.Mutex
	shown, stopped := 0, 0
	engine := &core.Engine{OpenSink: func() (player.Sink, error) { return player.NewMemorySink(player.DeviceFormat), nil },
		Getenv: func(string) string { return "" }}
	srv, err := ServeInstance(engine, InstanceHooks{
		Show: func() { mu.Lock(); shown++; mu.Unlock() },
		Stop: func() { mu.Lock(); stopped++; mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if _, err := ServeInstance(engine, InstanceHooks{}); err != instance.ErrRunning {
		t.Fatalf("a second window serving: %v, want ErrRunning", err)
	}
	launch, _ := child("launch")
	if code := exitCode(launch.Run()); code != 0 {
		t.Fatalf("second launch: exit %d, want 0 (handed over)", code)
	}
	speak, errb := child("speak", "--provider", "window-rec", "--voice", "v2", "Spoken by the window")
	if code := exitCode(speak.Run()); code != 0 {
		t.Fatalf("handed-over speak: exit %d: %s", code, errb)
	}
	reqs := p.Requests()
	if len(reqs) != 1 || reqs[0].Text != "Spoken by the window" || reqs[0].Voice != "v2" {
		t.Errorf("the window's provider got %+v", reqs)
	}
	mu.Lock()
	defer mu.Unlock()
	if shown != 1 || stopped != 1 {
		t.Errorf("show called %d times, stop %d times; want 1 and 1 (a new speak stops the old)", shown, stopped)
	}
}

// TestSecondSpeakStopsTheFirst: two `chorus speak` never talk over each
// other; the second stops the first and speaks itself.
func TestSecondSpeakStopsTheFirst(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	first, firstErr := child("speak", "--provider", "endless", "First")
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer first.Process.Kill()
	waitForInstance(t)
	second, secondErr := child("speak", "--provider", "endless", "Second")
	if err := second.Start(); err != nil {
		t.Fatal(err)
	}
	defer second.Process.Kill()
	if code := exitCode(first.Wait()); code != ExitFailure || !strings.Contains(firstErr.String(), "stopped") {
		t.Fatalf("the first speak: exit %d, %q; want it stopped by the second", code, firstErr)
	}
	waitForInstance(t) // the second now plays and serves
	stop, _ := child("stop")
	stop.Run()
	if code := exitCode(second.Wait()); code != ExitFailure || !strings.Contains(secondErr.String(), "stopped") {
		t.Errorf("the second speak: exit %d, %q; want it playing until stopped", code, secondErr)
	}
}

func TestPlaysOnly(t *testing.T) {
	for args, want := range map[string]bool{"hi": true, "--selection": true, "hi --out x.wav": false,
		"--out=x.wav hi": false, "-": false, "--file a.txt": false, "--help": false} {
		if got := playsOnly(strings.Fields(args)); got != want {
			t.Errorf("playsOnly(%q) = %v", args, got)
		}
	}
}

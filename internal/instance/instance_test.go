package instance

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary act as the second process: with
// CHORUS_INSTANCE_CLIENT set it forwards its arguments and exits with the
// code the instance answered (3 when no instance runs).
func TestMain(m *testing.M) {
	if os.Getenv("CHORUS_INSTANCE_CLIENT") == "1" {
		code, ok, err := Forward(context.Background(), os.Args[1:], os.Stdout, os.Stderr)
		switch {
		case err != nil:
			fmt.Fprintln(os.Stderr, err)
			os.Exit(4)
		case !ok:
			os.Exit(3)
		}
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// client runs the test binary as a second process that forwards args.
func client(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "CHORUS_INSTANCE_CLIENT=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func TestSecondProcessHandsItsWorkOver(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	if _, _, code := client(t, "speak", "x"); code != 3 {
		t.Fatalf("with no instance the client got code %d, want 3 (do it yourself)", code)
	}
	got := make(chan Request, 1)
	s, err := Listen(func(ctx context.Context, req Request, stdout, stderr io.Writer) int {
		got <- req
		fmt.Fprintf(stdout, "spoke %q\n", req.Args[len(req.Args)-1])
		fmt.Fprintln(stderr, "saved nothing")
		return 7
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := Listen(nil); err != ErrRunning {
		t.Fatalf("a second Listen = %v, want ErrRunning", err)
	}
	out, errs, code := client(t, "speak", "--selection", "Hello from two")
	req := <-got
	wd, _ := os.Getwd()
	if strings.Join(req.Args, "|") != "speak|--selection|Hello from two" || req.Dir != wd {
		t.Errorf("the instance got %+v", req)
	}
	if code != 7 || out != "spoke \"Hello from two\"\n" || errs != "saved nothing\n" {
		t.Errorf("client: code %d, stdout %q, stderr %q", code, out, errs)
	}
	if fi, err := os.Stat(SocketPath()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode: %v %v", fi.Mode(), err)
	}
}

// TestClientGoingAwayCancelsTheWork kills a client mid-request: the
// instance's work must be cancelled, as Ctrl+C cancels local work.
func TestClientGoingAwayCancelsTheWork(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	started, cancelled := make(chan struct{}), make(chan struct{})
	s, err := Listen(func(ctx context.Context, req Request, stdout, stderr io.Writer) int {
		close(started)
		<-ctx.Done()
		close(cancelled)
		return 1
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cmd := exec.Command(os.Args[0], "speak", "long")
	cmd.Env = append(os.Environ(), "CHORUS_INSTANCE_CLIENT=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	<-started
	cmd.Process.Kill()
	cmd.Wait()
	select {
	case <-cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("the instance kept working after its client went away")
	}
}

func TestStaleSocketIsReplaced(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	s, err := Listen(func(context.Context, Request, io.Writer, io.Writer) int { return 0 })
	if err != nil {
		t.Fatal(err)
	}
	// A crash leaves the file behind; simulate it by closing the listener only.
	s.ln.(*net.UnixListener).SetUnlinkOnClose(false)
	s.ln.Close()
	s.wg.Wait()
	if _, err := os.Stat(SocketPath()); err != nil {
		t.Fatalf("the stale socket file is gone: %v", err)
	}
	s2, err := Listen(func(context.Context, Request, io.Writer, io.Writer) int { return 5 })
	if err != nil {
		t.Fatalf("Listen over a stale socket: %v", err)
	}
	defer s2.Close()
	if code, ok, err := Forward(context.Background(), []string{"x"}, io.Discard, io.Discard); !ok || err != nil || code != 5 {
		t.Errorf("Forward = %d %v %v", code, ok, err)
	}
}

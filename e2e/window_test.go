package e2e

import (
	"bytes"
	"context"
	"image"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"chorus/internal/audiotest"
)

// The real binary opens its window under Xvfb; we find it by title and take
// a screenshot. CHORUS_SCREENSHOT=path keeps the picture (for the README).
func TestRealWindowOpens(t *testing.T) {
	audiotest.RequireReal(t)
	if os.Getenv("DISPLAY") == "" {
		t.Fatal("DISPLAY is not set: run through scripts/test.sh")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	app := exec.CommandContext(ctx, binary)
	logs := &syncBuffer{}
	app.Stdout, app.Stderr = logs, logs
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { app.Wait(); close(exited) }()
	defer func() { app.Process.Kill(); <-exited }()

	var id string
	for ctx.Err() == nil {
		out, _ := exec.Command("xdotool", "search", "--name", "^Chorus$").Output()
		if id = strings.TrimSpace(string(out)); id != "" {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if id == "" {
		t.Fatalf("no window titled Chorus appeared; app output:\n%s", logs.String())
	}
	time.Sleep(2 * time.Second) // let it render its first frames
	shot := filepath.Join(t.TempDir(), "shot.png")
	if keep := os.Getenv("CHORUS_SCREENSHOT"); keep != "" {
		shot = keep
	}
	if out, err := exec.Command("import", "-window", id, shot).CombinedOutput(); err != nil {
		t.Fatalf("import: %v %s", err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// A real window has many distinct colours (text, widgets); an empty
	// screen or a black GL surface has one or two.
	colours := map[[3]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
		}
	}
	if len(colours) < 20 {
		t.Errorf("screenshot has only %d colours: the window did not render", len(colours))
	}
	select {
	case <-exited:
		t.Fatalf("the app exited early: %s", logs.String())
	default:
	}
	if strings.Contains(logs.String(), "panic") {
		t.Errorf("app logged a panic:\n%s", logs.String())
	}
}

// syncBuffer is a bytes.Buffer safe for a process's output goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

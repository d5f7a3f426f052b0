// Package instance keeps Chorus to one speaking process per user: the first
// process listens on a per-user local socket, and later ones hand their
// command line to it instead of playing over it.
package instance

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
)

// Request is one command line handed over: its arguments (without the
// program name) and the directory it was given in.
type Request struct {
	Args []string `json:"args"`
	Dir  string   `json:"dir"`
}

// Handler runs a handed-over request, writing what the command prints to
// stdout and stderr, and returns its exit code. ctx ends when the client goes
// away (Ctrl+C) or the server closes.
type Handler func(ctx context.Context, req Request, stdout, stderr io.Writer) int

// ErrRunning is returned by Listen when another process already listens.
var ErrRunning = errors.New("another Chorus is running")

// SocketPath is the per-user socket: $XDG_RUNTIME_DIR/chorus/instance.sock,
// else a private folder under the temporary directory.
func SocketPath() string {
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), fmt.Sprintf("chorus-%d", os.Getuid()))
	} else {
		dir = filepath.Join(dir, "chorus")
	}
	return filepath.Join(dir, "instance.sock")
}

// message is one line of the reply stream.
type message struct {
	Stdout string `json:"o,omitempty"`
	Stderr string `json:"e,omitempty"`
	Code   *int   `json:"code,omitempty"`
}

// Server answers handed-over requests until Close.
type Server struct {
	ln      net.Listener
	path    string
	handle  Handler
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	closing sync.Once
}

// Listen starts serving at SocketPath. It returns ErrRunning when another
// process is there; a socket left by a process that died is replaced.
func Listen(handle Handler) (*Server, error) {
	path := SocketPath()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("cannot create the instance socket's folder: %w", err)
	}
	if c, err := net.Dial("unix", path); err == nil {
		c.Close()
		return nil, ErrRunning
	}
	os.Remove(path) // stale: nobody answers there
	ln, err := net.Listen("unix", path)
	if err != nil {
		if c, derr := net.Dial("unix", path); derr == nil { // lost a race
			c.Close()
			return nil, ErrRunning
		}
		return nil, fmt.Errorf("cannot listen on %s: %w", path, err)
	}
	os.Chmod(path, 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{ln: ln, path: path, handle: handle, ctx: ctx, cancel: cancel}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.answer(c)
		}()
	}
}

// lineWriter sends each Write as one message.
type lineWriter struct {
	mu     *sync.Mutex
	enc    *json.Encoder
	stderr bool
}

func (w lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	m := message{Stdout: string(p)}
	if w.stderr {
		m = message{Stderr: string(p)}
	}
	return len(p), w.enc.Encode(m)
}

func (s *Server) answer(c net.Conn) {
	defer c.Close()
	var req Request
	r := bufio.NewReader(c)
	line, err := r.ReadBytes('\n')
	if err != nil || json.Unmarshal(line, &req) != nil {
		return
	}
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	// The client closing its end (Ctrl+C) cancels the work.
	go func() {
		io.Copy(io.Discard, r)
		cancel()
	}()
	var mu sync.Mutex
	enc := json.NewEncoder(c)
	code := s.handle(ctx, req, lineWriter{&mu, enc, false}, lineWriter{&mu, enc, true})
	mu.Lock()
	enc.Encode(message{Code: &code})
	mu.Unlock()
}

// Close stops listening, cancels the requests being handled, waits for them
// and removes the socket.
func (s *Server) Close() error {
	s.closing.Do(func() {
		s.ln.Close()
		s.cancel()
		s.wg.Wait()
		os.Remove(s.path)
	})
	return nil
}

// Forward hands args to the running instance and copies what it prints to
// stdout and stderr. ok is false when no instance is running (the caller
// does the work itself). Cancelling ctx abandons the request, which cancels
// it in the instance.
func Forward(ctx context.Context, args []string, stdout, stderr io.Writer) (code int, ok bool, err error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", SocketPath())
	if err != nil {
		return 0, false, nil
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	dir, _ := os.Getwd()
	if err := json.NewEncoder(c).Encode(Request{Args: args, Dir: dir}); err != nil {
		return 0, true, fmt.Errorf("the running Chorus did not take the request: %w", err)
	}
	dec := json.NewDecoder(c)
	for {
		var m message
		if err := dec.Decode(&m); err != nil {
			if ctx.Err() != nil {
				return 0, true, ctx.Err()
			}
			return 0, true, fmt.Errorf("the running Chorus stopped answering: %w", err)
		}
		io.WriteString(stdout, m.Stdout)
		io.WriteString(stderr, m.Stderr)
		if m.Code != nil {
			return *m.Code, true, nil
		}
	}
}

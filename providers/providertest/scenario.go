package providertest

import (
	"bufio"
	"net"
	"net/http"
	"sync"
	"time"
)

// Scenario decides how the fake answers one request: n counts requests
// since the scenario was set, from 1. Calling fake.ServeHTTP lets the fake
// answer, possibly through a wrapped ResponseWriter.
type Scenario func(w http.ResponseWriter, r *http.Request, n int, fake Fake)

// Fail answers every request with status and the fake's error body.
// retryAfter, when not empty, is sent as the Retry-After header.
func Fail(status int, message, retryAfter string) Scenario {
	return FailFirst(-1, status, message, retryAfter)
}

// FailFirst fails the first k requests like Fail (every one when k < 0),
// then lets the fake answer.
func FailFirst(k, status int, message, retryAfter string) Scenario {
	return func(w http.ResponseWriter, r *http.Request, n int, fake Fake) {
		if k >= 0 && n > k {
			fake.ServeHTTP(w, r)
			return
		}
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		fake.WriteError(w, status, message)
	}
}

// Respond answers every request with the given status, content type and
// body, whatever the fake would say.
func Respond(status int, contentType string, body []byte) Scenario {
	return func(w http.ResponseWriter, r *http.Request, n int, fake Fake) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		w.Write(body)
	}
}

// Delay waits d before the fake answers (or gives up when the client leaves).
func Delay(d time.Duration) Scenario {
	return func(w http.ResponseWriter, r *http.Request, n int, fake Fake) {
		if sleep(r, d) {
			fake.ServeHTTP(w, r)
		}
	}
}

// Trickle sends the fake's answer in pieces of at most piece bytes with gap
// between them: a slow but healthy stream.
func Trickle(piece int, gap time.Duration) Scenario {
	return func(w http.ResponseWriter, r *http.Request, n int, fake Fake) {
		fake.ServeHTTP(&trickleWriter{ResponseWriter: w, r: r, piece: piece, gap: gap}, r)
	}
}

// Cut lets the fake answer but breaks the connection after `after` bytes
// of body, without ending the HTTP response properly.
func Cut(after int) Scenario {
	return func(w http.ResponseWriter, r *http.Request, n int, fake Fake) {
		fake.ServeHTTP(&cutWriter{ResponseWriter: w, left: after}, r)
	}
}

// Redirect answers 307 Temporary Redirect to target plus the request's
// path and query, so the client repeats the request there.
func Redirect(target string) Scenario {
	return func(w http.ResponseWriter, r *http.Request, n int, fake Fake) {
		http.Redirect(w, r, target+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}
}

// sleep waits d and reports whether the client is still there.
func sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

type trickleWriter struct {
	http.ResponseWriter
	r     *http.Request
	piece int
	gap   time.Duration
}

func (t *trickleWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		k := min(len(p), t.piece)
		n, err := t.ResponseWriter.Write(p[:k])
		written += n
		if err != nil {
			return written, err
		}
		http.NewResponseController(t.ResponseWriter).Flush()
		p = p[k:]
		if !sleep(t.r, t.gap) {
			return written, http.ErrAbortHandler
		}
	}
	return written, nil
}

// Flush is a no-op: Write already flushes each piece.
func (t *trickleWriter) Flush() {}

type cutWriter struct {
	http.ResponseWriter
	left int
	cut  bool
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if c.cut {
		return 0, http.ErrAbortHandler
	}
	if len(p) <= c.left {
		c.left -= len(p)
		return c.ResponseWriter.Write(p)
	}
	n, _ := c.ResponseWriter.Write(p[:c.left])
	c.cut = true
	rc := http.NewResponseController(c.ResponseWriter)
	rc.Flush()
	if conn, _, err := rc.Hijack(); err == nil {
		conn.Close()
	}
	return n, http.ErrAbortHandler
}

// Flush passes through until the cut.
func (c *cutWriter) Flush() {
	if !c.cut {
		http.NewResponseController(c.ResponseWriter).Flush()
	}
}

// Hijack lets a fake that upgrades the connection (WebSocket) take it over;
// what it then writes still trickles in pieces with gaps.
func (t *trickleWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(t.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	return shaped(conn, brw, func(h *hijacked, p []byte) (int, error) {
		written := 0
		for len(p) > 0 {
			k := min(len(p), t.piece)
			n, err := h.Conn.Write(p[:k])
			written += n
			if err != nil {
				return written, err
			}
			p = p[k:]
			if !h.sleep(t.gap) {
				return written, net.ErrClosed
			}
		}
		return written, nil
	})
}

// Hijack lets a fake that upgrades the connection (WebSocket) take it over;
// the connection is still cut after the set number of bytes.
func (c *cutWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(c.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	return shaped(conn, brw, func(h *hijacked, p []byte) (int, error) {
		if c.cut {
			return 0, net.ErrClosed
		}
		if len(p) <= c.left {
			c.left -= len(p)
			return h.Conn.Write(p)
		}
		n, _ := h.Conn.Write(p[:c.left])
		c.cut = true
		h.Close()
		return n, net.ErrClosed
	})
}

// shaped wraps a hijacked connection so that everything written to it,
// directly or through the returned buffered writer, goes through write.
func shaped(conn net.Conn, brw *bufio.ReadWriter, write func(h *hijacked, p []byte) (int, error)) (net.Conn, *bufio.ReadWriter, error) {
	h := &hijacked{Conn: conn, closed: make(chan struct{}), write: write}
	if n := brw.Writer.Buffered(); n > 0 {
		brw.Writer.Flush() // whatever the server had buffered goes out unshaped
	}
	return h, bufio.NewReadWriter(brw.Reader, bufio.NewWriter(h)), nil
}

// hijacked is a taken-over connection whose writes a scenario shapes.
type hijacked struct {
	net.Conn
	write  func(h *hijacked, p []byte) (int, error)
	mu     sync.Mutex
	closed chan struct{}
	done   bool
}

func (h *hijacked) Write(p []byte) (int, error) { return h.write(h, p) }

// Close closes the connection and ends any pause of the scenario.
func (h *hijacked) Close() error {
	h.mu.Lock()
	if !h.done {
		h.done = true
		close(h.closed)
	}
	h.mu.Unlock()
	return h.Conn.Close()
}

// sleep waits d and reports whether the connection is still open.
func (h *hijacked) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-h.closed:
		return false
	}
}

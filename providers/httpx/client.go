package httpx

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"chorus/audio"
	"chorus/audio/codec"
	"chorus/providers"
)

// Options describe the provider a Client talks for.
type Options struct {
	// Info names the provider in errors and hints (ID, Name, KeyEnv), says
	// whether a missing key stops a call (NeedsKey, KeyOptional), and gives
	// the base URL used when Config.BaseURL is empty (DefaultBaseURL).
	Info providers.Info
	// Header is sent with every request, e.g. a client version header.
	Header http.Header
	// AuthHeader names the header that carries the key. Empty means
	// "Authorization: Bearer <key>"; otherwise the header's value is the bare key.
	AuthHeader string
	// ParseError pulls code and message out of an error body; nil means
	// ErrorMessage, which knows the common shapes.
	ParseError func(body []byte) (code, message string)
}

// Client sends a provider's requests under the shared policy. It is safe
// for concurrent use.
type Client struct {
	info       providers.Info
	base       *url.URL
	key        string
	http       *http.Client
	policy     providers.NetworkPolicy
	busyCap    int // attempts while the service says busy: MaxAttempts when set, else maxBusyAttempts
	header     http.Header
	authHeader string
	parse      func([]byte) (string, string)
}

// New builds a client from a provider's configuration. It fails with a
// validation error when the base URL is malformed or breaks the HTTPS rule.
func New(cfg providers.Config, opt Options) (*Client, error) {
	raw := cfg.BaseURL
	if raw == "" {
		raw = opt.Info.DefaultBaseURL
	}
	base, err := ParseBaseURL(raw, cfg.AllowInsecureHTTP)
	if err != nil {
		err.(*providers.Error).Provider = opt.Info.ID
		return nil, err
	}
	c := &Client{info: opt.Info, base: base, key: cfg.APIKey, policy: WithDefaults(cfg.Network),
		header: opt.Header, authHeader: opt.AuthHeader, parse: opt.ParseError}
	if c.parse == nil {
		c.parse = ErrorMessage
	}
	c.busyCap = maxBusyAttempts
	if cfg.Network.MaxAttempts > 0 {
		c.busyCap = cfg.Network.MaxAttempts
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = defaultClient()
		if cfg.Network != (providers.NetworkPolicy{}) {
			hc = NewHTTPClient(cfg.Network)
		}
	}
	own := *hc // a copy, so the redirect rule is ours without changing the caller's client
	own.CheckRedirect = redirectPolicy(cfg.AllowInsecureHTTP, c.authName())
	c.http = &own
	return c, nil
}

func (c *Client) authName() string {
	if c.authHeader == "" {
		return "Authorization"
	}
	return c.authHeader
}

// BaseURL returns the base URL in use, without a trailing slash.
func (c *Client) BaseURL() string { return c.base.String() }

// HasKey reports whether the client has an API key.
func (c *Client) HasKey() bool { return c.key != "" }

// Policy returns the network policy in use, with defaults filled in.
func (c *Client) Policy() providers.NetworkPolicy { return c.policy }

// Request is one HTTP call relative to the base URL.
type Request struct {
	Method string      // "" means POST when Body is set, GET otherwise
	Path   string      // appended to the base URL, e.g. "/audio/speech"
	Body   any         // JSON-encoded; a []byte is sent as it is (set Content-Type in Header)
	Header http.Header // per-request headers, e.g. Accept
}

// Response is a successful (2xx) answer whose body is still streaming.
type Response struct {
	// Body yields the body (for Audio: the decoded audio) and maps read
	// failures to *providers.Error. The caller must Close it.
	Body io.ReadCloser
	// Header holds the response headers.
	Header http.Header
	// Status is the HTTP status code.
	Status int
	// Requests counts the HTTP requests made, including retries.
	Requests int
	// Head is a copy of the first bytes of the audio (Audio only), for
	// providers that sniff the container (Body still yields them).
	Head []byte
}

// Decoder turns a response body into audio bytes: for example an SSE or
// NDJSON stream of base64 chunks. If the returned reader is an io.Closer it
// is closed with the body.
type Decoder func(body io.Reader) io.Reader

var errFirstByte = errors.New("first byte timeout")

// Do sends r and returns the first 2xx response, retrying 408, 429, 500,
// 502, 503, 504 and connection failures with back-off (honouring
// Retry-After), within the policy's attempt and time bounds. Other statuses
// become *providers.Error at once.
func (c *Client) Do(ctx context.Context, r Request) (*Response, error) {
	return c.send(ctx, r, nil)
}

// Audio sends r like Do and also waits for the first bytes of audio before
// it returns: a connection that fails or stays silent for
// FirstByteTimeout before then is retried too. decode, if not nil, turns
// the body into audio bytes (SSE, NDJSON). The first bytes must look like
// claimed audio (an empty claimed only rules out an empty body and text),
// otherwise the error is KindNotAudio and says what came back. After audio
// has started nothing is retried: a broken stream makes Body.Read fail with
// KindCutStream.
func (c *Client) Audio(ctx context.Context, r Request, claimed audio.Encoding, decode Decoder) (*Response, error) {
	return c.send(ctx, r, func(resp *Response, raw io.ReadCloser, closer func() error) error {
		var src io.Reader = raw
		var seen *capture
		if decode != nil {
			// Keep what the decoder consumed, to describe a body that
			// turns out not to be the expected framing at all.
			seen = &capture{}
			src = decode(io.TeeReader(raw, seen))
			if cl, ok := src.(io.Closer); ok {
				inner := closer
				closer = func() error { cl.Close(); return inner() }
			}
		}
		head, err := readHead(src)
		if err != nil {
			return err
		}
		check := func(b []byte) error {
			return cmp.Or(codec.CheckRaw(b, claimed, resp.Header.Get("Content-Type"), decode != nil), checkAudio(b, claimed))
		}
		if err := check(head); err != nil {
			if seen != nil && len(head) == 0 && len(seen.b) > 0 {
				return c.notFramed(seen.b, raw)
			}
			return c.notAudio(err, check, head, src)
		}
		if seen != nil {
			seen.stop = true
		}
		resp.Head = head
		resp.Body = NewBody(ctx, c.info.ID, io.MultiReader(bytes.NewReader(head), src), closer)
		return nil
	})
}

// maxJSON bounds a JSON answer (a voice listing, for example): far beyond
// any real listing, small enough that a runaway body cannot exhaust memory.
var maxJSON int64 = 256 << 20

// errTooLarge is what limitReader returns past its limit.
var errTooLarge = errors.New("answer too large")

// limitReader reads r and fails with errTooLarge past n bytes.
type limitReader struct {
	r io.Reader
	n int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		// At the limit: more data means too large, else pass the end on.
		k, err := l.r.Read(p[:min(len(p), 1)])
		if k > 0 || err == nil {
			return 0, errTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	k, err := l.r.Read(p)
	l.n -= int64(k)
	return k, err
}

// JSON sends r and decodes the JSON answer into out. The body is decoded as
// it streams, so a listing of any size up to 256 MiB is read without a copy.
func (c *Client) JSON(ctx context.Context, r Request, out any) error {
	if r.Header.Get("Accept") == "" {
		r.Header = r.Header.Clone()
		if r.Header == nil {
			r.Header = http.Header{}
		}
		r.Header.Set("Accept", "application/json")
	}
	resp, err := c.Do(ctx, r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	seen := &capture{}
	dec := json.NewDecoder(io.TeeReader(&limitReader{r: resp.Body, n: maxJSON}, seen))
	err = dec.Decode(out)
	if err == nil {
		seen.stop = true
		if _, e := dec.Token(); e != io.EOF {
			err = fmt.Errorf("more data follows the JSON value")
			if errors.Is(e, errTooLarge) {
				err = e
			}
		}
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errTooLarge):
		return c.NewError(providers.KindUnknown, resp.Status, "",
			fmt.Sprintf("%s%s answered with more than %d MiB of JSON, more than Chorus reads", c.BaseURL(), r.Path, maxJSON>>20))
	}
	var pe *providers.Error
	if errors.As(err, &pe) {
		if pe.Kind == providers.KindCutStream {
			e := c.NewError(providers.KindNetwork, 0, "",
				fmt.Sprintf("the answer from %s%s was cut off: %v", c.BaseURL(), r.Path, pe.Err))
			e.Err = pe.Err
			return e
		}
		return err // the call was stopped
	}
	if len(seen.b) == 0 {
		return c.NewError(providers.KindUnknown, resp.Status, "",
			fmt.Sprintf("%s%s answered with an empty body instead of JSON", c.BaseURL(), r.Path))
	}
	what := textKind(seen.b[:min(len(seen.b), 64)])
	if what == "" {
		what = "data"
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		err = errors.New("it ends early")
	}
	return c.NewError(providers.KindUnknown, resp.Status, "",
		fmt.Sprintf("%s%s answered with %s that Chorus cannot read (%v)", c.BaseURL(), r.Path, what, err))
}

// readHead reads the first headSize bytes, or fewer when the body is shorter.
func readHead(r io.Reader) ([]byte, error) {
	head := make([]byte, headSize)
	n := 0
	for n < len(head) {
		m, err := r.Read(head[n:])
		n += m
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return head[:n], nil
}

// notAudio describes a body that is not the audio asked for. problem is
// what check (codec's sniffing) found in head; a text body is read on, up to
// 4 KiB, so that check can quote it whole, and the provider's own error
// message is added when the quote lacks it. NewError takes the key out.
func (c *Client) notAudio(problem error, check func([]byte) error, head []byte, rest io.Reader) *providers.Error {
	msg := problem.Error()
	if textKind(head) != "" {
		more, _ := io.ReadAll(io.LimitReader(rest, 4096))
		body := append(head[:len(head):len(head)], more...)
		if check != nil {
			if err := check(body); err != nil {
				msg = err.Error()
			}
		}
		if _, m := c.parse(body); m != "" && !strings.Contains(msg, m) {
			msg += ": " + m
		}
	}
	return c.NewError(providers.KindNotAudio, http.StatusOK, "", msg)
}

// notFramed describes a body the decoder found no audio in.
func (c *Client) notFramed(seen []byte, rest io.Reader) *providers.Error {
	what := textKind(seen[:min(len(seen), headSize)])
	if what == "" {
		what = "data"
	}
	msg := fmt.Sprintf("the server sent %s without any audio in it", what)
	more, _ := io.ReadAll(io.LimitReader(rest, 4096))
	if _, m := c.parse(append(seen, more...)); m != "" && what != "data" {
		msg += ": " + m
	}
	return c.NewError(providers.KindNotAudio, http.StatusOK, "", msg)
}

// capture keeps the first 4 KiB written to it until stopped.
type capture struct {
	b    []byte
	stop bool
}

func (c *capture) Write(p []byte) (int, error) {
	if !c.stop && len(c.b) < 4096 {
		c.b = append(c.b, p[:min(len(p), 4096-len(c.b))]...)
	}
	return len(p), nil
}

// opener finishes a successful response: it sets resp.Body (and may read
// the start of it). raw is the HTTP body; closer releases everything.
type opener func(resp *Response, raw io.ReadCloser, closer func() error) error

func (c *Client) send(ctx context.Context, r Request, open opener) (*Response, error) {
	if e := c.missingKey(); e != nil {
		return nil, e
	}
	payload, ctype, err := encodeBody(r.Body)
	if err != nil {
		return nil, c.NewError(providers.KindValidation, 0, "", fmt.Sprintf("cannot encode the request: %v", err))
	}
	return c.retry(ctx, func() (*Response, *providers.Error, bool) {
		return c.attempt(ctx, r, payload, ctype, open)
	})
}

// missingKey returns the error for a call to a provider that needs a key
// when the client has none, or nil.
func (c *Client) missingKey() *providers.Error {
	if c.key == "" && c.info.NeedsKey && !c.info.KeyOptional {
		return &providers.Error{Provider: c.info.ID, Kind: providers.KindUnavailable,
			Message: fmt.Sprintf("no API key for %s", c.info.Name),
			Hint:    fmt.Sprintf("Add the key in Settings, or set %s", c.info.KeyEnv())}
	}
	return nil
}

// retry makes attempts with try (one HTTP request or WebSocket session,
// which says whether another attempt may help) until one succeeds, one
// fails for good, or the policy's bounds run out: MaxAttempts for failures,
// and for a service that says it is busy (HTTP 429 or 503 without a quota
// message, a Busy error such as WebSocket close 1013) the whole
// MaxRetryTime, however many attempts that takes, unless MaxAttempts was
// set explicitly. It waits between attempts as the failure asks
// (Retry-After), else with back-off cut to the time left, and stops at
// once when ctx ends.
func (c *Client) retry(ctx context.Context, try func() (*Response, *providers.Error, bool)) (*Response, error) {
	start := time.Now()
	for attempt := 1; ; attempt++ {
		resp, perr, retry := try()
		if perr == nil {
			resp.Requests = attempt
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, c.stopped(ctx)
		}
		limit := c.policy.MaxAttempts
		if busy(perr) {
			limit = c.busyCap
		}
		if !retry || attempt >= limit {
			return nil, gaveUp(perr, attempt, time.Since(start))
		}
		left := c.policy.MaxRetryTime - time.Since(start)
		wait := perr.RetryAfter
		if wait == 0 {
			wait = min(backoff(c.policy.RetryDelay, attempt), left)
		}
		if wait > left || left <= 0 {
			return nil, gaveUp(perr, attempt, time.Since(start))
		}
		of := limit
		if busy(perr) && c.policy.MaxAttempts == 0 {
			of = 0 // bounded by MaxRetryTime only
		}
		providers.NoticeRetry(ctx, providers.Retry{Err: perr, Attempt: attempt + 1, Of: of, Wait: wait})
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, c.stopped(ctx)
		case <-t.C:
		}
	}
}

// busy reports whether e says the service is busy and wants the call
// repeated later, as opposed to a failure or an exhausted quota.
func busy(e *providers.Error) bool {
	if _, b := IsTransient(e); b {
		return true
	}
	if e.Status != http.StatusTooManyRequests && e.Status != http.StatusServiceUnavailable {
		return false
	}
	s := strings.ToLower(e.Code + " " + e.Message)
	for _, w := range []string{"quota", "credit", "billing", "balance", "payment"} {
		if strings.Contains(s, w) {
			return false
		}
	}
	return true
}

func gaveUp(e *providers.Error, attempts int, took time.Duration) *providers.Error {
	if attempts > 1 {
		e.Message += fmt.Sprintf(" (gave up after %d attempts in %s)", attempts, FormatDuration(took.Round(100*time.Millisecond)))
	}
	return e
}

// backoff is RetryDelay doubled per retry, capped, with up to 25% jitter.
func backoff(base time.Duration, attempt int) time.Duration {
	d := base << (attempt - 1)
	if d > maxRetryDelay || d <= 0 {
		d = maxRetryDelay
	}
	return d + time.Duration(rand.Int64N(int64(d)/4+1))
}

func (c *Client) stopped(ctx context.Context) *providers.Error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &providers.Error{Provider: c.info.ID, Kind: providers.KindNetwork,
			Message: "the request ran out of time", Hint: c.hint(providers.KindNetwork, 0, 0), Err: ctx.Err()}
	}
	return &providers.Error{Provider: c.info.ID, Kind: providers.KindCanceled,
		Message: "synthesis was stopped", Err: ctx.Err()}
}

func encodeBody(body any) ([]byte, string, error) {
	switch b := body.(type) {
	case nil:
		return nil, "", nil
	case []byte:
		return b, "", nil
	}
	p, err := json.Marshal(body)
	return p, "application/json", err
}

// attempt makes one request. retry says whether another attempt may help.
func (c *Client) attempt(ctx context.Context, r Request, payload []byte, ctype string, open opener) (*Response, *providers.Error, bool) {
	reqCtx, cancel := context.WithCancelCause(ctx)
	timer := time.AfterFunc(c.policy.FirstByteTimeout, func() { cancel(errFirstByte) })
	fail := func() { timer.Stop(); cancel(nil) }

	method := r.Method
	if method == "" {
		method = http.MethodGet
		if r.Body != nil {
			method = http.MethodPost
		}
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(reqCtx, method, c.BaseURL()+r.Path, body)
	if err != nil {
		fail()
		return nil, c.NewError(providers.KindValidation, 0, "", fmt.Sprintf("cannot build the request: %v", err)), false
	}
	req.Header = c.headers(r.Header)
	if ctype != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", ctype)
	}

	hr, err := c.http.Do(req)
	if err != nil {
		fail()
		return c.netError(err, context.Cause(reqCtx) == errFirstByte, open != nil)
	}
	if hr.StatusCode < 200 || hr.StatusCode > 299 {
		msg, _ := io.ReadAll(io.LimitReader(hr.Body, 64<<10))
		hr.Body.Close()
		fail()
		return nil, c.StatusError(hr.StatusCode, hr.Header, msg), retryableStatus(hr.StatusCode)
	}
	resp := &Response{Header: hr.Header, Status: hr.StatusCode}
	closer := func() error { cancel(nil); return hr.Body.Close() }
	if open == nil {
		timer.Stop()
		resp.Body = NewBody(ctx, c.info.ID, hr.Body, closer)
		return resp, nil, false
	}
	err = open(resp, hr.Body, closer)
	if !timer.Stop() {
		// The first-byte timer fired: the request context is gone.
		if err == nil {
			resp.Body.Close()
		}
		closer()
		return nil, c.timeout(c.policy.FirstByteTimeout, true), true
	}
	if err != nil {
		closer()
		var pe *providers.Error
		switch {
		case ctx.Err() != nil:
			return nil, c.stopped(ctx), false
		case errors.As(err, &pe):
			retry, _ := IsTransient(pe)
			return nil, pe, retry
		}
		return nil, c.NewError(providers.KindNetwork, 0, "",
			fmt.Sprintf("the connection failed before any audio arrived: %v", err)), true
	}
	return resp, nil, false
}

// headers returns the headers of a request: the client's, then the
// request's own, then the key in the auth header.
func (c *Client) headers(own http.Header) http.Header {
	h := http.Header{}
	for k, v := range c.header {
		h[k] = v
	}
	for k, v := range own {
		h[k] = v
	}
	if c.key != "" {
		if c.authHeader == "" {
			h.Set("Authorization", "Bearer "+c.key)
		} else {
			h.Set(c.authHeader, c.key)
		}
	}
	return h
}

// timeout is the error for a server that stayed silent for d: no
// headers, or (audio true) no audio bytes either.
func (c *Client) timeout(d time.Duration, audio bool) *providers.Error {
	what := "did not answer"
	if audio {
		what = "did not start sending audio"
	}
	return c.NewError(providers.KindNetwork, 0, "",
		fmt.Sprintf("%s %s within %s", c.base.Host, what, FormatDuration(d)))
}

// FormatDuration writes d the way messages show a timeout or a wait:
// "30 s", "2.5 s", "500 ms", "60 min".
func FormatDuration(d time.Duration) string {
	switch {
	case d >= 2*time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%d min", d/time.Minute)
	case d >= time.Second && d%time.Second == 0:
		return fmt.Sprintf("%d s", d/time.Second)
	case d >= time.Second:
		return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
	}
	return fmt.Sprintf("%d ms", d.Milliseconds())
}

// headerTimeout reports whether err is the HTTP transport's own
// response-header timeout, which fires together with the first-byte timer
// and must read the same, and returns the transport's limit.
func (c *Client) headerTimeout(err error) (time.Duration, bool) {
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !strings.Contains(err.Error(), "awaiting response headers") {
		return 0, false
	}
	d := c.policy.FirstByteTimeout
	if t, ok := c.http.Transport.(*http.Transport); ok && t.ResponseHeaderTimeout > 0 {
		d = min(d, t.ResponseHeaderTimeout)
	}
	return d, true
}

// netError maps a failure to send a request or read its headers. timedOut
// says the first-byte timer ended the attempt; audio that audio was asked
// for (it only changes the words of a timeout).
func (c *Client) netError(err error, timedOut, audio bool) (*Response, *providers.Error, bool) {
	if timedOut {
		return nil, c.timeout(c.policy.FirstByteTimeout, audio), true
	}
	if d, ok := c.headerTimeout(err); ok {
		return nil, c.timeout(d, audio), true
	}
	var pe *providers.Error
	if errors.As(err, &pe) { // a refused redirect
		e := *pe
		e.Provider = c.info.ID
		return nil, &e, false
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	e := c.NewError(providers.KindNetwork, 0, "", fmt.Sprintf("cannot reach %s: %v", c.base.Host, err))
	e.Err = err
	var unknownCA x509.UnknownAuthorityError
	var badHost x509.HostnameError
	var badCert x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	if errors.As(err, &unknownCA) || errors.As(err, &badHost) || errors.As(err, &badCert) || errors.As(err, &verify) {
		e.Hint = "The server's certificate is not valid for this address; check the base URL"
		return nil, e, false
	}
	return nil, e, true
}

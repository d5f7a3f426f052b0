package httpx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"

	"chorus/audio"
	"chorus/providers"
)

// maxWSMessage bounds one WebSocket message; audio chunks are far smaller.
const maxWSMessage = 16 << 20

// WSSession runs one synthesis over an open WebSocket: it sends the
// request's messages and returns next, which reads messages and returns the
// audio each one carries. next returns nil, nil for a message without audio,
// io.EOF once the service says the audio is complete, and a
// *providers.Error for a failure the service reports (use Client.NewError
// or Client.CloseError). Any other error, such as the connection dropping,
// becomes KindCutStream once audio has started. ctx bounds every read and
// write on conn; it ends when the body is closed or the call is cancelled.
type WSSession func(ctx context.Context, conn *websocket.Conn) (next func() ([]byte, error), err error)

// WebSocket opens a WebSocket at r.Path (relative to the base URL, with the
// scheme switched to ws/wss), runs session on it, and returns the audio like
// Audio does, under the same policy: the key in the auth header of the
// upgrade request, HTTPS rules and redirects as for HTTP, a refused upgrade
// mapped to *providers.Error by its status and body (and retried when the
// status is worth it), the first-byte timeout until the first audio bytes,
// retries only before audio starts, the first bytes checked against
// claimed, and a Body that stops at once on ctx or Close and closes the
// socket. r.Body and r.Method are ignored.
func (c *Client) WebSocket(ctx context.Context, r Request, claimed audio.Encoding, session WSSession) (*Response, error) {
	if e := c.missingKey(); e != nil {
		return nil, e
	}
	return c.retry(ctx, func() (*Response, *providers.Error, bool) {
		return c.wsAttempt(ctx, r, claimed, session)
	})
}

func (c *Client) wsAttempt(ctx context.Context, r Request, claimed audio.Encoding, session WSSession) (*Response, *providers.Error, bool) {
	connCtx, cancel := context.WithCancelCause(ctx)
	timer := time.AfterFunc(c.policy.FirstByteTimeout, func() { cancel(errFirstByte) })
	timedOut := func() bool { return context.Cause(connCtx) == errFirstByte }

	conn, hr, err := websocket.Dial(connCtx, c.BaseURL()+r.Path, &websocket.DialOptions{
		HTTPClient: c.http, HTTPHeader: c.headers(r.Header),
	})
	if err != nil {
		timer.Stop()
		defer cancel(nil)
		if timedOut() {
			return nil, c.timeout(c.policy.FirstByteTimeout, true), true
		}
		if hr != nil && hr.StatusCode != http.StatusSwitchingProtocols {
			var body []byte
			if hr.Body != nil {
				body, _ = io.ReadAll(io.LimitReader(hr.Body, 64<<10))
			}
			if hr.StatusCode >= 200 && hr.StatusCode <= 299 {
				return nil, c.notUpgraded(hr.StatusCode, body), false
			}
			return nil, c.StatusError(hr.StatusCode, hr.Header, body), retryableStatus(hr.StatusCode)
		}
		if ctx.Err() != nil {
			return nil, c.stopped(ctx), false
		}
		return c.netError(err, false, true)
	}
	conn.SetReadLimit(maxWSMessage)
	closer := func() error { cancel(nil); return conn.CloseNow() }
	fail := func(e *providers.Error, retry bool) (*Response, *providers.Error, bool) {
		timer.Stop()
		closer()
		if timedOut() {
			return nil, c.timeout(c.policy.FirstByteTimeout, true), true
		}
		if ctx.Err() != nil {
			return nil, c.stopped(ctx), false
		}
		return nil, e, retry
	}
	next, err := session(connCtx, conn)
	if err != nil {
		return fail(c.wsError(err))
	}
	src := ChunkReader(next)
	head, err := readHead(src)
	if err != nil {
		return fail(c.wsError(err))
	}
	if !timer.Stop() {
		closer()
		return nil, c.timeout(c.policy.FirstByteTimeout, true), true
	}
	if len(head) == 0 {
		closer()
		return nil, c.NewError(providers.KindNotAudio, 0, "",
			"the service closed the WebSocket without sending any audio"), false
	}
	if err := checkAudio(head, claimed); err != nil {
		closer()
		return nil, c.notAudio(err, nil, head, bytes.NewReader(nil)), false
	}
	resp := &Response{Header: hr.Header, Status: hr.StatusCode, Head: head}
	resp.Body = NewBody(ctx, c.info.ID, io.MultiReader(bytes.NewReader(head), src), closer)
	return resp, nil, false
}

// wsError maps a failure before any audio arrived: an error the session
// built is kept, and retried only when marked Transient or Busy (CloseError
// marks the closes that mean a passing failure); anything else is a network
// failure worth a retry.
func (c *Client) wsError(err error) (*providers.Error, bool) {
	var pe *providers.Error
	if errors.As(err, &pe) {
		retry, _ := IsTransient(pe)
		return pe, retry
	}
	if e := c.CloseError(err, nil); e != nil {
		retry, _ := IsTransient(e)
		return e, retry
	}
	return c.NewError(providers.KindNetwork, 0, "",
		fmt.Sprintf("the connection failed before any audio arrived: %v", err)), true
}

// notUpgraded describes a 2xx answer to an upgrade request: something that
// is not the service (a gateway, a login page) answered instead.
func (c *Client) notUpgraded(status int, body []byte) *providers.Error {
	head := body[:min(len(body), headSize)]
	check := func(b []byte) error { return checkAudio(b, "") }
	problem := check(head)
	if problem == nil {
		problem = fmt.Errorf("the server answered HTTP %d with data instead of opening a WebSocket", status)
		check = nil
	}
	return c.notAudio(problem, check, head, bytes.NewReader(body[len(head):]))
}

// CloseMessages says what a WebSocket close code means, for CloseError.
type CloseMessages map[websocket.StatusCode]CloseMeaning

// CloseMeaning is how one close code reaches the user.
type CloseMeaning struct {
	Kind    providers.Kind
	Message string // what happened, in words; the server's reason is added after it
	// Retry says the close is a passing failure (the service failed or
	// restarted): before any audio, another attempt is made under the
	// retry policy. Busy says the service asked to be called later (1013):
	// retries then go on for the whole MaxRetryTime, as for HTTP 429.
	Retry, Busy bool
}

// CloseError turns a WebSocket close (a *websocket.CloseError anywhere in
// err's chain) into a *providers.Error, or returns nil when err is not a
// close or the close was normal (1000). meanings gives provider-specific
// words per code; codes not in it get generic ones. The server's reason is
// shown redacted; a 1008 whose reason speaks of the key is KindAuth.
func (c *Client) CloseError(err error, meanings CloseMessages) *providers.Error {
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code == websocket.StatusNormalClosure {
		return nil
	}
	m, ok := meanings[ce.Code]
	if !ok {
		m = genericClose(ce.Code)
	}
	reason := strings.TrimSpace(ce.Reason)
	if m.Kind == providers.KindValidation && looksLikeAuth(reason) {
		m.Kind = providers.KindAuth
	}
	msg := fmt.Sprintf("%s (WebSocket close %d)", m.Message, int(ce.Code))
	if reason != "" {
		msg += ": " + reason
	}
	// The raw close error is not kept as the cause: its reason is not redacted.
	e := c.NewError(m.Kind, 0, fmt.Sprintf("close %d", int(ce.Code)), msg)
	switch {
	case m.Busy:
		Busy(e)
	case m.Retry:
		Transient(e)
	}
	return e
}

// looksLikeAuth reports whether a close reason is about the API key.
func looksLikeAuth(reason string) bool {
	r := strings.ToLower(reason)
	for _, w := range []string{"auth", "api key", "api_key", "token", "credential", "unauthori"} {
		if strings.Contains(r, w) {
			return true
		}
	}
	return false
}

func genericClose(code websocket.StatusCode) CloseMeaning {
	switch code {
	case websocket.StatusUnsupportedData:
		return CloseMeaning{Kind: providers.KindValidation, Message: "the service did not accept the kind of message Chorus sent"}
	case websocket.StatusInvalidFramePayloadData:
		return CloseMeaning{Kind: providers.KindValidation, Message: "the service found the request invalid"}
	case websocket.StatusPolicyViolation:
		return CloseMeaning{Kind: providers.KindValidation, Message: "the service refused the request by policy"}
	case websocket.StatusMessageTooBig:
		return CloseMeaning{Kind: providers.KindValidation, Message: "the request was too large for the service"}
	case websocket.StatusInternalError, websocket.StatusBadGateway:
		return CloseMeaning{Kind: providers.KindServer, Message: "the service failed while generating the audio", Retry: true}
	case websocket.StatusTryAgainLater:
		return CloseMeaning{Kind: providers.KindServer, Message: "the service is busy", Retry: true, Busy: true}
	case websocket.StatusGoingAway, websocket.StatusServiceRestart:
		return CloseMeaning{Kind: providers.KindServer, Message: "the service is restarting or going away", Retry: true}
	}
	return CloseMeaning{Kind: providers.KindCutStream, Message: fmt.Sprintf("the service closed the connection (code %d)", int(code))}
}

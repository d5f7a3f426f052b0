// Package httpx is the one HTTP policy every remote provider uses: timeouts
// for connecting and for the first byte but none on a healthy stream,
// cancellation through the context, bounded retries before audio starts,
// HTTPS for every non-local host, no key sent to another host after a
// redirect, error bodies mapped to *providers.Error, and a check that a
// successful response really holds audio.
//
// It also parses the streaming framings providers use: Server-Sent Events
// (SSEReader) and newline-delimited JSON (LineReader), and turns a sequence
// of decoded chunks back into a byte stream (ChunkReader).
package httpx

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"chorus/providers"
)

// The defaults used for each zero field of providers.NetworkPolicy.
const (
	DefaultConnectTimeout   = 10 * time.Second
	DefaultFirstByteTimeout = 30 * time.Second
	DefaultMaxAttempts      = 4
	DefaultMaxRetryTime     = 60 * time.Second
	DefaultRetryDelay       = 500 * time.Millisecond
	maxRetryDelay           = 10 * time.Second
	// maxBusyAttempts bounds the attempts at a busy service when
	// MaxAttempts is left at its default: MaxRetryTime is the real bound.
	maxBusyAttempts = 100
)

// WithDefaults returns p with every zero field set to its default. A
// MaxAttempts left at zero bounds failures to DefaultMaxAttempts but lets a
// busy service (HTTP 429, 503) be retried for the whole MaxRetryTime; a
// MaxAttempts set explicitly bounds every kind of retry.
func WithDefaults(p providers.NetworkPolicy) providers.NetworkPolicy {
	if p.ConnectTimeout <= 0 {
		p.ConnectTimeout = DefaultConnectTimeout
	}
	if p.FirstByteTimeout <= 0 {
		p.FirstByteTimeout = DefaultFirstByteTimeout
	}
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.MaxRetryTime <= 0 {
		p.MaxRetryTime = DefaultMaxRetryTime
	}
	if p.RetryDelay <= 0 {
		p.RetryDelay = DefaultRetryDelay
	}
	return p
}

// NewHTTPClient returns an HTTP client with p's connect and response-header
// timeouts and no overall timeout, so a long healthy stream is never cut.
// Callers that build many providers should share one client.
func NewHTTPClient(p providers.NetworkPolicy) *http.Client {
	p = WithDefaults(p)
	dialer := &net.Dialer{Timeout: p.ConnectTimeout, KeepAlive: 30 * time.Second}
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   p.ConnectTimeout,
		ResponseHeaderTimeout: p.FirstByteTimeout,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          32,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
	}}
}

var defaultClient = sync.OnceValue(func() *http.Client { return NewHTTPClient(providers.NetworkPolicy{}) })

// IsLoopback reports whether host (without port) names this machine:
// localhost, 127.0.0.0/8 or ::1.
func IsLoopback(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// CheckURL enforces the transport rule: https everywhere, plain http only to
// this machine or when allowInsecure is set (a custom endpoint on a trusted
// network). The error is a validation error that says what to change.
func CheckURL(u *url.URL, allowInsecure bool) error {
	if u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return &providers.Error{Kind: providers.KindValidation,
			Message: fmt.Sprintf("the address %q is not a web address", u.Redacted()),
			Hint:    "use a full URL such as https://api.example.com/v1"}
	}
	if u.Scheme == "http" && !allowInsecure && !IsLoopback(u.Hostname()) {
		return &providers.Error{Kind: providers.KindValidation,
			Message: fmt.Sprintf("the address %q uses plain http to another machine, which would send the API key unencrypted", u.Redacted()),
			Hint:    "use https://, or turn on \"Allow insecure HTTP\" for this endpoint if it is on a network you trust"}
	}
	return nil
}

// ParseBaseURL parses and checks a base URL and drops any trailing slash.
func ParseBaseURL(raw string, allowInsecure bool) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, &providers.Error{Kind: providers.KindValidation,
			Message: fmt.Sprintf("the base URL %q cannot be read: %v", raw, err),
			Hint:    "use a full URL such as https://api.example.com/v1"}
	}
	if err := CheckURL(u, allowInsecure); err != nil {
		return nil, err
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// redirectPolicy follows at most 10 redirects, refuses ones that break the
// transport rule, and drops the credential header whenever the redirect
// leaves the original scheme, host or port.
func redirectPolicy(allowInsecure bool, authHeader string) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return fmt.Errorf("stopped after 10 redirects")
		}
		if err := CheckURL(req.URL, allowInsecure); err != nil {
			return fmt.Errorf("refused redirect: %w", err)
		}
		first := via[0].URL
		if !strings.EqualFold(req.URL.Host, first.Host) || req.URL.Scheme != first.Scheme {
			req.Header.Del(authHeader)
			req.Header.Del("Authorization")
		}
		return nil
	}
}

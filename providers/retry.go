package providers

import (
	"context"
	"fmt"
	"time"
)

// Retry is one retry a provider client is about to make after a failed
// attempt: front ends show it, so a slow answer is not mistaken for a hang.
type Retry struct {
	Err     *Error        // why the last attempt failed
	Attempt int           // the attempt about to be made, from 2
	Of      int           // the most attempts the policy allows; 0 when only the time budget bounds them
	Wait    time.Duration // how long the client waits before it
}

// String says it for a person: "Server busy (HTTP 429), retrying in 2 s —
// attempt 2 of 4".
func (r Retry) String() string {
	what := "The request failed"
	if r.Err != nil {
		switch r.Err.Kind {
		case KindRateLimit:
			what = "Server busy"
		case KindServer:
			what = "Server error"
		case KindNetwork:
			what = "Connection problem"
		}
		if r.Err.Status != 0 {
			what += fmt.Sprintf(" (HTTP %d)", r.Err.Status)
		}
	}
	wait := r.Wait.Round(100 * time.Millisecond)
	if wait >= time.Second {
		wait = r.Wait.Round(time.Second)
	}
	s := fmt.Sprintf("%s, retrying in %s — attempt %d", what, formatWait(wait), r.Attempt)
	if r.Of > 0 {
		s += fmt.Sprintf(" of %d", r.Of)
	}
	return s
}

func formatWait(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	if d < time.Minute {
		return fmt.Sprintf("%d s", int(d.Seconds()))
	}
	return d.String()
}

type retryKey struct{}

// WithRetryNotice returns a context whose provider calls tell notice about
// each retry before waiting for it.
func WithRetryNotice(ctx context.Context, notice func(Retry)) context.Context {
	return context.WithValue(ctx, retryKey{}, notice)
}

// NoticeRetry tells the context's retry listener (if any) about r.
// Provider clients call it before each retry.
func NoticeRetry(ctx context.Context, r Retry) {
	if f, ok := ctx.Value(retryKey{}).(func(Retry)); ok && f != nil {
		f(r)
	}
}

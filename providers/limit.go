package providers

import (
	"context"
	"fmt"
	"io"
	"sync"
)

// slots are the process-wide semaphores of Limited, one per provider ID, so
// every Provider value built for an ID shares the same limit.
var (
	slotsMu sync.Mutex
	slots   = map[string]chan struct{}{}
)

// slotsFor returns the semaphore of a provider ID. The first caller fixes
// its size; a provider's Concurrency does not change while Chorus runs.
func slotsFor(id string, n int) chan struct{} {
	slotsMu.Lock()
	defer slotsMu.Unlock()
	s, ok := slots[id]
	if !ok {
		s = make(chan struct{}, n)
		slots[id] = s
	}
	return s
}

// Limited wraps p so that at most n Synthesize calls of p's provider ID are
// in flight in this process at once, whichever Provider value makes them.
// A call over the limit waits for a slot (or for ctx) instead of failing, so
// a service that refuses a second concurrent request (HTTP 429) never sees
// one. A slot is held until the returned Audio.Body is closed or its Read
// reports an error or the end of the stream, and is released at once when
// Synthesize fails. Every other method passes through, and the optional
// interfaces p implements (KeyChecker, ModelLister, VoiceSearcher) stay
// visible on the result. n <= 0 returns p unchanged, and so does an
// already limited p.
func Limited(p Provider, n int) Provider {
	if p == nil || n <= 0 {
		return p
	}
	if _, ok := p.(interface{ limitedProvider() }); ok {
		return p
	}
	l := &limited{Provider: p, sem: slotsFor(p.Info().ID, n)}
	kc, isKC := p.(KeyChecker)
	ml, isML := p.(ModelLister)
	vs, isVS := p.(VoiceSearcher)
	k, m, s := withKeyCheck{kc}, withModels{ml}, withSearch{vs}
	switch {
	case isKC && isML && isVS:
		return struct {
			*limited
			withKeyCheck
			withModels
			withSearch
		}{l, k, m, s}
	case isKC && isML:
		return struct {
			*limited
			withKeyCheck
			withModels
		}{l, k, m}
	case isKC && isVS:
		return struct {
			*limited
			withKeyCheck
			withSearch
		}{l, k, s}
	case isML && isVS:
		return struct {
			*limited
			withModels
			withSearch
		}{l, m, s}
	case isKC:
		return struct {
			*limited
			withKeyCheck
		}{l, k}
	case isML:
		return struct {
			*limited
			withModels
		}{l, m}
	case isVS:
		return struct {
			*limited
			withSearch
		}{l, s}
	}
	return l
}

type limited struct {
	Provider
	sem chan struct{}
}

func (l *limited) limitedProvider() {}

// Synthesize waits for a slot, then runs the wrapped provider's Synthesize.
func (l *limited) Synthesize(ctx context.Context, req Request) (*Audio, error) {
	select {
	case l.sem <- struct{}{}:
	default:
		select {
		case l.sem <- struct{}{}:
		case <-ctx.Done():
			info := l.Info()
			return nil, &Error{Provider: info.ID, Kind: KindCanceled,
				Message: fmt.Sprintf("synthesis was stopped while waiting for another %s request to finish", info.Name),
				Err:     ctx.Err()}
		}
	}
	release := sync.OnceFunc(func() { <-l.sem })
	a, err := l.Provider.Synthesize(ctx, req)
	if err != nil {
		release()
		return nil, err
	}
	if a == nil || a.Body == nil {
		release()
		return a, nil
	}
	out := *a
	out.Body = &releasingBody{rc: a.Body, release: release}
	return &out, nil
}

// releasingBody gives the slot back when the stream ends or is closed.
type releasingBody struct {
	rc      io.ReadCloser
	release func()
}

func (b *releasingBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err != nil {
		b.release()
	}
	return n, err
}

func (b *releasingBody) Close() error {
	err := b.rc.Close()
	b.release()
	return err
}

type withKeyCheck struct{ k KeyChecker }

// CheckKey passes through to the wrapped provider.
func (w withKeyCheck) CheckKey(ctx context.Context) error { return w.k.CheckKey(ctx) }

type withModels struct{ m ModelLister }

// Models passes through to the wrapped provider.
func (w withModels) Models(ctx context.Context) ([]Model, error) { return w.m.Models(ctx) }

type withSearch struct{ s VoiceSearcher }

// SearchVoices passes through to the wrapped provider.
func (w withSearch) SearchVoices(ctx context.Context, query, model string) ([]Voice, error) {
	return w.s.SearchVoices(ctx, query, model)
}

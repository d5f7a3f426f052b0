package core

import (
	"context"
	"fmt"
	"sync"

	"chorus/providers"
)

// The one concurrency limiter: a semaphore per provider ID, shared by every
// job of the process (speak, long text, compare, book), acquired where the
// pipeline calls Synthesize and held until the response has been read. A
// request over the provider's limit waits for a slot instead of being sent,
// so a service that refuses a second concurrent request (HTTP 429) never
// sees one.
var (
	slotsMu sync.Mutex
	slots   = map[string]chan struct{}{}
)

// slotsFor returns provider id's semaphore for n requests at once, nil
// for no limit. A provider whose limit changes (a custom endpoint edited
// while Chorus runs) gets a new semaphore; requests holding the old one
// give it back as they finish.
func slotsFor(id string, n int) chan struct{} {
	if n <= 0 {
		return nil
	}
	slotsMu.Lock()
	defer slotsMu.Unlock()
	s, ok := slots[id]
	if !ok || cap(s) != n {
		s = make(chan struct{}, n)
		slots[id] = s
	}
	return s
}

// acquireSlot waits for one of p's request slots (Capabilities.Concurrency
// at once; 0 is no limit) and returns the function that gives it back. It
// fails only when ctx ends first.
func acquireSlot(ctx context.Context, p providers.Provider) (release func(), err error) {
	sem := slotsFor(p.Info().ID, p.Capabilities().Concurrency)
	if sem == nil {
		return func() {}, nil
	}
	select {
	case sem <- struct{}{}:
	default:
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			info := p.Info()
			return nil, &providers.Error{Provider: info.ID, Kind: providers.KindCanceled,
				Message: fmt.Sprintf("synthesis was stopped while waiting for another %s request to finish", info.Name),
				Err:     ctx.Err()}
		}
	}
	return sync.OnceFunc(func() { <-sem }), nil
}

package checks

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/lyncprobe/lyncprobe/probe"
)

// memo fetches each fact once per run and keeps it for the whole run.
// Unlike singleflight it never forgets a key, and the fetch runs under the
// run's context (plus a per-fetch cap), not under the first caller's: a
// check that gives up early does not spoil the fact for the others. Each
// caller waits under its own context.
type memo struct {
	runCtx  context.Context
	limit   time.Duration // one probe's time, once it has its slot
	sem     chan struct{} // probes in flight
	mu      sync.Mutex
	entries map[string]*entry
	wg      sync.WaitGroup
	// closed: the run is settling (run.go) and wg is being waited on; a
	// fetch asked for now is refused, never started, so that no wg.Add
	// can follow the Wait.
	closed bool
}

// errSettled is what a fact asked for after the run ended gets.
var errSettled = errors.New("the run has ended: no new probe starts")

type entry struct {
	started chan struct{} // closed once the fetch has its probe slot
	done    chan struct{}
	hub     pauseHub  // the fetch's clock and its waiters' stop while it waits for the handshake budget
	missing missTrace // facts the source lacked (a replay), passed on to every check that asks
	val     any
	err     error
}

func newMemo(runCtx context.Context, concurrency int, limit time.Duration) *memo {
	return &memo{runCtx: runCtx, limit: limit, sem: make(chan struct{}, concurrency), entries: map[string]*entry{}}
}

// get returns the fact for key, starting fetch the first time anyone asks.
func (m *memo) get(ctx context.Context, key string, fetch func(context.Context) (any, error)) (any, error) {
	return m.getFor(ctx, key, 1, fetch)
}

// getFor is get for a fact made of rounds probes one after another (the
// affinity probe): its limit is rounds times one probe's.
func (m *memo) getFor(ctx context.Context, key string, rounds int, fetch func(context.Context) (any, error)) (any, error) {
	m.mu.Lock()
	e, ok := m.entries[key]
	if !ok && m.closed {
		m.mu.Unlock()
		return nil, errors.Join(errSettled, m.runCtx.Err())
	}
	if !ok {
		e = &entry{started: make(chan struct{}), done: make(chan struct{})}
		m.entries[key] = e
		m.wg.Add(1)
		go m.fill(e, m.limit*time.Duration(max(1, rounds)), fetch)
	}
	m.mu.Unlock()
	waitQueued(ctx, e.started) // queueing for a slot is not the check's time (clock.go)
	leave := e.hub.join(ctx)
	defer leave()
	select {
	case <-e.done:
		if t := traceOf(ctx); t != nil {
			t.merge(&e.missing)
		}
		return e.val, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (m *memo) fill(e *entry, limit time.Duration, fetch func(context.Context) (any, error)) {
	defer m.wg.Done()
	defer close(e.done)
	defer closeOnce(e.started)
	select {
	case m.sem <- struct{}{}:
		close(e.started)
	case <-m.runCtx.Done():
		e.err = m.runCtx.Err()
		return
	}
	defer func() { <-m.sem }()
	// The fetch's limit is a clock too: waiting for the handshake budget
	// stops it, and the clocks of the checks waiting for the fetch.
	clock, cancel := withCheckClock(m.runCtx, limit)
	defer cancel()
	defer e.hub.join(clock)()
	e.val, e.err = fetch(context.WithValue(probe.WithPauser(clock, &e.hub), missKey{}, &e.missing))
}

// close refuses every fetch not yet started and waits for the started
// ones: wg.Add happens only under mu while the memo is open.
func (m *memo) close() {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	m.wg.Wait()
}

// closeOnce closes ch unless it is closed already.
func closeOnce(ch chan struct{}) {
	select {
	case <-ch:
	default:
		close(ch)
	}
}

package checks

import (
	"context"
	"sync"
	"time"
)

// checkCtx is a check's context: it ends when the run's does, or when the
// check has spent --check-timeout, not counting the time it waited for a
// probe slot. --check-timeout bounds what a check and the probes it waits
// on do; how long --concurrency makes probes queue is bounded by the run's
// --timeout alone. Without the pause, --concurrency 1 against a deployment
// 100 ms away ended most checks with "check timeout" although nothing was
// slow. It ends with context.DeadlineExceeded, as a deadline would.
//
// It is its own context type rather than a wrapped one so that contexts
// derived from it see its Err, not the run's.
type checkCtx struct {
	parent context.Context
	done   chan struct{}
	stop   func() bool // the parent's cancellation hook

	mu     sync.Mutex
	err    error
	timer  *time.Timer
	until  time.Time     // the deadline while running
	left   time.Duration // the time left while paused
	paused int           // waits for a probe slot under way
}

type clockKey struct{}

// withCheckClock starts a check's clock of d under parent.
func withCheckClock(parent context.Context, d time.Duration) (*checkCtx, context.CancelFunc) {
	c := &checkCtx{parent: parent, done: make(chan struct{}), until: time.Now().Add(d)}
	c.mu.Lock() // the hooks below may fire at once; they wait for the fields
	defer c.mu.Unlock()
	c.timer = time.AfterFunc(d, c.expire)
	c.stop = context.AfterFunc(parent, func() { c.end(parent.Err()) })
	return c, func() { c.end(context.Canceled) }
}

func (c *checkCtx) Deadline() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.paused > 0 {
		return time.Now().Add(c.left), true
	}
	return c.until, true
}

func (c *checkCtx) Done() <-chan struct{} { return c.done }

// Err is the run's error as soon as the run has ended, even before the
// hook that ends this context has run: a check that sees a probe fail
// because the run ended must also see its own context ended.
func (c *checkCtx) Err() error {
	c.mu.Lock()
	err := c.err
	c.mu.Unlock()
	if err == nil {
		if err = c.parent.Err(); err != nil {
			c.end(err)
		}
	}
	return err
}

func (c *checkCtx) Value(key any) any {
	if key == (clockKey{}) {
		return c
	}
	return c.parent.Value(key)
}

// end closes the context with err, once.
func (c *checkCtx) end(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return
	}
	c.err = err
	c.timer.Stop()
	c.stop()
	close(c.done)
}

func (c *checkCtx) expire() {
	c.mu.Lock()
	if c.paused > 0 { // paused as the timer fired: nothing left on resume
		c.left = 0
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	c.end(context.DeadlineExceeded)
}

// pause stops the clock while the check waits for a probe slot; resume
// starts it again. Waits may overlap: the clock runs when none is under way.
func (c *checkCtx) pause() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.paused++
	if c.paused == 1 && c.timer.Stop() {
		c.left = time.Until(c.until)
	}
}

func (c *checkCtx) resume() {
	c.mu.Lock()
	c.paused--
	if c.paused > 0 || c.err != nil {
		c.mu.Unlock()
		return
	}
	if c.left <= 0 {
		c.mu.Unlock()
		c.end(context.DeadlineExceeded)
		return
	}
	c.until = time.Now().Add(c.left)
	c.timer.Reset(c.left)
	c.mu.Unlock()
}

// waitQueued waits, with the check's clock paused, until started is
// closed (the probe got its slot) or ctx ends.
func waitQueued(ctx context.Context, started <-chan struct{}) {
	select {
	case <-started:
		return
	default:
	}
	whilePaused(ctx, func() {
		select {
		case <-started:
		case <-ctx.Done():
		}
	})
}

// whilePaused runs fn with the check's clock stopped: for a wait the
// scheduling imposes rather than the check's own work (a slot, or the
// affinity probe, which its own limit bounds).
func whilePaused(ctx context.Context, fn func()) {
	if c, ok := ctx.Value(clockKey{}).(*checkCtx); ok {
		c.pause()
		defer c.resume()
	}
	fn()
}

// Pause and Resume let a probe stop the clock while it waits for the
// process's handshake budget (probe.WithPauser).
func (c *checkCtx) Pause()  { c.pause() }
func (c *checkCtx) Resume() { c.resume() }

// pauseHub stops a set of clocks together: a memoised fetch's own and
// those of the checks waiting for it. When the fetch waits for the
// handshake budget, none of them is spending its own time.
type pauseHub struct {
	mu     sync.Mutex
	clocks map[*checkCtx]int
	paused int
}

func (h *pauseHub) Pause() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.paused++
	if h.paused == 1 {
		for c := range h.clocks {
			c.pause()
		}
	}
}

func (h *pauseHub) Resume() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.paused--
	if h.paused == 0 {
		for c := range h.clocks {
			c.resume()
		}
	}
}

// join adds ctx's clock, if it has one, until the returned leave.
func (h *pauseHub) join(ctx context.Context) (leave func()) {
	c, ok := ctx.Value(clockKey{}).(*checkCtx)
	if !ok {
		return func() {}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.clocks == nil {
		h.clocks = map[*checkCtx]int{}
	}
	h.clocks[c]++
	if h.paused > 0 {
		c.pause()
	}
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.clocks[c]--; h.clocks[c] == 0 {
			delete(h.clocks, c)
		}
		if h.paused > 0 {
			c.resume()
		}
	}
}

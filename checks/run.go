package checks

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/probe"
)

// Options tune a run.
type Options struct {
	Only         []string      // modules to run; empty = all
	Resolvers    []string      // overrides dns.resolvers
	Concurrency  int           // probes in flight; default DefaultConcurrency
	CheckTimeout time.Duration // each check's deadline; default DefaultCheckTimeout
	// Source gives every fact the run judges (source.go); default the
	// network (or, with Zones, the zone files). The caller closes a
	// source it gives.
	Source Source
	// Probes, when Source is nil, replace some network primitives (tests).
	Probes   Probes
	Progress func(done, total int)
	// CheckDone, when set, is called with a check's ID as soon as its
	// results are in (before the Needs rule is applied), from the check's
	// goroutine: tests use it to end a run once the checks they watch
	// have finished, rather than after a guessed time.
	CheckDone func(id string)
	// Zones, when set, replace the public view with one resolver per zone
	// file and no network: only the dns module runs (dns_zone.go). With a
	// Source, the source answers the zones' resolvers (ZoneSource, or a
	// recorded zone run); without one, the zones do.
	Zones []*probe.Zone
	// ConnectTo, when set, is where every name the reverse proxy publishes
	// is probed, whatever DNS says (curl's --connect-to for all of them):
	// the proxy can be checked before its public records exist. The dns
	// module still asks the resolvers and judges their answers.
	ConnectTo string

	ownSource bool // fill made Source: the run closes it
	// probeLimit is one probe's time once it has its slot: 9/10 of
	// CheckTimeout, so that a probe ends a little before the checks
	// waiting on it. Tests set it far below CheckTimeout (export_test.go)
	// so that the probe's own deadline, which names what the peer did,
	// always comes first whatever the machine's load.
	probeLimit time.Duration
}

// Defaults for Options.
const (
	DefaultConcurrency  = 32
	DefaultCheckTimeout = 10 * time.Second
)

// grace is how long the runner waits, past a check's deadline, for the
// check to return its own per-target results before cutting it off.
const grace = 200 * time.Millisecond

func (o *Options) fill() {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.CheckTimeout <= 0 {
		o.CheckTimeout = DefaultCheckTimeout
	}
	if o.probeLimit <= 0 {
		o.probeLimit = o.CheckTimeout * 9 / 10
	}
	switch {
	case o.Source != nil:
	case len(o.Zones) > 0:
		o.Source = ZoneSource(o.Zones)
	case o.Probes.set():
		o.Source = ProbesSource(o.Probes)
	default:
		o.Source, o.ownSource = Network(), true
	}
	if len(o.Zones) > 0 {
		o.Only = []string{"dns"} // offline: only DNS facts can come from a file
	}
}

// ValidateModules rejects --only values that name no module.
func ValidateModules(only []string) error {
	known := Modules()
	for _, m := range only {
		if !slices.Contains(known, m) {
			return fmt.Errorf("unknown module %q (known: %s)", m, strings.Join(known, ", "))
		}
	}
	return nil
}

// Run runs every selected check, and every check they need, concurrently
// against dep and returns the results in registry order, after the Needs
// rule (needs.go). It returns when every check has finished or
// been cut off; a run context that ends turns unfinished checks into
// error results.
func Run(ctx context.Context, dep *config.Deployment, o Options) []Result {
	o.fill()
	ctx, stop := context.WithCancel(ctx)
	e := newEnv(ctx, dep, o)
	defer e.settle(stop)
	selected, hidden := withNeeds(selectChecks(o.Only))
	out := make([][]Result, len(selected))
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for i, c := range selected {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = runCheck(ctx, e, c)
			if o.CheckDone != nil {
				o.CheckDone(c.ID)
			}
			if o.Progress != nil {
				mu.Lock()
				done++
				o.Progress(done, len(selected))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	rs := cascade(selected, out, hidden, e.moot) // the Needs rule (needs.go)
	e.orderFixes(rs)
	return rs
}

func selectChecks(only []string) []Check {
	var out []Check
	for _, c := range registry {
		if c.Offline {
			continue // validate runs these (validate.go)
		}
		if len(only) == 0 || slices.Contains(only, c.Module) {
			out = append(out, c)
		}
	}
	return out
}

func runCheck(runCtx context.Context, e *Env, c Check) []Result {
	clock, cancel := withCheckClock(runCtx, e.checkTimeout)
	defer cancel()
	ctx := probe.WithPauser(clock, clock) // a probe's wait for the handshake budget is not the check's time
	ctx, missing := withTrace(ctx)
	start := time.Now()
	ch := make(chan []Result, 1)
	e.Go(func() { ch <- safeRun(ctx, e, c) })
	var rs []Result
	select {
	case rs = <-ch:
	case <-ctx.Done():
		select {
		case rs = <-ch:
		case <-time.After(grace):
			rs = []Result{{Status: Error, Message: e.Unfinished(ctx)}}
		}
	}
	rs = notRecorded(rs, missing.list())
	for i := range rs {
		rs[i].ID, rs[i].Module = c.ID, c.Module
		if rs[i].Duration == 0 {
			rs[i].Duration = time.Since(start)
		}
	}
	return rs
}

// safeRun turns a panicking check into an error result: one bad check must
// not take the report down.
func safeRun(ctx context.Context, e *Env, c Check) (rs []Result) {
	defer func() {
		if p := recover(); p != nil {
			rs = []Result{{Status: Error, Message: fmt.Sprintf("internal error in %s: %v", c.ID, p),
				Evidence: map[string]any{"stack": string(debug.Stack())}}}
		}
	}()
	return c.Run(ctx, e)
}

// settleWait bounds how long Run waits, once every result is in, for the
// probes and cut-off checks still running to see the cancelled context.
const settleWait = time.Second

// settle cancels what is still running once the results are in and waits
// (boundedly) for it to stop, so that a run leaves no goroutine behind:
// first the goroutines the checks started (Env.Go), which may still ask
// the memo, then the memo's probes, which it refuses to add to from then on.
func (e *Env) settle(stop context.CancelFunc) {
	stop()
	done := make(chan struct{})
	go func() {
		e.owned.closeAndWait()
		e.memo.close()
		if c, ok := e.src.(interface{ Close() }); ok && e.ownSource {
			c.Close()
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(settleWait):
	}
}

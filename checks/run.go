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
	// network (or, with Files, the zone files and no network). The caller closes a
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
	// Files, when set, are what the run judges in place of the network:
	// it asks no server, and runs only the checks the files answer
	// (Check.Inputs, inputs.go). nil = the network.
	Files *Files
	// Locate names, on each result judged from a file, the file and line
	// it is about (validate): the zone file's line of the name, the
	// config's line of the certificate file. Proxy findings always carry
	// theirs.
	Locate bool
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
	case o.Files != nil: // the files stand in for the network: no server is asked
		o.Source = ZoneSource(o.Files.Zones)
	case o.Probes.set():
		o.Source = ProbesSource(o.Probes)
	default:
		o.Source, o.ownSource = Network(), true
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

// Run judges dep from the run's inputs (the network, or o.Files): it
// runs every selected check those inputs answer, and every check they
// need, concurrently, and returns the results in module order (registry
// order within a module, a proxy configuration's predictions after the
// checks' results) after the Needs rule (needs.go) and with the config's
// ignore rules applied (suppress.go). It returns when every check has
// finished or been cut off; a run context that ends turns unfinished
// checks into error results.
func Run(ctx context.Context, dep *config.Deployment, o Options) []Result {
	o.fill()
	ctx, stop := context.WithCancel(ctx)
	e := newEnv(ctx, dep, o)
	defer e.settle(stop)
	in := o.inputs()
	pool := runnable(in)
	selected, hidden := withNeeds(selectChecks(pool, o.Only), pool)
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
	if o.Locate {
		for i, c := range selected {
			e.locate(out[i], c.judgedFrom(in))
		}
	}
	rs := cascade(selected, out, hidden, e.moot) // the Needs rule (needs.go)
	e.orderFixes(rs, answeredBy(selected, in, InputNetwork|InputZone))
	if in&InputProxyConfig != 0 {
		rs = append(rs, e.predictions(o.Only)...)
	}
	slices.SortStableFunc(rs, func(a, b Result) int { return moduleRank(a.Module) - moduleRank(b.Module) })
	return suppress(rs, dep.Ignore)
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

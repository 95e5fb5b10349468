package exporter

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/lyncprobe/lyncprobe/fleet"
	"github.com/lyncprobe/lyncprobe/result"
	"github.com/prometheus/client_golang/prometheus"
)

// DefaultResultCache is how long `lyncprobe serve` answers scrapes of a
// target and module from the run that last finished: a quarter of the
// 2-minute scrape interval of the example config (docs/prometheus/). An
// HA pair of Prometheus servers scrapes the same target at independent
// phases; within this time the second scrape costs no run, and each
// server still sees a fresh run at every interval of its own.
const DefaultResultCache = 30 * time.Second

// flight is one run of a target and module that scrapes share: the ones
// that arrive while it runs wait for it, and, for ResultCache after it
// finished, later ones take its results.
type flight struct {
	done    chan struct{}
	cancel  context.CancelFunc
	waiters int // scrapes waiting now; the run is cancelled when all left
	rs      []result.Result
	took    time.Duration
	code    int // non-zero: no slot was had; the HTTP status and message
	msg     string
	ended   time.Time
}

// coalescer keeps the flights by target and module.
type coalescer struct {
	mu      sync.Mutex
	flights map[string]*flight
	runs    prometheus.Counter
	shared  prometheus.Counter
}

func newCoalescer() *coalescer {
	return &coalescer{flights: map[string]*flight{},
		runs: prometheus.NewCounter(prometheus.CounterOpts{Name: "lyncprobe_probe_runs_total",
			Help: "Check runs the exporter started for scrapes of /probe."}),
		shared: prometheus.NewCounter(prometheus.CounterOpts{Name: "lyncprobe_probe_coalesced_scrapes_total",
			Help: "Scrapes of /probe answered by a run another scrape started (still running, or finished within --result-cache)."}),
	}
}

// result runs the checks of name's deployment for module, or joins the
// run of the same target and module under way, or takes the one that
// finished within the cache time. Each scrape waits under its own
// context: one that gives up does not end the run for the others; the
// run ends early only when every scrape waiting for it has left.
func (s *Server) result(ctx context.Context, name, module string, only []string, timeout time.Duration) *flight {
	if module == "" {
		module = "all"
	}
	key := name + "\x00" + module
	c := s.co
	c.mu.Lock()
	f := c.flights[key]
	if f != nil && !f.ended.IsZero() && (f.code != 0 || time.Since(f.ended) >= s.o.ResultCache) {
		delete(c.flights, key)
		f = nil
	}
	if f == nil {
		f = s.start(key, name, module, only, timeout)
		c.runs.Inc()
	} else {
		c.shared.Inc()
	}
	f.waiters++
	c.mu.Unlock()
	select {
	case <-f.done:
	case <-ctx.Done():
	}
	c.mu.Lock()
	f.waiters--
	last := f.waiters == 0
	c.mu.Unlock()
	select {
	case <-f.done:
		return f
	default:
	}
	if !last {
		return &flight{code: http.StatusServiceUnavailable, msg: "the probe, shared with other scrapes, did not finish before this scrape's timeout"}
	}
	// Nobody waits for the run any more: it is cancelled, and answers
	// with what it found so far, as a run under this scrape's own
	// context would.
	f.cancel()
	c.mu.Lock()
	if c.flights[key] == f {
		delete(c.flights, key) // no later scrape joins a cancelled run
	}
	c.mu.Unlock()
	<-f.done
	return f
}

// start begins the run of a new flight; c.mu is held. The run has the
// first scrape's deadline but not its cancellation: result cancels it
// when the last scrape waiting has left (at shutdown, all of them).
func (s *Server) start(key, name, module string, only []string, timeout time.Duration) *flight {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	f := &flight{done: make(chan struct{}), cancel: cancel}
	s.co.flights[key] = f
	go func() {
		defer cancel()
		s.run(ctx, f, name, module, only)
		s.co.mu.Lock()
		f.ended = time.Now()
		if s.o.ResultCache <= 0 || f.code != 0 {
			if s.co.flights[key] == f {
				delete(s.co.flights, key)
			}
		}
		s.co.mu.Unlock()
		close(f.done)
	}()
	return f
}

func (s *Server) run(ctx context.Context, f *flight, name, module string, only []string) {
	dep := s.deployment(name)
	if dep == nil {
		f.code, f.msg = http.StatusBadRequest, "target "+name+" left the config"
		return
	}
	start := time.Now()
	if f.code, f.msg = s.acquire(ctx); f.code != 0 {
		return
	}
	o := fleet.Options{Check: s.o.Check}
	o.Check.Only = only
	f.rs, _ = fleet.One(ctx, dep, o)
	s.release()
	f.took = time.Since(start)
	s.remember(name, module, f.rs, f.took)
}

// forgetEnded drops the finished runs kept for the cache.
func (c *coalescer) forgetEnded() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, f := range c.flights {
		if !f.ended.IsZero() {
			delete(c.flights, k)
		}
	}
}

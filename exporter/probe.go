package exporter

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/fleet"
	"github.com/lyncprobe/lyncprobe/report"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// probe runs one deployment's checks and answers with a fresh registry's
// metrics, as blackbox_exporter does.
func (s *Server) probe(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	name := q.Get("target")
	dep := s.deployment(name)
	if dep == nil {
		http.Error(w, fmt.Sprintf("unknown target %q: want a deployment name of the config (known: %v)", name, s.Deployments()), http.StatusBadRequest)
		return
	}
	module := q.Get("module")
	only, err := moduleSelection(module)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.timeout(r))
	defer cancel()
	start := time.Now()
	if !s.acquire(ctx) {
		http.Error(w, "too many probes running; none finished before the scrape timeout", http.StatusServiceUnavailable)
		return
	}
	o := fleet.Options{Check: s.o.Check}
	o.Check.Only = only
	rs, _ := fleet.One(ctx, dep, o)
	<-s.sem
	took := time.Since(start)
	s.remember(name, module, rs, took)
	if q.Get("debug") == "true" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		report.Text(w, report.Report{Deployment: name, Results: rs, Duration: took}, report.Options{})
		return
	}
	reg := probeRegistry(name, rs, took)
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(w, r)
}

func (s *Server) acquire(ctx context.Context) bool {
	select {
	case s.sem <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

// moduleSelection maps ?module= to checks.Options.Only: "" and "all" run
// every live module.
func moduleSelection(module string) ([]string, error) {
	if module == "" || module == "all" {
		return nil, nil
	}
	if err := checks.ValidateLiveModules([]string{module}); err != nil {
		return nil, fmt.Errorf("module: %w", err)
	}
	return []string{module}, nil
}

// timeout is Prometheus' scrape timeout less the offset, so that the
// answer arrives before Prometheus gives up; DefaultTimeout without one.
func (s *Server) timeout(r *http.Request) time.Duration {
	v, err := strconv.ParseFloat(r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds"), 64)
	if err != nil || v <= 0 {
		return s.o.DefaultTimeout
	}
	d := time.Duration(v * float64(time.Second))
	if d > s.o.TimeoutOffset {
		d -= s.o.TimeoutOffset
	}
	return d
}

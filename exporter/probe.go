package exporter

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
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
	f := s.result(r.Context(), name, module, only, s.timeout(r))
	if f.code != 0 {
		http.Error(w, f.msg, f.code)
		return
	}
	rs, took := f.rs, f.took
	if q.Get("debug") == "true" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		report.Text(w, report.Report{Catalog: checks.Catalog(), Deployment: name, Results: rs, Duration: took}, report.Options{Verbose: true}) // debug: every result
		return
	}
	reg := probeRegistry(name, rs, took)
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(w, r)
}

// acquire takes a probe slot, waiting for one while ctx lasts. At most
// MaxWaiting probes wait: a caller that holds many requests open gets 503
// at once for the excess rather than a goroutine and a slot's wait each.
// It answers 0 with the slot taken, else the HTTP status and message.
func (s *Server) acquire(ctx context.Context) (int, string) {
	if s.pending.Add(1) > int64(s.o.MaxProbes+s.o.MaxWaiting) {
		s.pending.Add(-1)
		return http.StatusServiceUnavailable, fmt.Sprintf("too many probes: %d running and %d waiting", s.o.MaxProbes, s.o.MaxWaiting)
	}
	select {
	case s.sem <- struct{}{}:
		return 0, ""
	case <-ctx.Done():
		s.pending.Add(-1)
		return http.StatusServiceUnavailable, "too many probes running; none finished before the scrape timeout"
	}
}

func (s *Server) release() {
	<-s.sem
	s.pending.Add(-1)
}

// liveModules are the modules ?module= takes besides "all": every module
// with a live check (proxy judges files only and runs in validate).
func liveModules() []string {
	var out []string
	for _, m := range checks.Modules() {
		if checks.ValidateLiveModules([]string{m}) == nil {
			out = append(out, m)
		}
	}
	return out
}

// moduleSelection maps ?module= to checks.Options.Only: "" and "all" run
// every live module.
func moduleSelection(module string) ([]string, error) {
	if module == "" || module == "all" {
		return nil, nil
	}
	takes := "one of " + strings.Join(liveModules(), ", ") + ", all"
	if checks.ValidateModules([]string{module}) != nil {
		return nil, fmt.Errorf("unknown module %q: want %s", module, takes)
	}
	if err := checks.ValidateLiveModules([]string{module}); err != nil {
		return nil, fmt.Errorf("%w; /probe takes %s", err, takes)
	}
	return []string{module}, nil
}

// timeout is Prometheus' scrape timeout less the offset, so that the
// answer arrives before Prometheus gives up; Timeout without one. The
// header comes from the caller, so Timeout is also its ceiling.
func (s *Server) timeout(r *http.Request) time.Duration {
	v, err := strconv.ParseFloat(r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds"), 64)
	if err != nil || !(v > 0) || v > (s.o.Timeout+s.o.TimeoutOffset).Seconds() {
		return s.o.Timeout // also NaN, +Inf and 1e9
	}
	d := time.Duration(v * float64(time.Second))
	if d > s.o.TimeoutOffset {
		d -= s.o.TimeoutOffset
	}
	return d
}

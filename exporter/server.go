// Package exporter is lyncprobe serve: a Prometheus exporter in the
// blackbox_exporter style. /probe?target=<deployment>&module=<m> runs the
// checks of one configured deployment and answers with metrics from a
// fresh registry; /metrics has the exporter's own metrics; / is a small
// status page of the last probe per deployment.
package exporter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/fleet"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Options tune the exporter.
type Options struct {
	Paths          []string       // config files and folders, as check -c takes them
	Check          checks.Options // each probe's run options (Only is set per probe)
	DefaultTimeout time.Duration  // a probe's deadline when Prometheus sends no scrape timeout
	TimeoutOffset  time.Duration  // taken off Prometheus' scrape timeout, to answer in time
	MaxProbes      int            // probes running at once; more wait for a slot
	Logger         *slog.Logger
}

// Defaults for Options.
const (
	DefaultTimeout   = 30 * time.Second
	DefaultOffset    = 500 * time.Millisecond
	DefaultMaxProbes = 8
)

// Server holds the loaded configs and the last probe of each deployment.
type Server struct {
	o    Options
	log  *slog.Logger
	reg  *prometheus.Registry // /metrics
	sem  chan struct{}
	mu   sync.RWMutex
	deps map[string]*config.Deployment
	list []string // deployment names in config order
	last map[string]lastProbe

	reloadOK prometheus.Gauge
	reloadTS prometheus.Gauge
}

// New loads the configs; a config that does not load fails the start.
func New(o Options) (*Server, error) {
	if o.DefaultTimeout <= 0 {
		o.DefaultTimeout = DefaultTimeout
	}
	if o.TimeoutOffset <= 0 {
		o.TimeoutOffset = DefaultOffset
	}
	if o.MaxProbes <= 0 {
		o.MaxProbes = DefaultMaxProbes
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{o: o, log: o.Logger, reg: prometheus.NewRegistry(), sem: make(chan struct{}, o.MaxProbes), last: map[string]lastProbe{}}
	s.reloadOK = prometheus.NewGauge(prometheus.GaugeOpts{Name: "lyncprobe_config_last_reload_successful",
		Help: "Whether the last configuration reload succeeded (1) or was rejected (0)."})
	s.reloadTS = prometheus.NewGauge(prometheus.GaugeOpts{Name: "lyncprobe_config_last_reload_success_timestamp_seconds",
		Help: "Unix time of the last successful configuration load."})
	s.reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewGoCollector(), s.reloadOK, s.reloadTS, s.deploymentsGauge())
	if err := s.Reload(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Server) deploymentsGauge() prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "lyncprobe_deployments",
		Help: "Deployments the loaded configuration names."}, func() float64 {
		s.mu.RLock()
		defer s.mu.RUnlock()
		return float64(len(s.list))
	})
}

// Reload reads the configs again. Any config that does not load rejects
// the whole reload: the configs in use stay, the error is logged and
// lyncprobe_config_last_reload_successful drops to 0.
func (s *Server) Reload() error {
	err := s.load()
	if err != nil {
		s.reloadOK.Set(0)
		s.log.Error("config reload rejected; keeping the configs in use", "err", err)
		return err
	}
	s.reloadOK.Set(1)
	s.reloadTS.SetToCurrentTime()
	s.log.Info("configs loaded", "deployments", s.Deployments())
	return nil
}

func (s *Server) load() error {
	paths, err := fleet.Expand(s.o.Paths)
	if err != nil {
		return err
	}
	deps, outs := fleet.Load(paths)
	var errs []error
	for _, d := range outs {
		errs = append(errs, d.Err)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	m := make(map[string]*config.Deployment, len(deps))
	list := make([]string, 0, len(deps))
	for _, d := range deps {
		m[d.Name] = d
		list = append(list, d.Name)
	}
	s.mu.Lock()
	s.deps, s.list = m, list
	for n := range s.last {
		if m[n] == nil {
			delete(s.last, n) // a deployment no longer configured leaves the status page
		}
	}
	s.mu.Unlock()
	return nil
}

// Deployments lists the configured deployment names in config order.
func (s *Server) Deployments() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]string(nil), s.list...)
}

func (s *Server) deployment(name string) *config.Deployment {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.deps[name]
}

// Handler serves /metrics, /probe, /-/reload and /.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{Registry: s.reg}))
	mux.HandleFunc("GET /probe", s.probe)
	mux.HandleFunc("POST /-/reload", s.reload)
	mux.HandleFunc("GET /{$}", s.status)
	return mux
}

func (s *Server) reload(w http.ResponseWriter, _ *http.Request) {
	if err := s.Reload(); err != nil {
		http.Error(w, "reload rejected, the configs in use stay: "+err.Error(), http.StatusBadRequest)
		return
	}
	fmt.Fprintf(w, "reloaded: %d deployments\n", len(s.Deployments()))
}

// Serve answers on l until ctx ends, then shuts down gracefully; a value
// on hup reloads the configs.
func (s *Server) Serve(ctx context.Context, l net.Listener, hup <-chan os.Signal) error {
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	s.log.Info("listening", "addr", l.Addr().String())
	for {
		select {
		case err := <-done:
			return err
		case <-hup:
			s.Reload()
		case <-ctx.Done():
			s.log.Info("shutting down")
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			return srv.Shutdown(sctx)
		}
	}
}

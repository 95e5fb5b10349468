// Package exporter is lyncprobe serve: a Prometheus exporter in the
// blackbox_exporter style. /probe?target=<deployment>&module=<m> runs the
// checks of one configured deployment and answers with metrics from a
// fresh registry; /metrics has the exporter's own metrics; / is a small
// status page of the last probe per deployment.
//
// It is a network service, so everything an outside caller can hold is
// bounded: connections (MaxConns), probes running (MaxProbes) and waiting
// (MaxWaiting), a probe's deadline (Timeout, whatever the caller's scrape
// timeout header says), idle and header time, and a reload's time
// (ReloadTimeout). TLS and basic auth come from Prometheus'
// exporter-toolkit web configuration (--web.config.file), as for every
// other exporter; reloading over HTTP is opt-in (EnableLifecycle).
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
	"sync/atomic"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/fleet"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/exporter-toolkit/web"
	"golang.org/x/net/netutil"
)

// Options tune the exporter.
type Options struct {
	Paths []string       // config files and folders, as check -c takes them
	Check checks.Options // each probe's run options (Only is set per probe)
	// Timeout is a probe's deadline when Prometheus sends no scrape
	// timeout, and the most a caller's X-Prometheus-Scrape-Timeout-Seconds
	// can ask for.
	Timeout         time.Duration
	TimeoutOffset   time.Duration // taken off Prometheus' scrape timeout, to answer in time
	MaxProbes       int           // probes running at once; more wait for a slot
	MaxWaiting      int           // probes waiting for a slot; more are refused at once (503)
	MaxConns        int           // connections open at once; more wait in the listen backlog
	ReloadTimeout   time.Duration // a config (re)load that takes longer is rejected
	EnableLifecycle bool          // serve POST /-/reload (SIGHUP reloads either way)
	WebConfigFile   string        // exporter-toolkit web config: TLS and basic auth
	Version         string        // lyncprobe_build_info's version (the module's when empty)
	Logger          *slog.Logger
	// ResultCache is how long a finished run answers later scrapes of the
	// same target and module (DefaultResultCache is the CLI's default);
	// zero: only scrapes that arrive while it runs share it.
	ResultCache time.Duration
}

// Defaults for Options.
const (
	DefaultTimeout       = 30 * time.Second
	DefaultOffset        = 500 * time.Millisecond
	DefaultMaxProbes     = 8
	DefaultMaxWaiting    = 16
	DefaultMaxConns      = 64
	DefaultReloadTimeout = 30 * time.Second
)

// Idle and header bounds of the HTTP server. Prometheus sends a small GET
// and reads the answer; nothing needs more.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = time.Minute
	maxHeaderBytes    = 16 << 10
	shutdownGrace     = 5 * time.Second
)

// Server holds the loaded configs and the last probe of each deployment.
type Server struct {
	o       Options
	log     *slog.Logger
	reg     *prometheus.Registry // /metrics
	sem     chan struct{}
	pending atomic.Int64 // probes running or waiting for a slot
	mu      sync.RWMutex
	deps    map[string]*config.Deployment
	list    []string // deployment names in config order
	last    map[string]lastProbe
	co      *coalescer

	reloadMu sync.Mutex  // one reload at a time
	loading  atomic.Bool // a load that outlived its reload still reads files

	reloadOK prometheus.Gauge
	reloadTS prometheus.Gauge
}

// New is NewContext with a background context.
func New(o Options) (*Server, error) { return NewContext(context.Background(), o) }

// NewContext loads the configs; a config that does not load within
// ReloadTimeout, or before ctx ends, fails the start.
func NewContext(ctx context.Context, o Options) (*Server, error) {
	o = withDefaults(o)
	if o.WebConfigFile != "" {
		if err := web.Validate(o.WebConfigFile); err != nil {
			return nil, fmt.Errorf("web config %s: %w", o.WebConfigFile, err)
		}
	}
	s := &Server{o: o, log: o.Logger, reg: prometheus.NewRegistry(), sem: make(chan struct{}, o.MaxProbes), last: map[string]lastProbe{}, co: newCoalescer()}
	s.reloadOK = prometheus.NewGauge(prometheus.GaugeOpts{Name: "lyncprobe_config_last_reload_successful",
		Help: "Whether the last configuration reload succeeded (1) or was rejected (0)."})
	s.reloadTS = prometheus.NewGauge(prometheus.GaugeOpts{Name: "lyncprobe_config_last_reload_success_timestamp_seconds",
		Help: "Unix time of the last successful configuration load."})
	s.reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewGoCollector(), s.reloadOK, s.reloadTS, s.deploymentsGauge(), buildInfo(o.Version), s.probesGauges(), s.co.runs, s.co.shared)
	if err := s.Reload(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func withDefaults(o Options) Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.TimeoutOffset <= 0 {
		o.TimeoutOffset = DefaultOffset
	}
	if o.MaxProbes <= 0 {
		o.MaxProbes = DefaultMaxProbes
	}
	if o.MaxWaiting < 0 {
		o.MaxWaiting = 0
	} else if o.MaxWaiting == 0 {
		o.MaxWaiting = DefaultMaxWaiting
	}
	if o.MaxConns <= 0 {
		o.MaxConns = DefaultMaxConns
	}
	if o.ReloadTimeout <= 0 {
		o.ReloadTimeout = DefaultReloadTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

func (s *Server) deploymentsGauge() prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "lyncprobe_deployments",
		Help: "Deployments the loaded configuration names."}, func() float64 {
		s.mu.RLock()
		defer s.mu.RUnlock()
		return float64(len(s.list))
	})
}

// probesGauges show how full the probe slots are: a scrape answered 503
// is explained by them.
func (s *Server) probesGauges() prometheus.Collector {
	return gauges{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "lyncprobe_probes_running",
			Help: "Probes running now (at most --max-probes)."}, func() float64 { return float64(len(s.sem)) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "lyncprobe_probes_waiting",
			Help: "Probes waiting for a slot now (at most --max-waiting-probes)."}, func() float64 {
			return float64(max(s.pending.Load()-int64(len(s.sem)), 0))
		}),
	}
}

// gauges registers as one collector.
type gauges []prometheus.Collector

func (g gauges) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range g {
		c.Describe(ch)
	}
}

func (g gauges) Collect(ch chan<- prometheus.Metric) {
	for _, c := range g {
		c.Collect(ch)
	}
}

// Reload reads the configs again. Any config that does not load rejects
// the whole reload: the configs in use stay, the error is logged and
// lyncprobe_config_last_reload_successful drops to 0. The configs are
// read under ctx and ReloadTimeout (config reads regular files only, so a
// FIFO or a device is refused at once). A load that still has not
// returned when they end (a read stuck in the kernel, on a dead network
// file system) is rejected and left to finish in the background; no other
// load starts until it has, and it holds up neither serving nor shutdown.
func (s *Server) Reload(ctx context.Context) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	err := s.loadBounded(ctx)
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

type loaded struct {
	deps []*config.Deployment
	err  error
}

func (s *Server) loadBounded(ctx context.Context) error {
	if !s.loading.CompareAndSwap(false, true) {
		return errors.New("an earlier reload is still reading the configs (a file that blocks?)")
	}
	ctx, cancel := context.WithTimeout(ctx, s.o.ReloadTimeout)
	defer cancel()
	done := make(chan loaded, 1)
	go func() {
		deps, err := loadConfigs(ctx, s.o.Paths)
		// Cleared before the result is handed over, so that a reload
		// right after this one returned is never refused as overlapping.
		s.loading.Store(false)
		done <- loaded{deps, err}
	}()
	select {
	case l := <-done:
		if l.err != nil {
			return l.err
		}
		s.use(l.deps)
		return nil
	case <-ctx.Done():
		return fmt.Errorf("reading the configs did not finish within %s or before shutdown (a file that blocks?): %w", s.o.ReloadTimeout, ctx.Err())
	}
}

// loadConfigs is load; a test replaces it with a load that blocks.
var loadConfigs = load

func load(ctx context.Context, paths []string) ([]*config.Deployment, error) {
	paths, err := fleet.Expand(paths)
	if err != nil {
		return nil, err
	}
	deps, outs := fleet.LoadContext(ctx, paths)
	var errs []error
	for _, d := range outs {
		errs = append(errs, d.Err)
	}
	return deps, errors.Join(errs...)
}

func (s *Server) use(deps []*config.Deployment) {
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
	s.co.forgetEnded() // a reloaded config is probed afresh
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

func (s *Server) reload(w http.ResponseWriter, r *http.Request) {
	if !s.o.EnableLifecycle {
		// blackbox_exporter's answer to the same request without
		// --web.enable-lifecycle.
		http.Error(w, "Lifecycle API is not enabled: start lyncprobe serve with --web.enable-lifecycle, or send it SIGHUP", http.StatusForbidden)
		return
	}
	if err := s.Reload(r.Context()); err != nil {
		http.Error(w, "reload rejected, the configs in use stay: "+err.Error(), http.StatusBadRequest)
		return
	}
	fmt.Fprintf(w, "reloaded: %d deployments\n", len(s.Deployments()))
}

// httpServer bounds what a caller can hold. Requests take their context
// from ctx, so that ending ctx cancels the probes in flight.
func (s *Server) httpServer(ctx context.Context) *http.Server {
	return &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readHeaderTimeout,
		// A probe answers within Timeout; the rest is writing it.
		WriteTimeout:   s.o.Timeout + time.Minute,
		IdleTimeout:    idleTimeout,
		MaxHeaderBytes: maxHeaderBytes,
		BaseContext:    func(net.Listener) context.Context { return ctx },
		ErrorLog:       slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// Serve answers on l until ctx ends, then cancels the probes in flight
// and shuts down. A value on hup reloads the configs, one reload at a
// time, beside the serving: a reload never holds up the shutdown.
func (s *Server) Serve(ctx context.Context, l net.Listener, hup <-chan os.Signal) error {
	srv := s.httpServer(ctx)
	flags := &web.FlagConfig{WebListenAddresses: &[]string{}, WebSystemdSocket: new(bool), WebConfigFile: &s.o.WebConfigFile}
	done := make(chan error, 1)
	go func() { done <- web.Serve(netutil.LimitListener(l, s.o.MaxConns), srv, flags, s.log) }()
	rctx, stopReloads := context.WithCancel(ctx)
	var reloads sync.WaitGroup
	defer reloads.Wait()
	defer stopReloads() // before the Wait: a reload in progress ends with rctx
	reloads.Go(func() {
		for {
			select {
			case <-hup:
				s.Reload(rctx)
			case <-rctx.Done():
				return
			}
		}
	})
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return s.shutdown(srv, done)
	}
}

// shutdown waits for the requests in flight, whose probes ctx's end has
// cancelled, to answer; a request that still holds on after the grace
// time is cut. Either way the stop was asked for, so it is no error.
func (s *Server) shutdown(srv *http.Server, done <-chan error) error {
	s.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		s.log.Warn("requests still open after the grace time were cut", "err", err)
		srv.Close()
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

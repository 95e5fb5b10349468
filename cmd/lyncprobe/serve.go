package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/exporter"
	"github.com/spf13/cobra"
)

type serveOptions struct {
	IO           *IOStreams
	Listen       string
	ConfigPaths  []string
	Timeout      time.Duration
	Concurrency  int
	CheckTimeout time.Duration
	Resolvers    []string
	MaxProbes    int
	MaxWaiting   int
	MaxConns     int
	ReloadTime   time.Duration
	Lifecycle    bool
	WebConfig    string
	ResultCache  time.Duration
}

func newCmdServe(ios *IOStreams) *cobra.Command {
	o := &serveOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run as a Prometheus exporter (blackbox_exporter style /probe)",
		Long: `Serve /probe?target=<deployment>&module=<dns|cert|http|affinity|edge|all>
for Prometheus: each scrape checks one configured deployment and answers with
its metrics (lyncprobe_check_status, lyncprobe_cert_not_after_timestamp_seconds,
lyncprobe_probe_success, ...). /metrics has the exporter's own metrics, / a
status page of the last probe per deployment. SIGHUP (or POST /-/reload, with
--web.enable-lifecycle) reads the configs again; a config that does not load
within --reload-timeout is rejected and the old kept. TLS and basic auth are
configured as for every Prometheus exporter: --web.config.file names an
exporter-toolkit web configuration. SIGINT/SIGTERM cancel the probes in
flight and stop.`,
		Example: `  lyncprobe serve -c deployments/
  lyncprobe serve --listen 127.0.0.1:9436 -c a.yaml -c b.yaml
  lyncprobe serve --listen :9436 --web.config.file web.yml -c deployments/
  curl '127.0.0.1:9436/probe?target=contoso&module=cert'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Timeout <= 0 || o.CheckTimeout <= 0 || o.Concurrency <= 0 || o.MaxProbes <= 0 || o.MaxConns <= 0 || o.ReloadTime <= 0 {
				return usageError{errors.New("--timeout, --check-timeout, --concurrency, --max-probes, --max-connections and --reload-timeout must be positive")}
			}
			if o.MaxWaiting < 0 || o.ResultCache < 0 {
				return usageError{errors.New("--max-waiting-probes and --result-cache must not be negative")}
			}
			return serveRun(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Listen, "listen", "127.0.0.1:9436", "address to listen on (loopback by default; put a proxy with authentication in front to expose it)")
	f.StringArrayVarP(&o.ConfigPaths, "config", "c", []string{"lyncprobe.yaml"}, "deployment config file, or a folder of them (repeatable)")
	f.DurationVar(&o.Timeout, "timeout", exporter.DefaultTimeout, "a probe's deadline when Prometheus sends no X-Prometheus-Scrape-Timeout-Seconds, and the most that header can ask for")
	f.IntVar(&o.Concurrency, "concurrency", checks.DefaultConcurrency, "probes in flight within one deployment's run")
	f.DurationVar(&o.CheckTimeout, "check-timeout", checks.DefaultCheckTimeout, "deadline of each check inside a probe")
	f.StringArrayVar(&o.Resolvers, "resolver", nil, "public-view resolver host[:port] (repeatable; overrides dns.resolvers)")
	f.IntVar(&o.MaxProbes, "max-probes", exporter.DefaultMaxProbes, "probes (scrapes) running at once; more wait for a slot")
	f.IntVar(&o.MaxWaiting, "max-waiting-probes", exporter.DefaultMaxWaiting, "probes waiting for a slot; more are answered 503 at once")
	f.IntVar(&o.MaxConns, "max-connections", exporter.DefaultMaxConns, "HTTP connections open at once; more wait to be accepted")
	f.DurationVar(&o.ReloadTime, "reload-timeout", exporter.DefaultReloadTimeout, "a config load or reload that takes longer is rejected")
	f.DurationVar(&o.ResultCache, "result-cache", exporter.DefaultResultCache, "a finished probe answers later scrapes of the same target and module for this long (0: only scrapes that arrive while it runs share it)")
	f.BoolVar(&o.Lifecycle, "web.enable-lifecycle", false, "serve POST /-/reload (anyone who reaches the port can then reload); SIGHUP reloads either way")
	f.StringVar(&o.WebConfig, "web.config.file", "", "exporter-toolkit web configuration for TLS and basic auth (https://github.com/prometheus/exporter-toolkit/blob/master/docs/web-configuration.md)")
	return cmd
}

// serveRun serves until SIGINT/SIGTERM (the root command's context) and
// reloads on SIGHUP. A stop asked for by a signal is a clean exit (0),
// also with probes in flight: they are cancelled.
func serveRun(ctx context.Context, o *serveOptions) error {
	log := slog.New(slog.NewTextHandler(o.IO.ErrOut, nil))
	s, err := exporter.NewContext(ctx, exporter.Options{Paths: o.ConfigPaths, Timeout: o.Timeout, Logger: log,
		MaxProbes: o.MaxProbes, MaxWaiting: o.MaxWaiting, MaxConns: o.MaxConns, ReloadTimeout: o.ReloadTime,
		EnableLifecycle: o.Lifecycle, WebConfigFile: o.WebConfig, ResultCache: o.ResultCache, Version: versionString(),
		Check: checks.Options{Resolvers: o.Resolvers, Concurrency: o.Concurrency, CheckTimeout: o.CheckTimeout}})
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGHUP)
	defer signal.Stop(sig)
	if err := s.Serve(ctx, l, sig); err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}

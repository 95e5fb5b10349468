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
status page of the last probe per deployment. SIGHUP or POST /-/reload reads
the configs again; a config that does not load is rejected and the old kept.`,
		Example: `  lyncprobe serve -c deployments/
  lyncprobe serve --listen 127.0.0.1:9436 -c a.yaml -c b.yaml
  curl '127.0.0.1:9436/probe?target=contoso&module=cert'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Timeout <= 0 || o.CheckTimeout <= 0 || o.Concurrency <= 0 || o.MaxProbes <= 0 {
				return usageError{errors.New("--timeout, --check-timeout, --concurrency and --max-probes must be positive")}
			}
			return serveRun(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Listen, "listen", "127.0.0.1:9436", "address to listen on (loopback by default; put a proxy with authentication in front to expose it)")
	f.StringArrayVarP(&o.ConfigPaths, "config", "c", []string{"lyncprobe.yaml"}, "deployment config file, or a folder of them (repeatable)")
	f.DurationVar(&o.Timeout, "timeout", exporter.DefaultTimeout, "a probe's deadline when Prometheus sends no X-Prometheus-Scrape-Timeout-Seconds")
	f.IntVar(&o.Concurrency, "concurrency", checks.DefaultConcurrency, "probes in flight within one deployment's run")
	f.DurationVar(&o.CheckTimeout, "check-timeout", checks.DefaultCheckTimeout, "deadline of each check inside a probe")
	f.StringArrayVar(&o.Resolvers, "resolver", nil, "public-view resolver host[:port] (repeatable; overrides dns.resolvers)")
	f.IntVar(&o.MaxProbes, "max-probes", exporter.DefaultMaxProbes, "probes (scrapes) running at once; more wait for a slot")
	return cmd
}

// serveRun serves until SIGINT/SIGTERM (the root command's context) and
// reloads on SIGHUP.
func serveRun(ctx context.Context, o *serveOptions) error {
	log := slog.New(slog.NewTextHandler(o.IO.ErrOut, nil))
	s, err := exporter.New(exporter.Options{Paths: o.ConfigPaths, DefaultTimeout: o.Timeout, MaxProbes: o.MaxProbes, Logger: log,
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

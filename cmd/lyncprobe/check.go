package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/fleet"
	"github.com/lyncprobe/lyncprobe/lab"
	"github.com/lyncprobe/lyncprobe/probe"
	"github.com/lyncprobe/lyncprobe/report"
	"github.com/spf13/cobra"
)

type checkOptions struct {
	IO          *IOStreams
	ConfigPath  string   // ConfigPaths[0]
	ConfigPaths []string // -c, repeatable: files or folders; more than one file makes a fleet run (check_fleet.go)
	Parallel    int      // deployments checked at once in a fleet run
	reportFlags
	Timeout      time.Duration
	Only         []string
	Resolvers    []string
	Concurrency  int
	CheckTimeout time.Duration
	ConnectTo    string // --connect-to: probe every published name at this address
	Lab          bool
	LabFlags     labFlags
	ZoneFiles    []string      // --zone-file: an offline DNS run (zone.go)
	zones        []*probe.Zone // ZoneFiles, read
	Record       string        // --record: write the run's support bundle here (record.go)
}

func newCmdCheck(ios *IOStreams, runF func(context.Context, *checkOptions) error) *cobra.Command {
	o := &checkOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check a deployment (or the embedded lab) and print a report",
		Long: `Check the deployment that the config file describes, or start the embedded
lab with --lab and check it. Every probe runs concurrently; each fact (a DNS
answer, a TLS handshake, an HTTP response) is fetched once per run.`,
		Example: `  lyncprobe check -c lyncprobe.yaml
  lyncprobe check -c lyncprobe.yaml --format json --only dns,http
  lyncprobe check -c lyncprobe.yaml --zone-file contoso.com.zone   # DNS only, offline
  lyncprobe check -c lyncprobe.yaml --connect-to 203.0.113.10      # before the public records exist
  lyncprobe check -c a.yaml -c b.yaml --parallel 8   # a fleet run
  lyncprobe check -c deployments/ --format jsonl       # every *.yaml in the folder
  lyncprobe check --lab
  lyncprobe check --lab --fault missing-dns=dialin
  lyncprobe check -c lyncprobe.yaml --record bundle.json.gz   # a support bundle: lyncprobe replay bundle.json.gz`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.validate(cmd); err != nil {
				return usageError{err}
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return checkRun(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.ConfigPaths, "config", "c", []string{"lyncprobe.yaml"}, "deployment config file, or a folder of them (repeatable: several make a fleet run)")
	f.IntVar(&o.Parallel, "parallel", 0, fmt.Sprintf("deployments checked at once in a fleet run (0: %d per core, at least 4)", fleet.ParallelPerCore))
	addReportFlags(f, &o.reportFlags)
	f.DurationVar(&o.Timeout, "timeout", 30*time.Second, "deadline for the whole run")
	f.StringSliceVar(&o.Only, "only", nil, "run only these modules (dns, cert, http, affinity, edge)")
	f.StringArrayVar(&o.Resolvers, "resolver", nil, "public-view resolver host[:port] (repeatable; overrides dns.resolvers)")
	f.IntVar(&o.Concurrency, "concurrency", checks.DefaultConcurrency, "probes in flight (1 runs them one after another)")
	f.DurationVar(&o.CheckTimeout, "check-timeout", checks.DefaultCheckTimeout, "deadline of each check inside the run")
	f.StringVar(&o.ConnectTo, "connect-to", "", "probe every published name at this address (IP or host, no port: the port is reverse_proxy.port) whatever DNS says; the dns module still judges DNS")
	f.BoolVar(&o.Lab, "lab", false, "start the embedded lab, check it and stop it")
	f.StringArrayVar(&o.ZoneFiles, "zone-file", nil, "check DNS offline against this BIND zone file, no network (repeatable: one view per file; runs only the dns module)")
	f.StringVar(&o.Record, "record", "", "also write every fact the run fetched, the config and the trust anchors to this support bundle (JSON, gzipped when it ends in .gz; secrets redacted) for lyncprobe replay")
	o.LabFlags.add(cmd)
	return cmd
}

func (o *checkOptions) validate(cmd *cobra.Command) error {
	if err := o.validateFleet(); err != nil {
		return err
	}
	if o.Lab && cmd.Flags().Changed("config") {
		return errors.New("--lab and --config exclude each other")
	}
	if !o.Lab && o.LabFlags.changed(cmd) {
		return errors.New("lab flags (--fault, --lab-*) need --lab")
	}
	if err := o.reportFlags.validate(); err != nil {
		return err
	}
	if o.Timeout <= 0 || o.CheckTimeout <= 0 || o.Concurrency <= 0 {
		return errors.New("--timeout, --check-timeout and --concurrency must be positive")
	}
	if err := checks.ValidateLiveModules(o.Only); err != nil {
		return fmt.Errorf("--only: %w", err)
	}
	if err := o.validateZoneFiles(); err != nil {
		return err
	}
	if err := validateConnectTo(o.ConnectTo); err != nil {
		return err
	}
	if o.Lab {
		return o.LabFlags.validate()
	}
	return nil
}

func checkRun(ctx context.Context, o *checkOptions) error {
	if o.fleet() {
		return fleetRun(ctx, o)
	}
	path := o.ConfigPath
	if o.Lab {
		l, err := lab.Start(ctx, o.LabFlags.options(""))
		if err != nil {
			return fmt.Errorf("start the lab: %w", err)
		}
		defer l.Close()
		path = l.ConfigPath
	}
	// Reading the config and the zones also ends on Ctrl-C and --timeout.
	loadCtx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	dep, err := config.LoadContext(loadCtx, path)
	if err != nil {
		return missingConfigHint(err)
	}
	if o.Record != "" {
		o.ZoneFiles = absPaths(o.ZoneFiles) // a replay elsewhere names them as here (record.go)
	}
	if o.zones, err = loadZones(loadCtx, o.ZoneFiles, dep); err != nil {
		return err
	}
	return runChecks(ctx, o, dep)
}

func runChecks(ctx context.Context, o *checkOptions, dep *config.Deployment) error {
	start := time.Now()
	opts := checks.Options{
		Only: o.Only, Resolvers: o.Resolvers, Concurrency: o.Concurrency,
		CheckTimeout: o.CheckTimeout, Progress: progress(o.IO), ConnectTo: o.ConnectTo,
	}
	if len(o.zones) > 0 {
		opts.Files = &checks.Files{Zones: o.zones} // the zone files stand in for the network
	}
	rec := newRecorder(o, dep, &opts)
	results, took := fleet.RunOne(ctx, dep, fleet.Options{Timeout: o.Timeout, Check: opts})
	rep := report.Report{Catalog: checks.Catalog(), Deployment: dep.Name, Results: results, Duration: took, Locate: locateIn(dep), ConfigDir: configDirOf(dep)}
	rep.Run = runHeader(start, vantageResolvers(o.Resolvers, dep))
	if len(o.zones) > 0 {
		rep.Run.Resolvers = o.ZoneFiles // the zone files are the public view
	}
	// The bundle is written even when the run was interrupted (it holds
	// what was fetched); the report is printed even when the bundle fails.
	bundleErr := writeBundle(context.WithoutCancel(ctx), o, rec, dep, opts, rep.Run)
	if err := finishReport(ctx, o.IO, o.reportFlags, rep); err != nil && bundleErr == nil {
		return err
	}
	return bundleErr
}

// reportFlags are the output flags check and cert inspect share.
type reportFlags struct {
	Format, FailOn string
	NoColor        bool
	Verbose        bool     // -v: every result in the text report
	Outputs        []string // --output FORMAT=PATH
}

// finishReport renders rep and maps it to the exit code's error.
func finishReport(ctx context.Context, ios *IOStreams, f reportFlags, rep report.Report) error {
	color := ios.OutTTY && !ios.NoColorEnv && !f.NoColor
	if err := report.Render(ios.Out, f.Format, rep, report.Options{Color: color, Width: ios.Width, Verbose: f.Verbose}); err != nil {
		return fmt.Errorf("write the report: %w", err)
	}
	if err := writeOutputs(ios, f.Outputs, rep); err != nil {
		return err
	}
	if err := githubActions(ios, rep); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return errInterrupted
	}
	failOn := checks.Fail
	if f.FailOn == "warn" {
		failOn = checks.Warn
	}
	if checks.Summarize(rep.Results, rep.Duration).Failed(failOn) {
		return errChecksFailed
	}
	return nil
}

// progress shows "n/m checks" on a terminal's stderr; nothing on a pipe.
func progress(ios *IOStreams) func(done, total int) {
	if !ios.ErrTTY {
		return nil
	}
	return func(done, total int) {
		fmt.Fprintf(ios.ErrOut, "\r%d/%d checks done", done, total)
		if done == total {
			fmt.Fprint(ios.ErrOut, "\r\033[K")
		}
	}
}

// validateConnectTo wants an address or a host name without a port: the
// port of every published name is reverse_proxy.port.
func validateConnectTo(addr string) error {
	switch {
	case addr == "" || net.ParseIP(addr) != nil:
		return nil
	case strings.ContainsAny(addr, ":/ "):
		return fmt.Errorf("--connect-to %q: give an IP address or host name without a port or scheme (the port is reverse_proxy.port)", addr)
	}
	return nil
}

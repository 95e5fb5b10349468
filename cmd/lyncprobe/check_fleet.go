package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/fleet"
)

// validateFleet sets ConfigPath and rejects what a fleet run cannot do.
func (o *checkOptions) validateFleet() error {
	if len(o.ConfigPaths) == 0 {
		o.ConfigPaths = []string{"lyncprobe.yaml"}
	}
	o.ConfigPath = o.ConfigPaths[0]
	if o.Parallel < 0 {
		return errors.New("--parallel must not be negative (0: 4 per core)")
	}
	if o.fleet() && len(o.ZoneFiles) > 0 {
		return errors.New("--zone-file needs a single config, not a fleet")
	}
	if o.fleet() && o.Record != "" {
		return errors.New("--record records one deployment's run: give a single config, not a fleet")
	}
	if o.fleet() && o.ConnectTo != "" {
		return errors.New("--connect-to pins one deployment's names: give a single config, not a fleet")
	}
	return nil
}

// fleet reports whether the run covers several deployments: more than one
// -c, or a folder.
func (o *checkOptions) fleet() bool {
	if len(o.ConfigPaths) > 1 {
		return true
	}
	st, err := os.Stat(o.ConfigPaths[0])
	return err == nil && st.IsDir()
}

// fleetRun checks every config; one that does not load is reported as an
// error beside the others' results and makes the exit code 2.
func fleetRun(ctx context.Context, o *checkOptions) error {
	paths, err := fleet.Expand(o.ConfigPaths)
	if err != nil {
		return err
	}
	// --timeout bounds each deployment's run: a fleet's total grows with its size.
	start := time.Now()
	ds := fleet.Run(ctx, paths, fleet.Options{Parallel: o.Parallel, Timeout: o.Timeout, Check: checks.Options{
		Only: o.Only, Resolvers: o.Resolvers, Concurrency: o.Concurrency, CheckTimeout: o.CheckTimeout}})
	rep := fleet.Report(ds, time.Since(start))
	rep.Run = runHeader(start, o.Resolvers)
	rep.Locate = locateInFleet(ds)
	err = finishReport(ctx, o.IO, o.reportFlags, rep)
	if n := fleet.LoadFailures(ds); n > 0 && (err == nil || errors.Is(err, errChecksFailed)) {
		return fmt.Errorf("%d of %d configs did not load (see the report)", n, len(ds))
	}
	return err
}

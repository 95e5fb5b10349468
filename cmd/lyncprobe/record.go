package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/lyncprobe/lyncprobe/bundle"
	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/fleet"
	"github.com/lyncprobe/lyncprobe/report"
	"github.com/spf13/cobra"
)

// newRecorder puts a recorder in front of the run's source when --record
// is given (nil otherwise).
func newRecorder(o *checkOptions, dep *config.Deployment, opts *checks.Options) *bundle.Recorder {
	if o.Record == "" {
		return nil
	}
	var base checks.Source = checks.Network()
	if opts.Files != nil { // as checks.Run chooses: the files, and no network
		base = checks.ZoneSource(opts.Files.Zones)
	}
	rec := bundle.NewRecorder(base, dep)
	opts.Source = rec
	return rec
}

// writeBundle writes the recorded run, after it.
func writeBundle(ctx context.Context, o *checkOptions, rec *bundle.Recorder, dep *config.Deployment, opts checks.Options, run report.Run) error {
	if rec == nil {
		return nil
	}
	rec.Close()
	b, err := rec.Bundle(ctx, dep, opts, bundle.Info{Version: versionString(), Host: run.Host, Resolvers: run.Resolvers,
		Timeout: o.Timeout, ZoneFiles: o.ZoneFiles})
	if err != nil {
		return err
	}
	return bundle.Write(o.Record, b)
}

// absPaths makes paths absolute (left as given when that fails).
func absPaths(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = p
		if abs, err := filepath.Abs(p); err == nil {
			out[i] = abs
		}
	}
	return out
}

type replayOptions struct {
	IO *IOStreams
	reportFlags
}

func newCmdReplay(ios *IOStreams) *cobra.Command {
	o := &replayOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "replay BUNDLE",
		Short: "Judge a recorded run (check --record) again, offline, in any format",
		Long: `Judge the run a support bundle recorded (lyncprobe check --record) again,
with no network: every fact comes from the bundle, the clock is the
recorded run's, and chains are judged against the trust anchors it holds.
The same lyncprobe version gives the same results as the recorded run; a
newer one judges with its own checks, and a check that needs a fact the
bundle lacks is an error ("not in the bundle"), never a pass. Exit codes
are check's.`,
		Example: `  lyncprobe check -c lyncprobe.yaml --record bundle.json.gz
  lyncprobe replay bundle.json.gz
  lyncprobe replay bundle.json.gz --format html --output json=results.json > report.html`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.reportFlags.validate(); err != nil {
				return usageError{err}
			}
			return replayRun(cmd.Context(), o, args[0])
		},
	}
	addReportFlags(cmd.Flags(), &o.reportFlags)
	return cmd
}

// replayTimeout bounds a replay whose bundle names no --timeout: its
// facts are in memory, so it needs far less.
const replayTimeout = 30 * time.Second

func replayRun(ctx context.Context, o *replayOptions, path string) error {
	b, err := bundle.Read(ctx, path)
	if err != nil {
		return err
	}
	dep, err := b.Deployment()
	if err != nil {
		var ce config.Errors
		if errors.As(err, &ce) {
			return fmt.Errorf("%s: the recorded config: %w", path, err)
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	src, err := b.Source()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	timeout := b.Options.Timeout
	if timeout <= 0 {
		timeout = replayTimeout
	}
	results, took := fleet.RunOne(ctx, dep, fleet.Options{Timeout: timeout, Check: b.CheckOptions(src)})
	rep := report.Report{Catalog: checks.Catalog(), Command: "replay", Deployment: dep.Name, Results: results, Duration: took, Locate: locateIn(dep), ConfigDir: configDirOf(dep)}
	rep.Run = report.Run{Started: b.Run.Started, Host: b.Run.Host, Resolvers: b.Run.Resolvers,
		Version: b.Version + " (replayed by " + versionString() + ")"}
	return finishReport(ctx, o.IO, o.reportFlags, rep)
}

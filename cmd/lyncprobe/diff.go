package main

import (
	"bytes"
	"context"
	"fmt"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/internal/inputfile"
	"github.com/lyncprobe/lyncprobe/report"
	"github.com/spf13/cobra"
)

func newCmdDiff(ios *IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "diff OLD.json NEW.json",
		Short: "Compare two JSON reports: what got fixed, what broke, what changed",
		Long: `Compare two reports written with --format json (single or fleet), result by
result (deployment, check, target, via): the change-window view. Exits 1
when the new run fails (fail or error) where the old one did not, 0
otherwise, 2 when a file cannot be read.`,
		Example: `  lyncprobe check -c lyncprobe.yaml --format json > before.json
  # ... the change ...
  lyncprobe check -c lyncprobe.yaml --format json > after.json
  lyncprobe diff before.json after.json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			old, err := readReport(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			cur, err := readReport(cmd.Context(), args[1])
			if err != nil {
				return err
			}
			d := report.Diff(old, cur)
			if err := report.DiffText(ios.Out, d, report.Options{Width: ios.Width}); err != nil {
				return err
			}
			if d.NewFailure() {
				return errChecksFailed
			}
			return nil
		},
	}
}

// maxReportFile caps a JSON report diff reads: a fleet's report of
// hundreds of deployments is a few MiB.
const maxReportFile = 256 << 20

// readReport reads a JSON report as the other offline inputs are read: a
// regular file only (a FIFO must not hang a CI job), capped, under ctx.
func readReport(ctx context.Context, path string) ([]checks.Result, error) {
	data, err := inputfile.Read(ctx, path, maxReportFile)
	if err != nil {
		return nil, err
	}
	rs, err := report.ReadJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rs, nil
}

package main

import (
	"fmt"
	"os"

	"github.com/lyncprobe/lyncprobe/checks"
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
		RunE: func(_ *cobra.Command, args []string) error {
			old, err := readReport(args[0])
			if err != nil {
				return err
			}
			cur, err := readReport(args[1])
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

func readReport(path string) ([]checks.Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rs, err := report.ReadJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rs, nil
}

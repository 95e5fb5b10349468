package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/fleet"
	"github.com/lyncprobe/lyncprobe/probe"
	"github.com/lyncprobe/lyncprobe/report"
	"github.com/spf13/pflag"
)

// outputFlagUsage is the --output help, shared by the commands that report.
const outputFlagUsage = "also write the report as FORMAT=PATH (repeatable; PATH - is stdout), e.g. junit=report.xml"

// addReportFlags registers the output flags every reporting command shares.
func addReportFlags(f *pflag.FlagSet, r *reportFlags) {
	f.StringVar(&r.Format, "format", "text", "report format on stdout: "+strings.Join(report.Formats, ", "))
	addOutputFlag(f, &r.Outputs)
	f.StringVar(&r.FailOn, "fail-on", "fail", "exit 1 on: fail (fail or error) or warn (also warnings)")
	f.BoolVar(&r.NoColor, "no-color", false, "no colour in the text report")
	f.BoolVarP(&r.Verbose, "verbose", "v", false, "list every result in the text report, PASS included")
}

// validate rejects a format, --fail-on value or --output that cannot work.
func (r reportFlags) validate() error {
	if !report.ValidFormat(r.Format) {
		return fmt.Errorf("--format %q: want one of %v", r.Format, report.Formats)
	}
	if r.FailOn != "fail" && r.FailOn != "warn" {
		return fmt.Errorf("--fail-on %q: want fail or warn", r.FailOn)
	}
	return validateOutputs(r.Outputs)
}

// addOutputFlag registers --output on a reporting command.
func addOutputFlag(f *pflag.FlagSet, outputs *[]string) {
	f.StringArrayVar(outputs, "output", nil, outputFlagUsage)
}

// parseOutput splits "FORMAT=PATH" and checks the format.
func parseOutput(spec string) (format, path string, err error) {
	format, path, ok := strings.Cut(spec, "=")
	if !ok || path == "" {
		return "", "", fmt.Errorf("--output %q: want FORMAT=PATH, e.g. junit=report.xml", spec)
	}
	if !report.ValidFormat(format) {
		return "", "", fmt.Errorf("--output %q: format %q: want one of %v", spec, format, report.Formats)
	}
	return format, path, nil
}

func validateOutputs(specs []string) error {
	for _, s := range specs {
		if _, _, err := parseOutput(s); err != nil {
			return err
		}
	}
	return nil
}

// writeOutputs renders rep once per --output; one that cannot be written
// does not stop the others. Colour never goes to a file.
func writeOutputs(ios *IOStreams, specs []string, rep report.Report) error {
	var errs []error
	for _, s := range specs {
		format, path, _ := parseOutput(s)
		if path == "-" {
			if err := report.Render(ios.Out, format, rep, report.Options{}); err != nil {
				errs = append(errs, fmt.Errorf("write the %s report: %w", format, err))
			}
			continue
		}
		errs = append(errs, writeReportFile(path, format, rep, os.O_CREATE|os.O_TRUNC|os.O_WRONLY))
	}
	return errors.Join(errs...)
}

// writeReportFile creates the file's folder, as CI jobs name report paths
// in folders that do not exist yet.
func writeReportFile(path, format string, rep report.Report, flags int) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write the %s report: %w", format, err)
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return fmt.Errorf("write the %s report: %w", format, err)
	}
	err = report.Render(f, format, rep, report.Options{})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write the %s report to %s: %w", format, path, err)
	}
	return nil
}

// githubActions annotates the run for GitHub when it runs in a workflow:
// ::error/::warning lines on stderr, and the Markdown summary appended to
// $GITHUB_STEP_SUMMARY. Stdout holds only the report: the runner reads
// workflow commands from both streams, but a JSON, SARIF or JUnit document
// followed by annotation lines is no longer a document.
func githubActions(ios *IOStreams, rep report.Report) error {
	if !ios.GitHubActions {
		return nil
	}
	if err := report.GitHubAnnotations(ios.ErrOut, rep); err != nil {
		return fmt.Errorf("write the GitHub annotations: %w", err)
	}
	if ios.StepSummary == "" {
		return nil
	}
	return writeReportFile(ios.StepSummary, "markdown", rep, os.O_CREATE|os.O_APPEND|os.O_WRONLY)
}

// runHeader is the report's run header: when, which lyncprobe, from
// where (this host and the resolvers that gave the public view; none for
// a run that asks no resolver).
func runHeader(start time.Time, resolvers []string) report.Run {
	host, _ := os.Hostname()
	return report.Run{Started: start, Version: versionString(), Host: host, Resolvers: resolvers}
}

// vantageResolvers are the public-view resolvers a live run asks: the
// --resolver flags, else dns.resolvers and each dns.views resolver (named
// with its view), else the system's.
func vantageResolvers(flags []string, dep *config.Deployment) []string {
	if len(flags) > 0 {
		return flags
	}
	out := slices.Clone(dep.DNS.Resolvers)
	for _, v := range dep.DNS.Views {
		for _, r := range v.Resolvers {
			out = append(out, r+" (view "+v.Name+")")
		}
	}
	if len(out) > 0 {
		return out
	}
	return []string{"system (" + probe.SystemResolverAddr() + ")"}
}

// configDirOf is the absolute folder of dep's config file.
func configDirOf(dep *config.Deployment) string {
	if dep == nil || dep.Path == "" {
		return ""
	}
	abs, err := filepath.Abs(dep.Path)
	if err != nil {
		return ""
	}
	return filepath.Dir(abs)
}

// locateIn locates a result at the line of dep's config file that
// declares its target, for SARIF (code scanning needs a location).
func locateIn(dep *config.Deployment) func(checks.Result) *checks.Location {
	if dep == nil || dep.Path == "" {
		return nil
	}
	file := checks.ShowPath(dep.Path)
	return func(r checks.Result) *checks.Location {
		return &checks.Location{File: file, Line: dep.DeclaringLine(r.Target)}
	}
}

// locateInFleet locates each result in its own deployment's config, as
// loaded for the run (a config is not read a second time: that read would
// be under no --timeout); one that did not load is located at its line 1.
func locateInFleet(ds []fleet.Deployment) func(checks.Result) *checks.Location {
	byName := map[string]fleet.Deployment{}
	for _, d := range ds {
		byName[d.Name] = d
	}
	return func(r checks.Result) *checks.Location {
		d, ok := byName[r.Deployment]
		switch {
		case !ok:
			return nil
		case d.Config == nil:
			return &checks.Location{File: checks.ShowPath(d.Path), Line: 1}
		}
		return locateIn(d.Config)(r)
	}
}

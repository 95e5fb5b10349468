// Package fleet checks many deployments in one run: it expands config
// paths (files and folders), loads each config and runs checks.Run on a
// bounded number of deployments at once. A config that fails to load
// becomes an error entry beside the others' results, never hides them.
package fleet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/report"
	"github.com/lyncprobe/lyncprobe/result"
)

// ParallelPerCore sizes the default --parallel: a deployment's run mostly
// waits on the network, and what it costs the CPU (TLS handshakes) is
// bounded process-wide by the probe package's handshake budget, so
// several deployments per core keep the cores busy without starving them.
const ParallelPerCore = 4

// DefaultParallel is how many deployments are checked at once when
// Options.Parallel is 0: ParallelPerCore per core, at least 4.
func DefaultParallel() int { return max(4, ParallelPerCore*runtime.NumCPU()) }

// Options tune a fleet run.
type Options struct {
	Parallel int            // deployments at once; 0 = DefaultParallel()
	Timeout  time.Duration  // deadline of each deployment's run; 0 = the ctx's
	Check    checks.Options // passed to checks.Run for every deployment
}

// Deployment is one deployment's outcome.
type Deployment struct {
	Name     string // the config's name, or the file name when it did not load
	Path     string
	Results  []result.Result // each carries Deployment = Name
	Duration time.Duration
	Err      error // the config did not load; Results is empty
	// Config is the loaded config (nil when it did not load): the report
	// locates results in it without reading the files again.
	Config *config.Deployment
}

// Expand turns config paths into files: a folder gives every *.yaml and
// *.yml directly in it, sorted; a file is kept as given.
func Expand(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		files, err := configsIn(p)
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s: no *.yaml or *.yml config in the folder", p)
		}
		out = append(out, files...)
	}
	return out, nil
}

func configsIn(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	slices.Sort(out)
	return out, nil
}

// Load reads every config; one that fails is returned as an entry with Err.
// Two configs with one name are an error for the second: names identify
// deployments in reports and metrics.
func Load(paths []string) ([]*config.Deployment, []Deployment) {
	return LoadContext(context.Background(), paths)
}

// LoadContext is Load that stops reading when ctx ends (Ctrl-C, --timeout).
func LoadContext(ctx context.Context, paths []string) ([]*config.Deployment, []Deployment) {
	deps := make([]*config.Deployment, len(paths))
	out := make([]Deployment, len(paths))
	seen := map[string]string{}
	for i, p := range paths {
		out[i].Path = p
		d, err := config.LoadContext(ctx, p)
		if err == nil && seen[d.Name] != "" {
			err = fmt.Errorf("%s: deployment name %q is already used by %s", p, d.Name, seen[d.Name])
		}
		if err != nil {
			out[i].Name, out[i].Err = strings.TrimSuffix(filepath.Base(p), filepath.Ext(p)), err
			continue
		}
		seen[d.Name] = p
		deps[i], out[i].Name, out[i].Config = d, d.Name, d
	}
	return deps, out
}

// Run loads and checks every config in paths. The outcomes keep the order
// of paths whatever order the runs finish in.
func Run(ctx context.Context, paths []string, o Options) []Deployment {
	deps, out := LoadContext(ctx, paths)
	Check(ctx, deps, out, o)
	return out
}

// Check runs the loaded deployments (nil entries are skipped: they did not
// load) with at most o.Parallel at once, filling out[i].
func Check(ctx context.Context, deps []*config.Deployment, out []Deployment, o Options) {
	if o.Parallel <= 0 {
		o.Parallel = DefaultParallel()
	}
	sem := make(chan struct{}, o.Parallel)
	var wg sync.WaitGroup
	for i, d := range deps {
		if d == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done(): // One turns the ended run into error results
			}
			out[i].Results, out[i].Duration = One(ctx, d, o)
		}()
	}
	wg.Wait()
}

// One checks one deployment and labels each result with the
// deployment's name.
func One(ctx context.Context, d *config.Deployment, o Options) ([]result.Result, time.Duration) {
	rs, took := RunOne(ctx, d, o)
	for i := range rs {
		rs[i].Deployment = d.Name
	}
	return rs, took
}

// RunOne checks one deployment under o.Timeout (checks.Run applies its
// ignore rules). It is the one run path of the commands: `lyncprobe
// check` on one config, `check --zone-file`, `cert inspect` and `validate`
// call it directly (their results carry no deployment name; the offline
// ones give o.Check.Files), a fleet run and the exporter through One.
func RunOne(ctx context.Context, d *config.Deployment, o Options) ([]result.Result, time.Duration) {
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	start := time.Now()
	rs := checks.Run(ctx, d, o.Check)
	return rs, time.Since(start)
}

// LoadErrorID is the check ID of the error result that stands for a
// config that did not load, so every report format shows it.
const LoadErrorID = "config.load"

// Report turns the outcomes into a fleet report; took is the whole run's
// wall time.
func Report(ds []Deployment, took time.Duration) report.Report {
	// Deployment titles the formats that show one list of results (sarif,
	// markdown, html).
	r := report.Report{Catalog: checks.Catalog(), Deployment: fmt.Sprintf("fleet of %d deployments", len(ds)),
		Deployments: make([]report.Deployment, 0, len(ds)), Duration: took}
	for _, d := range ds {
		rd := report.Deployment{Name: d.Name, Path: d.Path, Results: d.Results, Duration: d.Duration}
		if d.Err != nil {
			rd.Error = d.Err.Error()
			rd.Results = []result.Result{{Deployment: d.Name, ID: LoadErrorID, Module: "config", Target: d.Path,
				Status: result.Error, Message: "The config did not load: " + d.Err.Error()}}
		}
		r.Deployments = append(r.Deployments, rd)
		r.Results = append(r.Results, rd.Results...)
	}
	return r
}

// LoadFailures counts the configs that failed to load.
func LoadFailures(ds []Deployment) int {
	n := 0
	for _, d := range ds {
		if d.Err != nil {
			n++
		}
	}
	return n
}

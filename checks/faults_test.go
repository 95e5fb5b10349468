package checks_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/lab"
	"github.com/lyncprobe/lyncprobe/lab/labtest"
)

// runLab starts the lab with o, checks it, and stops it.
func runLab(t *testing.T, o lab.Options) []checks.Result {
	t.Helper()
	_, dep := labtest.Start(t, o)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return checks.Run(ctx, dep, checks.Options{})
}

func describe(r checks.Result) string {
	return fmt.Sprintf("%s %s %s [%s]: %s", r.Status, r.ID, r.Target, r.Via, r.Message)
}

// TestHealthyLabPassesUnderEverySetting: settings are not faults.
func TestHealthyLabPassesUnderEverySetting(t *testing.T) {
	settings := map[string]lab.Options{
		"default":      {},
		"two nodes":    {Nodes: 2},
		"three nodes":  {Nodes: 3},
		"cookie lb":    {LB: "cookie"},
		"cookie lb x2": {LB: "cookie", Nodes: 2},
		"latency":      {Latency: 20 * time.Millisecond},
		"owa":          {OWA: true},
		// A certificate per name (SNI) and a chain with an extra, expired
		// cross-certificate beside its valid path (issue 16 items 2, 5).
		"sni certs":       {SNICerts: true},
		"sni certs owa":   {SNICerts: true, OWA: true},
		"sni certs x2":    {SNICerts: true, Nodes: 2},
		"cross cert":      {CrossCert: true},
		"cross sni certs": {CrossCert: true, SNICerts: true},
	}
	for _, v := range config.Versions {
		settings["version "+v] = lab.Options{Version: v}
	}
	for name, o := range settings {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rs := runLab(t, o)
			if len(rs) == 0 {
				t.Fatal("no results")
			}
			for _, r := range rs {
				if r.Status != checks.Pass && r.Status != checks.Info {
					t.Errorf("healthy lab: %s", describe(r))
				}
			}
		})
	}
}

// TestFaultTable walks lab.Faults: each fault must produce its diagnosis,
// and nothing may fail, warn, skip or error outside its allowed consequences.
func TestFaultTable(t *testing.T) {
	if len(lab.Faults) == 0 {
		t.Fatal("the fault table is empty")
	}
	for _, f := range lab.Faults {
		for _, arg := range append([]string{f.Example}, f.MoreExamples...) {
			spec := lab.FaultSpec{Name: f.Name, Arg: arg}
			t.Run(spec.String(), func(t *testing.T) {
				t.Parallel()
				checkFault(t, f, spec)
			})
		}
	}
}

// checkFault runs one fault (one of its examples) against its table entry.
func checkFault(t *testing.T, f lab.FaultInfo, spec lab.FaultSpec) {
	if len(f.Must) == 0 {
		t.Fatalf("fault %s has no diagnosis in the table", f.Name)
	}
	rs := runLab(t, lab.Options{Faults: []lab.FaultSpec{spec}})
	for _, m := range f.Must {
		if !slices.ContainsFunc(rs, func(r checks.Result) bool { return matches(r, m) }) {
			t.Errorf("%s: no %s result for %s [%s] with status %s", spec, m.ID, m.Target, m.Via, m.Status)
		}
	}
	for _, r := range rs {
		if r.Status == checks.Pass || r.Status == checks.Info {
			continue
		}
		if !isMust(r, f.Must) && !slices.Contains(f.Allowed, r.ID) {
			t.Errorf("%s: unexpected %s", spec, describe(r))
		}
	}
}

func matches(r checks.Result, m lab.Expect) bool {
	return r.ID == m.ID && r.Status.String() == m.Status && (m.Target == "" || r.Target == m.Target) && (m.Via == "" || r.Via == m.Via)
}

func isMust(r checks.Result, must []lab.Expect) bool {
	return slices.ContainsFunc(must, func(m lab.Expect) bool { return matches(r, m) })
}

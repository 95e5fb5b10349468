package checks_test

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/lab"
	"github.com/lyncprobe/lyncprobe/lab/labtest"
	"github.com/lyncprobe/lyncprobe/probe"
)

// TestNoModuleWaitsForAnotherItDoesNotNeed: the runner starts every check
// at once and a check waits only for the facts it asks for, never for
// another check or module. Each kind of probe in turn never answers; every
// check that does not use that kind must still reach, in full, the verdict
// it reaches on the healthy lab. No deadline decides it: the checks'
// deadline is far away, and the run is ended as soon as every spared check
// has reported (Options.CheckDone). A spared check that waited on a
// blocked probe would never report: the test's own limit would end the
// run, and the check's result would be "not finished" instead of its
// healthy verdict.
func TestNoModuleWaitsForAnotherItDoesNotNeed(t *testing.T) {
	cases := []struct {
		block  string   // the probe that never answers
		spared []string // modules that must not notice
		uses   []string // checks of those modules that do use it, and why
	}{
		{"handshake", []string{"dns", "http", "affinity"},
			[]string{"http.backend-tls"}}, // the front ends' own certificate
		{"fetch", []string{"dns", "cert"},
			[]string{"cert.revocation"}}, // fetches the CRL or OCSP answer
		{"open", []string{"dns", "cert", "http"}, nil},
	}
	_, dep := labtest.Start(t, lab.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	healthy := verdictMap(checks.Run(ctx, dep, checks.Options{}))
	for _, c := range cases {
		t.Run("no "+c.block, func(t *testing.T) {
			spared := sparedChecks(c.spared, c.uses)
			run, endRun := context.WithCancel(ctx)
			defer endRun()
			var mu sync.Mutex
			o := checks.Options{Probes: blocking(c.block), CheckTimeout: 10 * time.Minute, CheckDone: func(id string) {
				mu.Lock()
				defer mu.Unlock()
				if delete(spared, id); len(spared) == 0 {
					endRun() // the blocked checks end "interrupted"
				}
			}}
			got := checks.Run(run, dep, o)
			seen := 0
			for _, r := range got {
				if !slices.Contains(c.spared, r.Module) || slices.Contains(c.uses, r.ID) {
					continue
				}
				seen++
				key := r.ID + " " + r.Target + " " + r.Via
				if want := healthy[key]; r.Status.String()+": "+r.Message != want {
					t.Errorf("with %s blocked, %s became %s: %s (healthy: %s)", c.block, key, r.Status, r.Message, want)
				}
			}
			if seen == 0 {
				t.Error("no result of a spared module")
			}
			if !anyError(got) {
				t.Errorf("no check noticed that %s was blocked: the test blocks nothing", c.block)
			}
			if t.Failed() {
				for _, r := range got {
					t.Logf("%s %s %s [%s]: %s", r.Status, r.ID, r.Target, r.Via, r.Message)
				}
			}
		})
	}
}

// sparedChecks are the IDs of the live checks of modules, less uses.
func sparedChecks(modules, uses []string) map[string]bool {
	out := map[string]bool{}
	for _, c := range checks.Registry() {
		if c.Inputs&checks.InputNetwork != 0 && slices.Contains(modules, c.Module) && !slices.Contains(uses, c.ID) {
			out[c.ID] = true
		}
	}
	return out
}

// verdictMap maps (ID, target, via) to "status: message".
func verdictMap(rs []checks.Result) map[string]string {
	out := map[string]string{}
	for _, r := range rs {
		out[r.ID+" "+r.Target+" "+r.Via] = r.Status.String() + ": " + r.Message
	}
	return out
}

// anyError reports whether some check did not pass, which shows the block
// took effect (the healthy lab has only pass and info).
func anyError(rs []checks.Result) bool {
	return slices.ContainsFunc(rs, func(r checks.Result) bool {
		return r.Status == checks.Error || r.Status == checks.Skip || r.Status == checks.Fail
	})
}

// blocking are the real probes, but the one named waits for its context.
func blocking(kind string) checks.Probes {
	p := checks.RealProbes()
	switch kind {
	case "handshake":
		p.Handshake = func(ctx context.Context, _, _ string, _ probe.TLSOptions) (*probe.TLSFacts, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}
	case "fetch":
		p.Fetch = func(ctx context.Context, _ probe.Request) (*probe.Response, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}
	case "open":
		p.Open = func(ctx context.Context, _ probe.DialSpec) (*probe.Conn, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}
	}
	return p
}

// TestJoinReplaySameAtAnyConcurrency: the join replay's follow-ups open
// together by default and one by one under --concurrency 1; a balancer
// places them the same either way, so the verdict and its cause must not
// change. Which follow-up broke first may: when they go together, the
// balancer sees them in whatever order they arrive. So may which front
// end the join page came from: the checks join-flow needs (Check.Needs)
// run beside it and take their turns of the round robin too.
func TestJoinReplaySameAtAnyConcurrency(t *testing.T) {
	followUp := regexp.MustCompile(`follow-up \d+`)
	frontEnd := regexp.MustCompile(`fe\d+\.`)
	for name, want := range map[string]string{"": "pass", "no-affinity": "fail", "no-affinity-per-request": "fail",
		"nat-pool": "fail", "cookie-once-per-connection": "pass"} {
		t.Run("fault="+name, func(t *testing.T) {
			t.Parallel()
			o := lab.Options{LB: "cookie"}
			if name != "" {
				o = lab.Options{Faults: labtest.Faults(t, name)}
			}
			_, dep := labtest.Start(t, o) // skips nat-pool where 127.0.0.2 is not loopback
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			join := func(concurrency int) string {
				rs := checks.Run(ctx, dep, checks.Options{Only: []string{"affinity"}, Concurrency: concurrency})
				for _, r := range rs {
					if r.ID == "affinity.join-flow" {
						return r.Status.String() + ": " + frontEnd.ReplaceAllString(followUp.ReplaceAllString(r.Message, "follow-up N"), "feN.")
					}
				}
				t.Fatal("no affinity.join-flow result")
				return ""
			}
			together, oneByOne := join(0), join(1)
			if together != oneByOne {
				t.Errorf("join-flow differs:\n  default:         %s\n  --concurrency 1: %s", together, oneByOne)
			}
			if !strings.HasPrefix(together, want+":") {
				t.Errorf("join-flow = %s; want %s", together, want)
			}
		})
	}
}

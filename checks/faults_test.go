package checks_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
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
	// The lab tables run in parallel on a loaded machine: a check's own
	// deadline must not decide a verdict here, so it is generous.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return checks.Run(ctx, dep, checks.Options{CheckTimeout: 45 * time.Second})
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
		"hardened":        {Hardened: true},
		"hardened x2":     {Hardened: true, Nodes: 2},
		// Geo-DNS views, dual stack and lyncdiscover over HTTP only (issue
		// 16 items 1, 4, 3).
		"two regions":                 {Regions: 2},
		"dual stack":                  {DualStack: true},
		"lyncdiscover over HTTP only": {DiscoverHTTPOnly: true},
		// ECDSA certificates on the proxy and the Edge (issue 22).
		"ecdsa":    {ECDSA: true},
		"ecdsa x2": {ECDSA: true, Nodes: 2},
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
// The lab serves ECDSA certificates (faultLab).
func checkFault(t *testing.T, f lab.FaultInfo, spec lab.FaultSpec) {
	if len(f.Must) == 0 {
		t.Fatalf("fault %s has no diagnosis in the table", f.Name)
	}
	rs := runLab(t, faultLab(lab.Options{Faults: []lab.FaultSpec{spec}}))
	for _, m := range f.Must {
		if !slices.ContainsFunc(rs, func(r checks.Result) bool { return matches(r, m) }) {
			t.Errorf("%s: no %s result for %s [%s] with status %s", spec, m.ID, m.Target, m.Via, m.Status)
		}
	}
	for _, r := range rs {
		if r.Status == checks.Pass || r.Status == checks.Info {
			continue
		}
		if !isMust(r, f.Must) && !slices.Contains(f.Allowed, r.ID) && !cascadeOf(r, f) {
			t.Errorf("%s: unexpected %s", spec, describe(r))
		}
	}
}

// faultLab is o with ECDSA certificates on the proxy and the Edge. The
// fault tables judge faults, not the key type: every fault example gave
// the same (check, target, via, status) set under RSA-2048 and ECDSA
// P-256, and RSA signing was 8% of the package's test CPU. RSA is judged by
// the healthy lab (RSA unless a setting says ECDSA) and weak-key, whose
// 1024-bit RSA key the lab keeps under ECDSA.
func faultLab(o lab.Options) lab.Options {
	o.ECDSA = true
	return o
}

// cascadeOf reports whether r is the runner's skip for a check that r's
// check needs and that the fault is known to break (a diagnosis or an
// allowed consequence): the cascade follows from Check.Needs, so the
// table need not repeat it.
func cascadeOf(r checks.Result, f lab.FaultInfo) bool {
	d, ok := r.Evidence["depends_on"].(map[string]any)
	if r.Status != checks.Skip || !ok {
		return false
	}
	id, _ := d["check"].(string)
	return slices.Contains(f.Allowed, id) || slices.ContainsFunc(f.Must, func(m lab.Expect) bool { return m.ID == id })
}

func matches(r checks.Result, m lab.Expect) bool {
	return r.ID == m.ID && r.Status.String() == m.Status && (m.Target == "" || r.Target == m.Target) &&
		strings.Contains(r.Via, m.Via)
}

func isMust(r checks.Result, must []lab.Expect) bool {
	return slices.ContainsFunc(must, func(m lab.Expect) bool { return matches(r, m) })
}

// faultPair is two lab faults at once: the first breaks a fact that the
// dependent check's evidence relies on (Check.Needs), the second is the
// fault that check would otherwise judge.
type faultPair struct {
	faults    []string
	dependent string // check ID
	target    string // its result's target
	on        string // the check it must name: "depends on <on>"
}

// TestFaultPairs: a check never reports a verdict from evidence another
// check has shown broken. With the Host header rewritten the join replay
// starts from a blank (or 404) meet page; with the certificate expired,
// no page fetched over HTTPS is what clients get. The dependent result
// must be a skip naming the check that failed, whatever the second fault.
func TestFaultPairs(t *testing.T) {
	join := "https://" + lab.MeetHost + lab.MeetingPath
	web := "https://" + lab.ExternalWeb
	pairs := []faultPair{
		{[]string{"no-host-forward", "no-affinity"}, "affinity.join-flow", join, "http.host-forwarding"},
		{[]string{"no-host-forward", "no-affinity-per-request"}, "affinity.join-flow", join, "http.host-forwarding"},
		{[]string{"no-host-forward=404", "no-affinity"}, "affinity.join-flow", join, "http.host-forwarding"},
		{[]string{"no-host-forward=404", "no-affinity-per-request"}, "affinity.join-flow", join, "http.host-forwarding"},
		{[]string{"expired-cert", "no-affinity"}, "affinity.join-flow", join, "http.reachable"},
		{[]string{"expired-cert", "no-host-forward"}, "http.host-forwarding", join, "http.reachable"},
		{[]string{"expired-cert", "no-host-forward"}, "http.blank-page", join, "http.reachable"},
		{[]string{"expired-cert", "internal-links"}, "http.internal-name-leak", "https://" + lab.DiscoverHost, "http.reachable"},
		{[]string{"expired-cert", "internal-links"}, "http.lyncdiscover", "https://" + lab.DiscoverHost, "http.reachable"},
		{[]string{"expired-cert", "bridge-internal"}, "http.internal-site-exposed", web, "http.reachable"},
		{[]string{"expired-cert", "unpublished-path=/abs"}, "http.paths", web + "/abs/handler", "http.reachable"},
		{[]string{"expired-cert", "lyncdiscover-404"}, "http.lyncdiscover", "https://" + lab.DiscoverHost, "http.reachable"},
		{[]string{"expired-cert", "preauth"}, "http.preauth", join, "http.reachable"},
		{[]string{"expired-cert", "owa-unpublished"}, "http.office-web-apps", "https://" + lab.OWAHost + "/hosting/discovery", "http.reachable"},
	}
	for _, p := range pairs {
		t.Run(strings.Join(p.faults, "+")+"/"+p.dependent, func(t *testing.T) {
			t.Parallel()
			o := faultLab(lab.Options{Faults: labtest.Faults(t, p.faults...)})
			if slices.Contains(p.faults, "owa-unpublished") {
				o.OWA = true
			}
			rs := runLab(t, o)
			checkPair(t, p, rs)
		})
	}
}

// checkPair asserts the dependent's results for the target, printing the
// run's results when it fails.
func checkPair(t *testing.T, p faultPair, rs []checks.Result) {
	t.Helper()
	seen := 0
	for _, r := range rs {
		if r.ID != p.dependent || r.Target != p.target {
			continue
		}
		seen++
		if r.Status != checks.Skip || !strings.HasPrefix(r.Message, "depends on "+p.on+", ") {
			t.Errorf("want a skip naming %s, got %s", p.on, describe(r))
		}
	}
	if seen == 0 {
		t.Errorf("no %s result for %s", p.dependent, p.target)
	}
	if t.Failed() {
		for _, r := range rs {
			t.Log(describe(r))
		}
	}
}

package checks

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/lyncprobe/lyncprobe/probe"
)

// logResults prints every result, for a failing test.
func logResults(t *testing.T, rs []Result) {
	t.Helper()
	for _, r := range rs {
		t.Logf("%s %s %s [%s]: %s", r.Status, r.ID, r.Target, r.Via, r.Message)
	}
}

// TestEveryNeedComesEarlier: the cascade is one pass in registry order,
// so a check may only need a live check listed before it.
func TestEveryNeedComesEarlier(t *testing.T) {
	pos := map[string]int{}
	for i, c := range registry {
		for _, n := range c.Needs {
			p, ok := pos[n]
			if !ok {
				t.Errorf("%s needs %s, which is not a live check listed before it", c.ID, n)
				continue
			}
			if registry[p].Inputs&InputNetwork == 0 {
				t.Errorf("%s needs %s, which the network does not answer", c.ID, n)
			}
		}
		pos[c.ID] = i
	}
}

// TestOnlyHTTPWithDNSDownIsNotGreen: the deployment's resolvers refuse
// every question and only the http module is asked for. Nothing could be
// judged, so the run must not be green, and it must say why: the
// dns.resolves errors the http checks depend on are reported.
func TestOnlyHTTPWithDNSDownIsNotGreen(t *testing.T) {
	p := newRecorded().probes()
	p.Resolve = func(context.Context, string, string, uint16) (*probe.DNSAnswer, error) {
		return nil, &probe.Error{Op: "dns", Kind: probe.KindRefused}
	}
	rs := Run(context.Background(), testDeployment(), Options{Only: []string{"http"}, Probes: p})
	if !Summarize(rs, 0).Failed(Fail) {
		t.Error("--only http with DNS down is green")
	}
	var dnsErrors, httpJudged int
	for _, r := range rs {
		switch {
		case r.ID == "dns.resolves" && r.Status == Error:
			dnsErrors++
			if why, _ := r.Evidence["reported_because"].(string); !strings.Contains(why, "http.reachable") {
				t.Errorf("dns.resolves reported without saying why: %v", r.Evidence)
			}
		case r.Module == "http" && r.Status != Skip && r.Status != Error:
			httpJudged++
		case r.Module != "http":
			t.Errorf("unexpected result outside the selection: %s %s %s", r.Status, r.ID, r.Message)
		}
	}
	if dnsErrors == 0 || httpJudged > 0 {
		t.Errorf("%d dns.resolves errors reported (want some), %d http verdicts (want none)", dnsErrors, httpJudged)
	}
	if t.Failed() {
		logResults(t, rs)
	}
}

// TestOnlyHTTPReportsTheNeededFailure: one name does not exist. --only
// http reports dns.resolves for that name alone (on both resolvers), and
// no other dns result.
func TestOnlyHTTPReportsTheNeededFailure(t *testing.T) {
	rs := Run(context.Background(), testDeployment(), Options{Only: []string{"http"}, Probes: newRecorded("dialin.contoso.test").probes()})
	var got []string
	for _, r := range rs {
		if r.Module == "dns" {
			got = append(got, r.Status.String()+" "+r.ID+" "+r.Target)
		}
	}
	want := []string{"fail dns.resolves dialin.contoso.test", "fail dns.resolves dialin.contoso.test"}
	if !slices.Equal(got, want) {
		t.Errorf("dns results in an --only http run: %q, want %q", got, want)
		logResults(t, rs)
	}
}

// TestHealthySelectionReportsNothingElse: when nothing needed fails,
// --only reports its modules alone.
func TestHealthySelectionReportsNothingElse(t *testing.T) {
	rs := Run(context.Background(), testDeployment(), Options{Only: []string{"cert"}, Probes: newRecorded().probes()})
	for _, r := range rs {
		if r.Module != "cert" {
			t.Errorf("unexpected %s %s %s: %s", r.Status, r.ID, r.Target, r.Message)
		}
	}
}

// TestCascadeRules: what a needed check's results mean for a dependent's,
// host by host.
func TestCascadeRules(t *testing.T) {
	all := []Check{
		{ID: "a.need", Module: "a"},
		{ID: "b.dep", Module: "b", Needs: []string{"a.need"}},
		{ID: "c.dep2", Module: "c", Needs: []string{"b.dep"}},
	}
	out := [][]Result{
		{
			{ID: "a.need", Target: "one.test", Via: "resolver 1", Status: Fail, Message: "NXDOMAIN"},
			{ID: "a.need", Target: "two.test", Via: "resolver 1", Status: Fail, Message: "NXDOMAIN"},
			{ID: "a.need", Target: "two.test", Via: "resolver 2", Status: Pass}, // holds on one resolver
			{ID: "a.need", Target: "three.test", Status: Error, Message: "timeout"},
		},
		{
			{ID: "b.dep", Target: "https://one.test/x", Status: Pass, Message: "fine", Remedy: "none"},
			{ID: "b.dep", Target: "https://two.test/x", Status: Pass, Message: "fine"},
			{ID: "b.dep", Target: "https://three.test/x", Status: Error, Message: "not finished"},
			{ID: "b.dep", Target: "three.test", Via: "node", Status: Fail, Message: "bad"},
			{ID: "b.dep", Status: Error, Message: "cut off"}, // no target: no host
		},
		{
			{ID: "c.dep2", Target: "https://one.test/y", Status: Warn, Message: "hmm"},
		},
	}
	rs := cascade(all, out, map[string]bool{}, nil)
	want := []string{
		"fail a.need one.test: NXDOMAIN",
		"fail a.need two.test: NXDOMAIN",
		"pass a.need two.test: ",
		"error a.need three.test: timeout",
		"skip b.dep https://one.test/x: depends on a.need, which failed for one.test",
		"pass b.dep https://two.test/x: fine",
		"error b.dep https://three.test/x: not finished",
		"skip b.dep three.test: depends on a.need, which could not check three.test (error: timeout)",
		"error b.dep : cut off",
		"skip c.dep2 https://one.test/y: depends on a.need, which failed for one.test",
	}
	var got []string
	for _, r := range rs {
		got = append(got, r.Status.String()+" "+r.ID+" "+r.Target+": "+r.Message)
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if rs[4].Remedy != "" || rs[4].Evidence["withheld"] != "pass: fine" {
		t.Errorf("withheld verdict: remedy %q, evidence %v", rs[4].Remedy, rs[4].Evidence)
	}
	// Hidden: a.need is not reported, except its failure that made a
	// reported result skip.
	out[1][0] = Result{ID: "b.dep", Target: "https://one.test/x", Status: Pass, Message: "fine"}
	out[2][0] = Result{ID: "c.dep2", Target: "https://one.test/y", Status: Warn}
	rs = cascade(all, out, map[string]bool{"a.need": true}, nil)
	var hiddenShown []string
	for _, r := range rs {
		if r.ID == "a.need" {
			hiddenShown = append(hiddenShown, r.Target+" "+r.Via)
		}
	}
	if want := []string{"one.test resolver 1", "three.test "}; !slices.Equal(hiddenShown, want) {
		t.Errorf("hidden check's results reported: %q, want %q", hiddenShown, want)
	}
}

package checks_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/lab"
	"github.com/lyncprobe/lyncprobe/lab/labtest"
	"github.com/lyncprobe/lyncprobe/probe"
)

const identityPath = "/Autodiscover/AutodiscoverService.svc/root/oauth/user"

// labPlan is the affinity probe aimed at the lab's published address.
func labPlan(l *lab.Lab, dep *config.Deployment, n int) probe.Plan {
	return probe.Plan{
		Dial:        probe.DialSpec{Addr: l.ProxyAddr, SNI: lab.ExternalWeb},
		Request:     probe.Request{Host: dep.HTTPSAuthority(lab.ExternalWeb), Path: identityPath, MaxBody: 1 << 16},
		Connections: n,
		Sources:     dep.Affinity.SourceAddresses,
	}
}

func reached(t *testing.T, vs []probe.Visit) map[string]int {
	t.Helper()
	seen := map[string]int{}
	for _, v := range vs {
		if v.Err != nil || v.Header.Get("X-MS-Server-Fqdn") == "" {
			t.Fatalf("visit %d/%d: %v (status %d, no front end named)", v.Conn, v.Request, v.Err, v.Status)
		}
		seen[v.Header.Get("X-MS-Server-Fqdn")]++
	}
	return seen
}

// TestAffinityProbeAgainstTheLab runs the probe through the lab proxy in
// every balancing mode: how many front ends new connections without and
// with cookies, and the requests of one connection, reach.
func TestAffinityProbeAgainstTheLab(t *testing.T) {
	cases := []struct {
		name                 string
		o                    lab.Options
		plain, jar, keepOpen int
	}{
		{"source-ip", lab.Options{}, 1, 1, 1},
		{"cookie", lab.Options{LB: "cookie"}, 2, 1, 2},
		{"no-affinity", lab.Options{Faults: []lab.FaultSpec{{Name: "no-affinity"}}}, 2, 2, 1},
		{"cookie-once-per-connection", lab.Options{Faults: []lab.FaultSpec{{Name: "cookie-once-per-connection"}}}, 2, 1, 2},
		{"nat-pool", lab.Options{Faults: []lab.FaultSpec{{Name: "nat-pool"}}}, 2, 2, 1},
	}
	for _, c := range cases {
		for _, nodes := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s x%d", c.name, nodes), func(t *testing.T) {
				t.Parallel()
				o := c.o
				o.Nodes = nodes
				l, dep := labtest.Start(t, o)
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				p := labPlan(l, dep, 12)
				got := []int{len(reached(t, probe.Connections(ctx, p)))}
				p.Jar = true
				got = append(got, len(reached(t, probe.Connections(ctx, p))))
				got = append(got, len(reached(t, probe.KeepAlive(ctx, p, 6))))
				if want := []int{c.plain, c.jar, c.keepOpen}; fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("front ends reached (no cookies, cookie jar, one connection) = %v, want %v", got, want)
				}
			})
		}
	}
}

func resultsOf(rs []checks.Result, id string) []checks.Result {
	var out []checks.Result
	for _, r := range rs {
		if r.ID == id {
			out = append(out, r)
		}
	}
	return out
}

func expectOne(t *testing.T, rs []checks.Result, id string, st checks.Status, says string) {
	t.Helper()
	got := resultsOf(rs, id)
	if len(got) != 1 || got[0].Status != st || !strings.Contains(got[0].Message, says) {
		for _, r := range got {
			t.Logf("%s", describe(r))
		}
		t.Errorf("want one %s %s saying %q", st, id, says)
	}
}

// TestNoAffinityByVersion: the same split is a warning from Lync 2013 on
// and a failure for Lync 2010, and the seed topology (a balancer in front
// of two proxy nodes) splits the join too.
func TestNoAffinityByVersion(t *testing.T) {
	cases := []struct {
		o      lab.Options
		sticky checks.Status
	}{
		{lab.Options{Version: "lync2010"}, checks.Fail},
		{lab.Options{Version: "lync2013", Nodes: 2}, checks.Warn},
		{lab.Options{Version: "lync2010", Nodes: 2}, checks.Fail},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s x%d", c.o.Version, max(c.o.Nodes, 1)), func(t *testing.T) {
			t.Parallel()
			o := c.o
			o.Faults = []lab.FaultSpec{{Name: "no-affinity"}}
			rs := runLab(t, o)
			expectOne(t, rs, "affinity.sticky", c.sticky, "spread over 2 front ends")
			expectOne(t, rs, "affinity.join-flow", checks.Fail, "session not found")
		})
	}
}

// TestAffinityChecksOnTheHealthyLab: what each balancing mode shows.
func TestAffinityChecksOnTheHealthyLab(t *testing.T) {
	t.Parallel()
	rs := runLab(t, lab.Options{LB: "cookie"})
	expectOne(t, rs, "affinity.sticky", checks.Pass, "cookie persistence")
	expectOne(t, rs, "affinity.cookie", checks.Pass, "MS-WSMAN is set on every answer")
	expectOne(t, rs, "affinity.per-request", checks.Info, "balances each request")
	expectOne(t, rs, "affinity.join-flow", checks.Pass, "all reached")
	rs = runLab(t, lab.Options{})
	expectOne(t, rs, "affinity.sticky", checks.Pass, "2 front ends known")
	expectOne(t, rs, "affinity.cookie", checks.Info, "no persistence cookie")
	d := resultsOf(rs, "affinity.distribution")
	if len(d) != 1 || d[0].Status != checks.Info {
		t.Fatalf("distribution: %v", d)
	}
	bars, ok := d[0].Evidence["distribution"].([]checks.Bar)
	if !ok || len(bars) != 2 || bars[0].Count != 20 || bars[1].Count != 0 {
		t.Errorf("distribution bars %v, want 20 connections on one front end and 0 on the other", d[0].Evidence["distribution"])
	}
}

// TestCookieFaultsNameTheAttribute: each cookie fault fails affinity.cookie
// naming what is wrong.
func TestCookieFaultsNameTheAttribute(t *testing.T) {
	for fault, says := range map[string]string{
		"cookie-httponly":            "HttpOnly",
		"cookie-expires":             "Max-Age=3600",
		"cookie-once-per-connection": "once per TCP connection",
	} {
		t.Run(fault, func(t *testing.T) {
			t.Parallel()
			rs := runLab(t, lab.Options{Faults: []lab.FaultSpec{{Name: fault}}})
			expectOne(t, rs, "affinity.cookie", checks.Fail, says)
		})
	}
}

// BenchmarkAffinity100 times 100 fresh connections (TCP, TLS, one request
// each) through the lab proxy, 8 in flight, as affinity.sticky makes them.
func BenchmarkAffinity100(b *testing.B) {
	l, dep := labtest.Start(b, lab.Options{})
	p := labPlan(l, dep, 100)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		for _, v := range probe.Connections(ctx, p) {
			if v.Err != nil || v.Status != http.StatusUnauthorized {
				b.Fatalf("visit %d: %v %d", v.Conn, v.Err, v.Status)
			}
		}
	}
}

// TestLync2010BehindSourceAffinity: Lync 2010 requires MS-WSMAN cookie
// persistence for external clients, so source-address persistence alone
// warns (the lab's healthy Lync 2010 balances by cookie); from Lync 2013
// on the same balancer passes.
func TestLync2010BehindSourceAffinity(t *testing.T) {
	t.Parallel()
	rs := runLab(t, lab.Options{Version: "lync2010", LB: "source-ip"})
	expectOne(t, rs, "affinity.sticky", checks.Warn, "Lync 2010 requires MS-WSMAN cookie persistence")
	rs = runLab(t, lab.Options{Version: "lync2013", LB: "source-ip"})
	expectOne(t, rs, "affinity.sticky", checks.Pass, "source-address persistence")
}

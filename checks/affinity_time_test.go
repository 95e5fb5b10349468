package checks

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/lab"
	"github.com/lyncprobe/lyncprobe/lab/labtest"
	"github.com/lyncprobe/lyncprobe/probe"
	"github.com/miekg/dns"
)

// runAffinitySlow checks the affinity module one connection at a time
// against a lab that adds 20 ms to each connection and answer. The lab's
// DNS answers are asked before the run and replayed during it: the tests
// below are about the affinity probe's time, and a check deadline of a
// few tens of milliseconds must not also bound a DNS round trip on a
// loaded machine.
func runAffinitySlow(t *testing.T, checkTimeout time.Duration) []Result {
	t.Helper()
	_, dep := labtest.Start(t, lab.Options{Latency: 20 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p := RealProbes()
	p.Resolve = replayDNS(t, ctx, dep)
	return Run(ctx, dep, Options{Only: []string{"affinity"}, Concurrency: 1, CheckTimeout: checkTimeout, Probes: p})
}

// replayDNS asks dep's resolvers for every published name now, and
// returns a Resolve that answers from those answers at once (asking the
// resolver only for a question not foreseen).
func replayDNS(t *testing.T, ctx context.Context, dep *config.Deployment) func(context.Context, string, string, uint16) (*probe.DNSAnswer, error) {
	t.Helper()
	type question struct {
		server, name string
		qtype        uint16
	}
	answers := map[question]*probe.DNSAnswer{}
	names := []string{config.HostOf(dep.MeetingURL)}
	for _, p := range dep.PublishedHosts() {
		names = append(names, p.Host)
	}
	for _, server := range dep.DNS.Resolvers {
		for _, name := range names {
			for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
				a, err := probe.Resolve(ctx, server, name, qt)
				if err != nil {
					t.Fatalf("asking the lab's DNS for %s: %v", name, err)
				}
				answers[question{server, strings.ToLower(name), qt}] = a
			}
		}
	}
	return func(ctx context.Context, server, name string, qtype uint16) (*probe.DNSAnswer, error) {
		if a, ok := answers[question{server, strings.ToLower(name), qtype}]; ok {
			return a, nil
		}
		return probe.Resolve(ctx, server, name, qtype)
	}
}

// TestAffinityProbeOneAtATime: the probe's 41 connections one after
// another take longer than --check-timeout (1 s here); its limit grows
// with its rounds, so the healthy lab still gets full verdicts.
func TestAffinityProbeOneAtATime(t *testing.T) {
	rs := runAffinitySlow(t, time.Second)
	for _, r := range rs {
		if r.Status != Pass && r.Status != Info {
			t.Errorf("%s %s: %s", r.Status, r.ID, r.Message)
		}
	}
	if t.Failed() {
		logResults(t, rs)
	}
}

// TestAffinityProbeOutOfTime: a limit far below what even the grown limit
// allows. What the probe could not do is the setting's doing: no result
// may blame the deployment ("see http.reachable"), and the ones that
// cannot decide say which setting to raise.
func TestAffinityProbeOutOfTime(t *testing.T) {
	rs := runAffinitySlow(t, 60*time.Millisecond)
	named := false
	for _, r := range rs {
		if strings.Contains(r.Message, "see http.reachable") {
			t.Errorf("%s blames the deployment: %s", r.ID, r.Message)
		}
		if strings.Contains(r.Message, "ran out of time") && strings.Contains(r.Message, "--concurrency 1") {
			named = true
		}
	}
	if !named {
		t.Error("no result says the affinity probe ran out of time")
	}
	if t.Failed() {
		logResults(t, rs)
	}
}

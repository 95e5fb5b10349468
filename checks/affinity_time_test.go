package checks

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/lab"
	"github.com/lyncprobe/lyncprobe/lab/labtest"
)

// runAffinitySlow checks the affinity module one connection at a time
// against a lab that adds 20 ms to each connection and answer.
func runAffinitySlow(t *testing.T, checkTimeout time.Duration) []Result {
	t.Helper()
	_, dep := labtest.Start(t, lab.Options{Latency: 20 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return Run(ctx, dep, Options{Only: []string{"affinity"}, Concurrency: 1, CheckTimeout: checkTimeout})
}

// TestAffinityProbeOneAtATime: the probe's 41 connections one after
// another take longer than --check-timeout (1 s here); its limit grows
// with its rounds, so the healthy lab still gets full verdicts.
func TestAffinityProbeOneAtATime(t *testing.T) {
	for _, r := range runAffinitySlow(t, time.Second) {
		if r.Status != Pass && r.Status != Info {
			t.Errorf("%s %s: %s", r.Status, r.ID, r.Message)
		}
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
		for _, r := range rs {
			t.Logf("%s %s: %s", r.Status, r.ID, r.Message)
		}
		t.Error("no result says the affinity probe ran out of time")
	}
}

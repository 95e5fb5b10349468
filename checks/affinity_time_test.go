package checks

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/lab"
)

// TestAffinityProbeOutOfTime: one connection at a time, 20 ms per
// connection and per answer, and a limit far below what the probe's
// connections need. What the probe could not do is the setting's doing:
// no result may blame the deployment ("see http.reachable"), and the ones
// that cannot decide say which setting to raise.
func TestAffinityProbeOutOfTime(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, err := lab.Start(ctx, lab.Options{Latency: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	dep, err := config.Load(l.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	rs := Run(ctx, dep, Options{Only: []string{"affinity"}, Concurrency: 1, CheckTimeout: time.Second})
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

package checks_test

import (
	"context"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/lab"
	"github.com/lyncprobe/lyncprobe/lab/labtest"
)

// TestConnectToChecksTheProxyBeforeDNS: meet has no public record yet.
// Without --connect-to its HTTP checks can only skip; with it they probe
// the proxy at the given address and say so, while dns.resolves still
// fails for meet: the pin never hides a DNS fault.
func TestConnectToChecksTheProxyBeforeDNS(t *testing.T) {
	t.Parallel()
	_, dep := labtest.Start(t, lab.Options{Faults: labtest.Faults(t, "missing-dns=meet")})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const meet = "https://meet.contoso.test"
	find := func(rs []checks.Result, id, target string) checks.Result {
		for _, r := range rs {
			if r.ID == id && r.Target == target {
				return r
			}
		}
		t.Fatalf("no %s result for %s", id, target)
		return checks.Result{}
	}
	plain := checks.Run(ctx, dep, checks.Options{})
	if r := find(plain, "http.reachable", meet); r.Status != checks.Skip {
		t.Errorf("without --connect-to: %s", describe(r))
	}
	pinned := checks.Run(ctx, dep, checks.Options{ConnectTo: "127.0.0.1"})
	if r := find(pinned, "http.reachable", meet); r.Status != checks.Pass || r.Via != "connect-to 127.0.0.1" {
		t.Errorf("with --connect-to: %s, want pass via connect-to 127.0.0.1", describe(r))
	}
	if r := find(pinned, "dns.resolves", "meet.contoso.test"); r.Status != checks.Fail {
		t.Errorf("with --connect-to the missing record must still fail: %s", describe(r))
	}
	for _, r := range pinned {
		if r.Module == "edge" && r.Via == "connect-to 127.0.0.1" {
			t.Errorf("an Edge name was pinned too: %s", describe(r))
		}
		if r.Status != checks.Pass && r.Status != checks.Info && r.Target != "meet.contoso.test" {
			t.Errorf("with --connect-to only meet's DNS results may be off: %s", describe(r))
		}
	}
}

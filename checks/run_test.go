package checks

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/probe"
	"github.com/miekg/dns"
)

func testDeployment() *config.Deployment {
	return &config.Deployment{
		Name: "t", Version: "sfb2019", SIPDomains: []string{"contoso.test"},
		WebServices:  []config.WebService{{External: "webext.contoso.test"}},
		SimpleURLs:   config.SimpleURLs{Meet: []string{"https://meet.contoso.test"}, Dialin: "https://dialin.contoso.test"},
		MeetingURL:   "https://meet.contoso.test/alice/T1",
		ReverseProxy: config.ReverseProxy{Port: 443},
		DNS:          config.DNS{Resolvers: []string{"192.0.2.53:53", "198.51.100.53:53"}},
	}
}

// recorded answers every A question with 192.0.2.10 except for the names
// in missing (NXDOMAIN), counts each question, and refuses connections.
type recorded struct {
	mu      sync.Mutex
	asked   map[string]int
	missing map[string]bool
	block   bool // questions wait for their context
}

func (r *recorded) probes() Probes {
	return Probes{
		Resolve: func(ctx context.Context, server, name string, qtype uint16) (*probe.DNSAnswer, error) {
			r.mu.Lock()
			r.asked[fmt.Sprintf("%s %s %d", server, name, qtype)]++
			r.mu.Unlock()
			if r.block {
				<-ctx.Done()
				return nil, &probe.Error{Op: "dns", Kind: probe.KindTimeout, Err: ctx.Err()}
			}
			a := &probe.DNSAnswer{Server: server, Name: name, Rcode: "NOERROR", Type: dns.TypeToString[qtype]}
			if r.missing[name] {
				a.Rcode = "NXDOMAIN"
			} else if qtype == dns.TypeA {
				a.Addresses = []string{"192.0.2.10"}
			}
			return a, nil
		},
		Handshake: func(context.Context, string, string, probe.TLSOptions) (*probe.TLSFacts, error) {
			return nil, &probe.Error{Op: "dial", Kind: probe.KindRefused}
		},
		Fetch: func(context.Context, probe.Request) (*probe.Response, error) {
			return nil, &probe.Error{Op: "dial", Kind: probe.KindRefused}
		},
		Open: func(context.Context, probe.DialSpec) (*probe.Conn, error) {
			return nil, &probe.Error{Op: "dial", Kind: probe.KindRefused}
		},
	}
}

func newRecorded(missing ...string) *recorded {
	r := &recorded{asked: map[string]int{}, missing: map[string]bool{}}
	for _, m := range missing {
		r.missing[m] = true
	}
	return r
}

func TestRunFetchesEachFactOnce(t *testing.T) {
	rec := newRecorded()
	Run(context.Background(), testDeployment(), Options{Probes: rec.probes()})
	if len(rec.asked) == 0 {
		t.Fatal("no question asked")
	}
	for q, n := range rec.asked {
		if n != 1 {
			t.Errorf("%s asked %d times, want once", q, n)
		}
	}
	// On both resolvers: A and AAAA of the 4 published names (every module
	// needs them), the 2 Edge SRV records and lyncdiscoverinternal's A and AAAA.
	if want := 2 * (2*4 + 2 + 2); len(rec.asked) != want {
		t.Errorf("asked %d distinct questions, want %d", len(rec.asked), want)
	}
}

func TestRunStableOrderAndUniqueKeys(t *testing.T) {
	key := func(rs []Result) string {
		var b strings.Builder
		for _, r := range rs {
			fmt.Fprintf(&b, "%s|%s|%s\n", r.ID, r.Target, r.Via)
		}
		return b.String()
	}
	first := Run(context.Background(), testDeployment(), Options{Probes: newRecorded().probes()})
	for i := 0; i < 5; i++ {
		again := Run(context.Background(), testDeployment(), Options{Probes: newRecorded().probes()})
		if key(again) != key(first) {
			t.Fatalf("order changed:\n%s\nvs\n%s", key(first), key(again))
		}
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(key(first)), "\n") {
		if seen[line] {
			t.Errorf("duplicate result key %s", line)
		}
		seen[line] = true
	}
	live := slices.DeleteFunc(Registry(), func(c Check) bool { return c.Inputs&InputNetwork == 0 }) // validate's, not check's
	// The deployment has no edge, so the edge module (last) says nothing:
	// compare each result's place in the registry with the one before.
	pos := map[string]int{}
	for i, c := range live {
		pos[c.ID] = i
	}
	if first[0].ID != "dns.resolves" {
		t.Errorf("first result is %s, want dns.resolves", first[0].ID)
	}
	for i := 1; i < len(first); i++ {
		if pos[first[i].ID] < pos[first[i-1].ID] {
			t.Errorf("results not in registry order: %s after %s", first[i].ID, first[i-1].ID)
		}
	}
}

func TestRunCascadeSkipsDependents(t *testing.T) {
	rs := Run(context.Background(), testDeployment(), Options{Probes: newRecorded("dialin.contoso.test").probes()})
	var fails, skips int
	for _, r := range rs {
		switch {
		case r.ID == "dns.resolves" && r.Target == "dialin.contoso.test":
			if r.Status != Fail || !strings.Contains(r.Message, "NXDOMAIN") {
				t.Errorf("dns.resolves for dialin: %s %s", r.Status, r.Message)
			}
			fails++
		case r.ID == "http.reachable" && r.Target == "https://dialin.contoso.test":
			if r.Status != Skip || r.Message != "depends on dns.resolves, which failed for dialin.contoso.test" {
				t.Errorf("http.reachable for dialin: %s %q", r.Status, r.Message)
			}
			skips++
		}
	}
	if fails != 2 || skips != 1 {
		t.Fatalf("want 2 dns fails (one per resolver) and 1 skip, got %d and %d", fails, skips)
	}
}

func TestRunCutsOffAHangingCheck(t *testing.T) {
	saved := registry
	t.Cleanup(func() { registry = saved })
	registry = []Check{{ID: "test.hang", Module: "test", Inputs: InputNetwork, Run: func(context.Context, *Env) []Result {
		select {} // ignores its context on purpose
	}}}
	start := time.Now()
	rs := Run(context.Background(), testDeployment(), Options{Probes: newRecorded().probes(), CheckTimeout: 100 * time.Millisecond})
	if time.Since(start) > 2*time.Second {
		t.Fatal("the runner waited for a hanging check")
	}
	if len(rs) != 1 || rs[0].Status != Error || rs[0].ID != "test.hang" || !strings.HasPrefix(rs[0].Message, "not finished: check timeout") {
		t.Fatalf("got %+v", rs)
	}
}

func TestRunTimeoutMarksUnfinished(t *testing.T) {
	rec := newRecorded()
	rec.block = true
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	rs := Run(ctx, testDeployment(), Options{Probes: rec.probes()})
	if len(rs) == 0 {
		t.Fatal("no results")
	}
	for _, r := range rs {
		if r.Status != Error || r.Message != "not finished: run timeout" {
			t.Errorf("%s %s %s: %s %q", r.ID, r.Target, r.Via, r.Status, r.Message)
		}
	}
}

func TestRunPanicBecomesError(t *testing.T) {
	saved := registry
	t.Cleanup(func() { registry = saved })
	registry = []Check{{ID: "test.panic", Module: "test", Inputs: InputNetwork, Run: func(context.Context, *Env) []Result { panic("boom") }}}
	rs := Run(context.Background(), testDeployment(), Options{Probes: newRecorded().probes()})
	if len(rs) != 1 || rs[0].Status != Error || !strings.Contains(rs[0].Message, "boom") {
		t.Fatalf("got %+v", rs)
	}
}

func TestConcurrencyOneStillFinishes(t *testing.T) {
	rs := Run(context.Background(), testDeployment(), Options{Probes: newRecorded().probes(), Concurrency: 1})
	for _, r := range rs {
		if r.Status == Error {
			t.Fatalf("%s %s: %s", r.ID, r.Target, r.Message)
		}
	}
}

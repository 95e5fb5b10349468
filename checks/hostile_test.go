package checks_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/internal/hostile"
	"github.com/lyncprobe/lyncprobe/probe"
)

// A server that stalls is given up on by the probe's own limit, which
// names what the server did ("did not complete the TLS handshake"), not
// by the check's clock ("not finished: check timeout"). The check's clock
// runs from the check's start, the probe's from when it has its slot; so
// that the probe always ends first whatever the machine's load, the check
// gets a deadline a minute long and the probe a short limit of its own.
// Against a silent DNS server the check's clock ends the check, and both
// ways say "timeout". The other TLS and HTTP servers end on their own, so
// their checks get the minute too: reading capped endless bodies under
// -race, beside the other servers on a busy machine, took most of the
// default 10 s, and the deadline is not what they assert.
const (
	stallTimeout      = 2 * time.Second // dns-silent: the check's deadline
	stallProbeLimit   = 2 * time.Second // the TLS and HTTP stalls: the probe's limit
	stallCheckTimeout = time.Minute     // the TLS and HTTP servers: the check's deadline
)

var stalls = map[string]bool{"dns-silent": true, "tls-stall": true, "http-slowloris": true, "http-header-drip": true}

// stallOptions are the run options against behaviour b.
func stallOptions(b hostile.Behaviour, o checks.Options) checks.Options {
	switch {
	case b.Name == "dns-silent":
		o.CheckTimeout = stallTimeout
	case stalls[b.Name]:
		o.CheckTimeout = stallCheckTimeout
		o = checks.WithProbeLimit(o, stallProbeLimit)
	case b.Proto != "dns":
		o.CheckTimeout = stallCheckTimeout
	}
	return o
}

// hostileConfig loads the deployment s.WriteConfig describes.
func hostileConfig(t *testing.T, s *hostile.Server) *config.Deployment {
	t.Helper()
	path, err := s.WriteConfig(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dep, err := config.Load(path)
	if err != nil {
		t.Fatalf("hostile config: %v", err)
	}
	return dep
}

// runHostile starts b, runs the given modules against it under a
// generous watchdog, and stops it. Its callers check that no goroutine is
// left (leakCheck).
func runHostile(t *testing.T, b hostile.Behaviour, only []string) []checks.Result {
	t.Helper()
	s, err := hostile.Start(b, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dep := hostileConfig(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan []checks.Result, 1)
	go func() {
		done <- checks.Run(ctx, dep, stallOptions(b, checks.Options{Only: only}))
	}()
	select {
	case rs := <-done:
		return rs
	case <-time.After(2 * time.Minute):
		t.Fatalf("%s: the run did not return", b.Name)
	}
	return nil
}

// hostileWant is what a person must see for one behaviour: the result of
// check ID for Target (and Via, when set) has Status and names the cause.
type hostileWant struct {
	ID, Target, Via string
	Status          checks.Status
	Says            string
}

var hostileWants = map[string]hostileWant{
	"dns-silent":               {"dns.resolves", "webext.contoso.test", "", checks.Error, "timeout"},
	"dns-garbage":              {"dns.resolves", "webext.contoso.test", "", checks.Error, "malformed answer"},
	"dns-wrong-id":             {"dns.resolves", "webext.contoso.test", "", checks.Error, "wrong message ID"},
	"dns-truncated-tcp-silent": {"dns.resolves", "webext.contoso.test", "", checks.Error, "truncated its UDP answer"},
	"dns-cname-loop":           {"dns.resolves", "webext.contoso.test", "", checks.Error, "CNAME chain longer than"},
	"dns-many-records":         {"dns.resolves", "webext.contoso.test", "", checks.Error, "answer too large"},
	"dns-other-question":       {"dns.resolves", "webext.contoso.test", "", checks.Error, "does not answer the question asked"},
	"tls-stall":                {"http.reachable", "https://webext.contoso.test", "address 127.0.0.1", checks.Fail, "did not complete the TLS handshake"},
	"tls-plain-http":           {"http.reachable", "https://webext.contoso.test", "address 127.0.0.1", checks.Fail, "plain HTTP, not TLS"},
	"tls-no-cert":              {"http.reachable", "https://webext.contoso.test", "address 127.0.0.1", checks.Fail, "aborted the handshake"},
	"tls-chain-50":             {"cert.chain", "webext.contoso.test", "", checks.Pass, "verifies"},
	"tls-10000-sans":           {"cert.san-coverage", "webext.contoso.test", "address 127.0.0.1", checks.Pass, ""},
	"tls-rsa-1024":             {"cert.key-usage", "webext.contoso.test", "", checks.Fail, "1024-bit RSA key"},
	"http-slowloris":           {"http.reachable", "https://webext.contoso.test", "address 127.0.0.1", checks.Fail, "sent no response header"},
	"http-header-drip":         {"http.reachable", "https://webext.contoso.test", "address 127.0.0.1", checks.Fail, "did not finish it"},
	"http-endless-body":        {"http.reachable", "https://webext.contoso.test", "address 127.0.0.1", checks.Error, "body did not end"},
	"http-endless-chunked":     {"http.reachable", "https://webext.contoso.test", "address 127.0.0.1", checks.Error, "body did not end"},
	"http-10mb-header":         {"http.reachable", "https://webext.contoso.test", "address 127.0.0.1", checks.Fail, "response header is longer than 64 KB"},
	"http-redirect-loop":       {"http.lyncdiscover", "https://lyncdiscover.contoso.test", "", checks.Fail, "redirect loop"},
	"http-100-redirects":       {"http.lyncdiscover", "https://lyncdiscover.contoso.test", "", checks.Fail, "too many redirects"},
	"http-gzip-bomb":           {"http.reachable", "https://webext.contoso.test", "address 127.0.0.1", checks.Error, "body did not end"},
	"http-bad-status":          {"http.reachable", "https://webext.contoso.test", "address 127.0.0.1", checks.Fail, "invalid HTTP status line"},
	"http-close-mid-body":      {"http.reachable", "https://webext.contoso.test", "address 127.0.0.1", checks.Fail, "did not finish sending the body"},
}

// leakCheck fails t if, once t and all its subtests are done, a goroutine
// runs that did not run when leakCheck was called.
func leakCheck(t *testing.T) {
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
}

// saysWant reports whether r is what a person must see.
func saysWant(r checks.Result, want hostileWant) bool {
	return r.Status == want.Status && strings.Contains(r.Message, want.Says)
}

// TestHostileServers points lyncprobe at each hostile server: the run
// returns, no goroutine is left, no check panics, and the relevant result
// names what the server did. The servers run side by side, since most of
// their time is a stall lyncprobe waits out; so goroutines are counted
// once, when every run is over (the leak's stack names its code).
func TestHostileServers(t *testing.T) {
	if testing.Short() {
		t.Skip("hostile servers take a few seconds each")
	}
	leakCheck(t)
	for _, b := range hostile.Behaviours() {
		want, ok := hostileWants[b.Name]
		if !ok {
			t.Errorf("%s: no expectation in hostileWants", b.Name)
			continue
		}
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			rs := runHostile(t, b, nil)
			found := false
			for _, r := range rs {
				if strings.HasPrefix(r.Message, "internal error") {
					t.Errorf("a check panicked: %s", describe(r))
				}
				if r.ID != want.ID || r.Target != want.Target || want.Via != "" && r.Via != want.Via {
					continue
				}
				found = true
				if !saysWant(r, want) {
					t.Errorf("got %s, want %s naming %q", describe(r), want.Status, want.Says)
				}
			}
			if !found {
				t.Errorf("no %s result for %s [%s]", want.ID, want.Target, want.Via)
			}
			if t.Failed() {
				for _, r := range rs {
					t.Log(describe(r))
				}
			}
		})
	}
}

// TestHostileGzipBombIsNotInflated: lyncprobe asks for no compression and
// keeps an unasked gzip body as the bytes it got, capped.
func TestHostileGzipBombIsNotInflated(t *testing.T) {
	b, _ := hostile.Lookup("http-gzip-bomb")
	s, err := hostile.Start(b, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	resp, err := probe.Fetch(context.Background(), probe.Request{Addr: fmt.Sprintf("127.0.0.1:%d", s.Port), Host: "meet.contoso.test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Body) > probe.DefaultMaxBody || len(resp.Body) < 2 || resp.Body[0] != 0x1f || resp.Body[1] != 0x8b {
		t.Fatalf("the body was changed or not capped: %d bytes starting %x", len(resp.Body), resp.Body[:min(2, len(resp.Body))])
	}
}

func TestHostileDump(t *testing.T) {
	if os.Getenv("HOSTILE_DUMP") == "" {
		t.Skip("set HOSTILE_DUMP")
	}
	for _, b := range hostile.Behaviours() {
		if !strings.Contains(b.Name, os.Getenv("HOSTILE_DUMP")) {
			continue
		}
		t.Run(b.Name, func(t *testing.T) {
			leakCheck(t)
			start := time.Now()
			rs := runHostile(t, b, nil)
			t.Logf("%s took %s", b.Name, time.Since(start))
			for _, r := range rs {
				if r.Status != checks.Pass && r.Status != checks.Info {
					t.Logf("%s", describe(r))
				}
			}
		})
	}
}

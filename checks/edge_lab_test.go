package checks_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/lab"
	"github.com/lyncprobe/lyncprobe/lab/labtest"
)

// runEdge starts the lab with faults, lets bend change the loaded config,
// and runs the edge module alone.
func runEdge(t *testing.T, bend func(*config.Deployment), faults ...string) []checks.Result {
	t.Helper()
	_, dep := labtest.Start(t, lab.Options{Faults: labtest.Faults(t, faults...)})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if bend != nil {
		bend(dep)
	}
	return checks.Run(ctx, dep, checks.Options{Only: []string{"edge"}})
}

// edgeFind is the result of id whose Via starts with via ("" = any).
func edgeFind(t *testing.T, rs []checks.Result, id, via string) checks.Result {
	t.Helper()
	for _, r := range rs {
		if r.ID == id && strings.HasPrefix(r.Via, via) {
			return r
		}
	}
	t.Fatalf("no %s result via %q in %v", id, via, rs)
	return checks.Result{}
}

func TestEdgeHealthyLab(t *testing.T) {
	t.Parallel()
	rs := runEdge(t, nil)
	if len(rs) != 6 {
		t.Errorf("want 6 edge results (access 443 and 5061, webconf, av UDP and TCP, summary), got %d", len(rs))
	}
	for _, r := range rs {
		if r.Status != checks.Pass && r.Status != checks.Info {
			t.Errorf("healthy: %s", describe(r))
		}
	}
	if r := edgeFind(t, rs, "edge.av", "udp"); !strings.Contains(r.Message, "answers MS-TURN: the Allocate drew the authentication challenge") {
		t.Errorf("udp: %s", r.Message)
	}
	sum := edgeFind(t, rs, "edge.summary", "")
	for _, c := range []string{"sign-in and IM", "federation", "meeting content", "audio/video", "sharing"} {
		if sum.Evidence[c] != "yes" {
			t.Errorf("summary %s = %v, want yes", c, sum.Evidence[c])
		}
	}
}

// Each Edge fault against its check, with what the summary makes of it.
func TestEdgeFaults(t *testing.T) {
	cases := []struct {
		fault, id, via string
		status         checks.Status
		says           string
		capability     string
		state          string
	}{
		{"edge-no-udp", "edge.av", "udp", checks.Warn, "got no answer: audio/video will fall back to TCP", "audio/video", "TCP only"},
		{"edge-cert-missing-sip", "edge.access", "sip_tls", checks.Fail, "does not cover sip.contoso.test", "sign-in and IM", "no"},
		{"edge-no-federation", "edge.access", "federation", checks.Fail, "was refused", "federation", "no"},
		{"edge-no-webconf", "edge.webconf", "address", checks.Fail, "was refused", "meeting content", "no"},
	}
	for _, c := range cases {
		t.Run(c.fault, func(t *testing.T) {
			t.Parallel()
			rs := runEdge(t, nil, c.fault)
			r := edgeFind(t, rs, c.id, c.via)
			if r.Status != c.status || !strings.Contains(r.Message, c.says) {
				t.Errorf("%s: got %s, want %s saying %q", c.fault, describe(r), c.status, c.says)
			}
			if got := edgeFind(t, rs, "edge.summary", "").Evidence[c.capability]; got != c.state {
				t.Errorf("summary %s = %v, want %s", c.capability, got, c.state)
			}
		})
	}
}

// Without an edge key the module says nothing; a role without its FQDN is
// a skip naming the key, and the summary says it was not checked.
func TestEdgeUnconfigured(t *testing.T) {
	t.Parallel()
	if rs := runEdge(t, func(d *config.Deployment) { d.Edge = nil }); len(rs) != 0 {
		t.Errorf("no edge: got %v", rs)
	}
	rs := runEdge(t, func(d *config.Deployment) { d.Edge.WebConf, d.Edge.AV = "", "" })
	for id, key := range map[string]string{"edge.webconf": "edge.webconf is not set", "edge.av": "edge.av is not set"} {
		if r := edgeFind(t, rs, id, ""); r.Status != checks.Skip || !strings.Contains(r.Message, key) {
			t.Errorf("%s: %s", id, describe(r))
		}
	}
	if got := edgeFind(t, rs, "edge.summary", "").Evidence["audio/video"]; got != "not checked" {
		t.Errorf("summary audio/video = %v", got)
	}
}

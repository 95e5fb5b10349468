package bundle_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/bundle"
	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/lab"
	"github.com/lyncprobe/lyncprobe/lab/labtest"
)

// record checks a lab started under o through a Recorder, stops the lab,
// and returns the results and the bundle as written and read back from
// file (ext: ".json" or ".json.gz").
func record(t *testing.T, o lab.Options, ext string) ([]checks.Result, *bundle.Bundle) {
	t.Helper()
	return recordWith(t, o, ext, false)
}

// recordWith is record; twice asks each of the lab's resolvers twice
// (--resolver), so that dns.consistency has resolvers to compare.
func recordWith(t *testing.T, o lab.Options, ext string, twice bool) ([]checks.Result, *bundle.Bundle) {
	t.Helper()
	l, dep := labtest.Start(t, o)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rec := bundle.NewRecorder(checks.Network(), dep)
	opts := checks.Options{CheckTimeout: 45 * time.Second, Source: rec}
	if twice {
		opts.Resolvers = append(slices.Clone(dep.DNS.Resolvers), dep.DNS.Resolvers...)
	}
	rs := checks.Run(ctx, dep, opts)
	rec.Close()
	recorded, err := rec.Bundle(ctx, dep, opts, bundle.Info{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	l.Close() // the replay has no lab to reach
	path := filepath.Join(t.TempDir(), "bundle"+ext)
	if err := bundle.Write(path, recorded); err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Read(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	return rs, b
}

// replay judges b again.
func replay(t *testing.T, b *bundle.Bundle) []checks.Result {
	t.Helper()
	dep, err := b.Deployment()
	if err != nil {
		t.Fatalf("the recorded config does not parse: %v", err)
	}
	src, err := b.Source()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return checks.Run(ctx, dep, b.CheckOptions(src))
}

// comparable is what must be identical between a run and its replay: every
// field but the duration, evidence after a JSON round trip (as a report
// reader sees it).
func comparable(t *testing.T, rs []checks.Result) []string {
	t.Helper()
	out := make([]string, len(rs))
	for i, r := range rs {
		ev, err := json.Marshal(r.Evidence)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = strings.Join([]string{r.ID, r.Status.String(), r.Target, r.Via, r.Message, r.Remedy, string(ev)}, " | ")
	}
	return out
}

func sameResults(t *testing.T, live, replayed []checks.Result) {
	t.Helper()
	a, b := comparable(t, live), comparable(t, replayed)
	if slices.Equal(a, b) {
		return
	}
	for i := range max(len(a), len(b)) {
		switch {
		case i >= len(a):
			t.Errorf("replay only: %s", b[i])
		case i >= len(b):
			t.Errorf("live only: %s", a[i])
		case a[i] != b[i]:
			t.Errorf("result %d differs:\n live:   %s\n replay: %s", i, a[i], b[i])
		}
	}
}

// TestReplayOfEveryFault: every lab fault, and the healthy lab, recorded
// and replayed with the lab gone, gives the same results.
func TestReplayOfEveryFault(t *testing.T) {
	// ECDSA certificates halve the lab's handshake CPU; the healthy lab
	// keeps RSA, as real proxies mostly serve it.
	cases := map[string]lab.Options{"healthy": {}, "healthy x2 cookie": {Nodes: 2, LB: "cookie", ECDSA: true}}
	for _, f := range lab.Faults {
		cases[f.Name+"="+f.Example] = lab.Options{Faults: []lab.FaultSpec{{Name: f.Name, Arg: f.Example}}, ECDSA: true}
	}
	for name, o := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ext := ".json"
			if len(name)%2 == 0 { // both forms, over the table
				ext = ".json.gz"
			}
			live, b := record(t, o, ext)
			sameResults(t, live, replay(t, b))
		})
	}
}

// TestReplayRunsEveryCheck drives every check of the registry from a
// recorded healthy lab, with no network: each gives a real verdict (not
// an error, not "not in the bundle").
func TestReplayRunsEveryCheck(t *testing.T) {
	t.Parallel()
	// Two resolvers, two nodes and Office Web Apps: every check applies.
	live, b := recordWith(t, lab.Options{OWA: true, Nodes: 2, LB: "cookie"}, ".json", true)
	rs := replay(t, b)
	sameResults(t, live, rs)
	ran := map[string]bool{}
	for _, r := range rs {
		ran[r.ID] = true
		if r.Status == checks.Error || strings.Contains(r.Message, "not in the bundle") {
			t.Errorf("%s %s %s: %s", r.Status, r.ID, r.Target, r.Message)
		}
	}
	for _, c := range checks.Registry() {
		if c.Inputs&checks.InputNetwork != 0 && !ran[c.ID] {
			t.Errorf("%s did not run on the replay", c.ID)
		}
	}
}

// TestMissingFactIsAnError: a fact the bundle lacks (a newer lyncprobe
// asking more than an older one recorded) makes the check that needs it
// an error naming it, never a pass.
func TestMissingFactIsAnError(t *testing.T) {
	t.Parallel()
	_, b := record(t, lab.Options{}, ".json")
	b.Facts.TLS = nil
	b.Facts.HTTP = b.Facts.HTTP[:len(b.Facts.HTTP)/2]
	rs := replay(t, b)
	byID := map[string][]checks.Result{}
	for _, r := range rs {
		byID[r.ID] = append(byID[r.ID], r)
	}
	for _, id := range []string{"cert.chain", "cert.san-coverage", "cert.expiry"} {
		if len(byID[id]) == 0 {
			t.Fatalf("no %s result", id)
		}
		for _, r := range byID[id] {
			if r.Status != checks.Error || !strings.Contains(r.Message, "not in the bundle") {
				t.Errorf("%s without its handshake: %s %s", id, r.Status, r.Message)
			}
		}
	}
	for _, r := range rs {
		if strings.Contains(r.Message, "not in the bundle") && r.Status != checks.Error && !strings.Contains(r.Message, "depends on") {
			t.Errorf("%s: %s %s", r.ID, r.Status, r.Message)
		}
	}
}

package checks_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/lab"
	"github.com/lyncprobe/lyncprobe/lab/labtest"
	"github.com/lyncprobe/lyncprobe/probe"
)

// zoneLiveAndOffline checks the lab under o with the dns module, live, then
// offline against the zones its resolvers serve, written to files.
func zoneLiveAndOffline(t *testing.T, o lab.Options) (live, offline []checks.Result) {
	t.Helper()
	l, dep := labtest.Start(t, o)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	live = checks.Run(ctx, dep, checks.Options{Only: []string{"dns"}})
	var zones []*probe.Zone
	for i, text := range l.Zones() {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("zone%d.db", i))
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		rrs, err := config.ReadZone(context.Background(), path, dep.SIPDomains[0])
		if err != nil {
			t.Fatalf("the lab's zone does not read back: %v\n%s", err, text)
		}
		z, err := probe.NewZone(path, rrs.Records)
		if err != nil {
			t.Fatal(err)
		}
		zones = append(zones, z)
	}
	offline = checks.Run(ctx, dep, checks.Options{Files: &checks.Files{Zones: zones}})
	return live, offline
}

// zoneVerdicts are the results without their via (a resolver live, a zone
// file offline), in report order.
func zoneVerdicts(rs []checks.Result) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = fmt.Sprintf("%s %s %s", r.ID, r.Target, r.Status)
	}
	return out
}

func isDNSFault(f lab.FaultInfo) bool {
	return slices.ContainsFunc(f.Must, func(m lab.Expect) bool { return strings.HasPrefix(m.ID, "dns.") })
}

// TestZoneGivesLiveVerdicts: for every DNS fault, the zones the lab serves,
// written to disk, give offline the verdicts the live run gives; the
// healthy zone gives no finding.
func TestZoneGivesLiveVerdicts(t *testing.T) {
	cases := map[string]lab.Options{"healthy": {}}
	for _, f := range lab.Faults {
		if isDNSFault(f) {
			spec := lab.FaultSpec{Name: f.Name, Arg: f.Example}
			cases[spec.String()] = lab.Options{Faults: []lab.FaultSpec{spec}}
		}
	}
	if len(cases) < 2 {
		t.Fatal("no DNS fault in the table")
	}
	for name, o := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			live, offline := zoneLiveAndOffline(t, o)
			for _, f := range lab.Faults {
				if len(o.Faults) == 0 || f.Name != o.Faults[0].Name {
					continue
				}
				for _, m := range f.Must {
					if !slices.ContainsFunc(offline, func(r checks.Result) bool { return matches(r, m) }) {
						t.Errorf("offline: no %s %s for %s", m.ID, m.Status, m.Target)
					}
				}
			}
			if got, want := strings.Join(zoneVerdicts(offline), "\n"), strings.Join(zoneVerdicts(live), "\n"); got != want {
				t.Errorf("offline verdicts differ from live:\n--- live\n%s\n--- offline\n%s", want, got)
			}
			for _, r := range offline {
				if !strings.HasPrefix(r.Via, "zone ") && r.Via != "" {
					t.Errorf("offline result via %q, want a zone file: %s", r.Via, describe(r))
				}
				if len(o.Faults) == 0 && r.Status != checks.Pass && r.Status != checks.Info {
					t.Errorf("healthy zone: %s", describe(r))
				}
			}
		})
	}
}

package bundle_test

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lyncprobe/lyncprobe/bundle"
	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/lab"
)

var update = flag.Bool("update", false, "record the lab bundles of testdata/bundles again")

// keptDir holds recorded runs and their results: regression cases that
// pin real-software verdicts (nginx-healthy, recorded by the e2e suite)
// and lab faults' without starting anything.
const keptDir = "../testdata/bundles"

// keptLabFaults are recorded by `go test ./bundle -run TestKeptBundles -update`.
var keptLabFaults = []string{"expired-cert", "no-affinity", "revoked-cert"}

// kept is a result as the kept files hold it (the e2e suite's fields).
type kept struct {
	ID      string `json:"id"`
	Target  string `json:"target"`
	Via     string `json:"via"`
	Status  string `json:"status"`
	Message string `json:"message"`
	Remedy  string `json:"remedy"`
	Proxy   string `json:"proxy"`
}

func keptOf(rs []checks.Result) []kept {
	out := make([]kept, len(rs))
	for i, r := range rs {
		out[i] = kept{r.ID, r.Target, r.Via, r.Status.String(), r.Message, r.Remedy, r.Proxy}
	}
	return out
}

// TestKeptBundles replays every bundle of testdata/bundles to the results
// kept beside it.
func TestKeptBundles(t *testing.T) {
	if *update {
		for _, f := range keptLabFaults {
			recordKept(t, f)
		}
	}
	bundles, err := filepath.Glob(filepath.Join(keptDir, "*.json.gz"))
	if err != nil || len(bundles) == 0 {
		t.Fatalf("no kept bundles in %s: %v", keptDir, err)
	}
	for _, path := range bundles {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			b, err := bundle.Read(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			var want []kept
			data, err := os.ReadFile(strings.TrimSuffix(path, ".json.gz") + ".want.json")
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			got := keptOf(replay(t, b))
			if !reflect.DeepEqual(got, want) {
				for i := range max(len(got), len(want)) {
					if i >= len(got) || i >= len(want) || got[i] != want[i] {
						t.Errorf("result %d:\n got:  %+v\n want: %+v", i, at(got, i), at(want, i))
					}
				}
			}
		})
	}
}

func at(ks []kept, i int) any {
	if i < len(ks) {
		return ks[i]
	}
	return "(none)"
}

// recordKept records a lab fault's run into testdata/bundles.
func recordKept(t *testing.T, fault string) {
	live, b := record(t, lab.Options{Faults: []lab.FaultSpec{{Name: fault}}}, ".json.gz")
	base := filepath.Join(keptDir, "lab-"+fault)
	if err := bundle.Write(base+".json.gz", b); err != nil {
		t.Fatal(err)
	}
	want, err := json.MarshalIndent(keptOf(live), "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(base+".want.json", append(want, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

package fleet_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/fleet"
	"github.com/lyncprobe/lyncprobe/lab/labtest"
	"github.com/lyncprobe/lyncprobe/result"
)

// startLab starts a lab with the faults and writes its config as name.yaml
// in dir.
func startLab(t testing.TB, dir, name string, faults ...string) {
	t.Helper()
	labtest.Deployment(t, dir, name, faults...)
}

func TestFleetRunsEachDeploymentAndKeepsOrder(t *testing.T) {
	dir := t.TempDir()
	startLab(t, dir, "healthy")
	startLab(t, dir, "faulty", "missing-dns=dialin")
	if err := os.WriteFile(filepath.Join(dir, "broken.yml"), []byte("name: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a config"), 0o644)
	paths, err := fleet.Expand([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	ds := fleet.Run(context.Background(), paths, fleet.Options{Parallel: 2, Timeout: 30 * time.Second})
	if len(ds) != 3 || ds[0].Name != "broken" || ds[1].Name != "faulty" || ds[2].Name != "healthy" {
		t.Fatalf("deployments = %v, want broken, faulty, healthy (sorted file names)", names(ds))
	}
	if ds[0].Err == nil || len(ds[0].Results) != 0 {
		t.Errorf("broken.yml: err = %v, %d results; want a load error and no results", ds[0].Err, len(ds[0].Results))
	}
	if got := statusOf(ds[1], "dns.resolves", "dialin.contoso.test"); got != result.Fail {
		t.Errorf("faulty: dns.resolves dialin = %v, want fail", got)
	}
	for _, r := range ds[2].Results {
		if r.Status != result.Pass && r.Status != result.Info {
			t.Errorf("healthy: %s %s %s = %s: %s", r.ID, r.Target, r.Via, r.Status, r.Message)
		}
	}
	seen := map[[4]string]bool{}
	for _, d := range ds {
		for _, r := range d.Results {
			if r.Deployment != d.Name {
				t.Errorf("%s result %s carries deployment %q", d.Name, r.ID, r.Deployment)
			}
			k := [4]string{r.Deployment, r.ID, r.Target, r.Via}
			if seen[k] {
				t.Errorf("duplicate result %v", k)
			}
			seen[k] = true
		}
	}
	if n := fleet.LoadFailures(ds); n != 1 {
		t.Errorf("LoadFailures = %d with one broken config", n)
	}
}

func TestDuplicateNameIsALoadError(t *testing.T) {
	full := filepath.Join("..", "testdata", "config", "full.yaml")
	_, ds := fleet.Load([]string{full, full})
	if ds[0].Err != nil {
		t.Fatalf("first config: %v", ds[0].Err)
	}
	if ds[1].Err == nil || !strings.Contains(ds[1].Err.Error(), "already used") {
		t.Fatalf("second config named %q: err = %v, want the name already used", ds[1].Name, ds[1].Err)
	}
}

func TestExpandRejectsEmptyFolder(t *testing.T) {
	if _, err := fleet.Expand([]string{t.TempDir()}); err == nil {
		t.Error("an empty folder expanded without error")
	}
}

func names(ds []fleet.Deployment) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Name)
	}
	return out
}

func statusOf(d fleet.Deployment, id, target string) result.Status {
	for _, r := range d.Results {
		if r.ID == id && r.Target == target {
			return r.Status
		}
	}
	return -1
}

// TestRunOneSuppressesAndOneLabels: the single-deployment path (RunOne,
// what `lyncprobe check -c file` calls) applies the config's ignore rules
// and leaves the deployment name off; One, the fleet's and the exporter's
// path, is the same run with each result labelled.
func TestRunOneSuppressesAndOneLabels(t *testing.T) {
	path := labtest.Deployment(t, t.TempDir(), "faulty", "missing-dns=dialin")
	dep, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	dep.Ignore = []config.Ignore{{ID: "dns.resolves", Target: "dialin.contoso.test", Reason: "known"}}
	o := fleet.Options{Timeout: 30 * time.Second, Check: checks.Options{Only: []string{"dns"}}}
	for _, run := range []struct {
		name  string
		label string
		fn    func(context.Context, *config.Deployment, fleet.Options) ([]result.Result, time.Duration)
	}{{"RunOne", "", fleet.RunOne}, {"One", "faulty", fleet.One}} {
		rs, _ := run.fn(context.Background(), dep, o)
		found := false
		for _, r := range rs {
			if r.Deployment != run.label {
				t.Errorf("%s: %s carries deployment %q, want %q", run.name, r.ID, r.Deployment, run.label)
			}
			if r.ID == "dns.resolves" && r.Target == "dialin.contoso.test" {
				found = true
				if r.Status != result.Fail || !r.Suppressed || r.SuppressionReason != "known" {
					t.Errorf("%s: dns.resolves dialin = %s suppressed=%v (%q), want a suppressed fail", run.name, r.Status, r.Suppressed, r.SuppressionReason)
				}
			}
		}
		if !found {
			t.Errorf("%s: no dns.resolves result for dialin", run.name)
		}
	}
}

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lyncprobe/lyncprobe/lab/labtest"
)

// fleetLab starts a lab (with the faults) and writes its config as
// dir/name.yaml.
func fleetLab(t *testing.T, dir, name string, faults ...string) string {
	t.Helper()
	return labtest.Deployment(t, dir, name, faults...)
}

func TestFleetJSONAndExitCodes(t *testing.T) {
	dir := t.TempDir()
	a := fleetLab(t, dir, "alpha")
	b := fleetLab(t, dir, "beta")
	ios, out, errOut := testIO()
	// The test is about verdicts and exit codes, not speed: on a loaded
	// two-core machine the default 10 s per check is not always enough
	// for two labs at once (the Edge checks ended "check timeout").
	slow := []string{"--check-timeout", "2m"}
	if code := run(context.Background(), append([]string{"check", "-c", a, "-c", b, "--format", "json"}, slow...), ios); code != 0 {
		t.Fatalf("two healthy labs: exit %d, stderr %s\nresults that are not pass or info:\n%s", code, errOut, notGreen(out.String()))
	}
	var doc struct {
		Summary     map[string]int `json:"summary"`
		Deployments []struct {
			Name    string           `json:"name"`
			Summary map[string]int   `json:"summary"`
			Results []map[string]any `json:"results"`
		} `json:"deployments"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Deployments) != 2 || doc.Deployments[0].Name != "alpha" || doc.Deployments[1].Name != "beta" {
		t.Fatalf("deployments = %+v, want alpha then beta", doc.Deployments)
	}
	d0 := doc.Deployments[0]
	if len(d0.Results) == 0 || d0.Results[0]["deployment"] != "alpha" || d0.Summary["pass"] == 0 {
		t.Errorf("alpha: %d results, first %v, summary %v", len(d0.Results), d0.Results[0], d0.Summary)
	}
	if doc.Summary["pass"] != d0.Summary["pass"]+doc.Deployments[1].Summary["pass"] {
		t.Errorf("overall pass %d is not the sum of the deployments'", doc.Summary["pass"])
	}

	fleetLab(t, dir, "gamma", "missing-dns=dialin")
	ios, out, errOut = testIO()
	if code := run(context.Background(), append([]string{"check", "-c", dir, "--format", "jsonl", "--parallel", "2"}, slow...), ios); code != 1 {
		t.Fatalf("folder with a faulty lab: exit %d, want 1; stderr %s\nresults that are not pass or info:\n%s", code, errOut, notGreen(out.String()))
	}
	seen := map[string]int{}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		var r struct{ Deployment, ID, Target, Status string }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		seen[r.Deployment]++
		if r.Deployment == "gamma" && r.ID == "dns.resolves" && r.Target == "dialin.contoso.test" && r.Status != "fail" {
			t.Errorf("gamma dns.resolves dialin = %s, want fail", r.Status)
		}
	}
	if len(seen) != 3 || seen["gamma"] == 0 {
		t.Errorf("jsonl lines per deployment = %v, want alpha, beta and gamma", seen)
	}

	os.WriteFile(filepath.Join(dir, "zz-broken.yaml"), []byte("name: [\n"), 0o644)
	ios, out, errOut = testIO()
	if code := run(context.Background(), []string{"check", "-c", dir, "--only", "dns"}, ios); code != 2 {
		t.Fatalf("folder with a broken config: exit %d, want 2; stderr %s\nreport:\n%s", code, errOut, out)
	}
	text := out.String()
	for _, want := range []string{"== lyncprobe check: alpha", "config.load", "Deployments:", "  gamma: "} {
		if !strings.Contains(text, want) {
			t.Errorf("text report lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(errOut.String(), "1 of 4 configs did not load") {
		t.Errorf("stderr = %q, want it to count the configs that did not load", errOut)
	}
}

// notGreen lists the results of a json or jsonl fleet report that are not
// pass or info, one per line, so that a failing exit code says which
// check caused it.
func notGreen(report string) string {
	var rs []map[string]any
	var doc struct {
		Deployments []struct {
			Results []map[string]any `json:"results"`
		} `json:"deployments"`
	}
	if json.Unmarshal([]byte(report), &doc) == nil {
		for _, d := range doc.Deployments {
			rs = append(rs, d.Results...)
		}
	} else {
		for _, line := range strings.Split(report, "\n") {
			var r map[string]any
			if json.Unmarshal([]byte(line), &r) == nil {
				rs = append(rs, r)
			}
		}
	}
	var b strings.Builder
	for _, r := range rs {
		if r["status"] != "pass" && r["status"] != "info" {
			fmt.Fprintf(&b, "  %v %v %v %v [%v]: %v\n", r["deployment"], r["status"], r["id"], r["target"], r["via"], r["message"])
		}
	}
	if b.Len() == 0 {
		return "  (none: the report was not JSON)\n" + report
	}
	return b.String()
}

package exporter_test

import (
	"os/exec"

	"encoding/json"
	"github.com/lyncprobe/lyncprobe/config"
	"go.yaml.in/yaml/v3"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// exportedMetrics scrapes a real lab through the exporter, /probe and
// /metrics, and returns every metric family name it saw: the truth the
// shipped dashboard and manifests are held to.
func exportedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	dir := t.TempDir()
	startLab(t, dir, "contoso")
	_, ts := startServer(t, dir)
	names := map[string]bool{}
	for name := range scrape(t, ts, "contoso", "all") {
		names[name] = true
	}
	_, body := get(t, ts, "/metrics")
	for name := range parseMetrics(t, strings.NewReader(body), "/metrics") {
		names[name] = true
	}
	return names
}

// TestDashboardQueriesNameExportedMetrics loads the Grafana dashboard and
// checks that every lyncprobe_ metric its queries use is one the exporter
// really exports, so that a renamed metric cannot leave a blank panel.
func TestDashboardQueriesNameExportedMetrics(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(docsDir, "grafana-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
		Templating struct{ List []struct{ Query any } }
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("grafana-dashboard.json: %v", err)
	}
	var exprs []string
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			exprs = append(exprs, q.Expr)
		}
	}
	for _, v := range dash.Templating.List {
		if s, ok := v.Query.(string); ok {
			exprs = append(exprs, s)
		}
	}
	exported := exportedMetrics(t)
	metric := regexp.MustCompile(`lyncprobe_[a-z_]+`)
	used := 0
	for _, e := range exprs {
		for _, m := range metric.FindAllString(e, -1) {
			used++
			if !exported[m] {
				t.Errorf("dashboard query %q uses %s, which the exporter does not export", e, m)
			}
		}
	}
	if used < 6 {
		t.Errorf("the dashboard uses %d lyncprobe metrics; its panels are meant to cover status, certificates, affinity and durations", used)
	}
}

// TestKubernetesManifests checks the shipped manifests: a ConfigMap whose
// deployment files load, a Deployment that runs serve on the Service's
// port, a Service, and a scrape config promtool accepts.
func TestKubernetesManifests(t *testing.T) {
	dir := filepath.Join(docsDir, "kubernetes")
	f, err := os.Open(filepath.Join(dir, "lyncprobe.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kinds := map[string]bool{}
	dec := yaml.NewDecoder(f)
	for {
		var doc struct {
			Kind string
			Data map[string]string
			Spec struct {
				Template struct {
					Spec struct{ Containers []struct{ Args []string } }
				}
			}
		}
		if err := dec.Decode(&doc); err != nil {
			break
		}
		kinds[doc.Kind] = true
		for name, body := range doc.Data {
			if _, err := config.Parse([]byte(body), name); err != nil {
				t.Errorf("ConfigMap %s does not load: %v", name, err)
			}
		}
		for _, c := range doc.Spec.Template.Spec.Containers {
			if strings.Join(c.Args, " ") != "serve --listen 0.0.0.0:9436 --config /etc/lyncprobe/" {
				t.Errorf("container args %q", c.Args)
			}
		}
	}
	for _, k := range []string{"ConfigMap", "Deployment", "Service"} {
		if !kinds[k] {
			t.Errorf("lyncprobe.yaml has no %s", k)
		}
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not installed (apt-get install prometheus): the scrape config is not checked")
	}
	if out, err := exec.Command(promtool, "check", "config", filepath.Join(dir, "prometheus.yml")).CombinedOutput(); err != nil {
		t.Errorf("promtool check config: %v\n%s", err, out)
	}
}

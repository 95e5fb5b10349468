package exporter_test

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/lyncprobe/lyncprobe/lab/labtest"
	dto "github.com/prometheus/client_model/go"
)

// TestSuppressedResultsFireNoShippedAlert probes one faulty lab as two
// deployments: "broken", and "accepted", whose config suppresses every
// check that fails. Both probes' real output is fed to promtool for an
// hour against the shipped rules: "broken" fires LyncHostForwardingBroken,
// "accepted" fires nothing.
func TestSuppressedResultsFireNoShippedAlert(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not installed (apt-get install prometheus)")
	}
	dir := t.TempDir()
	path := labtest.Deployment(t, dir, "broken", "no-host-forward")
	_, ts := startServer(t, dir)
	broken := scrape(t, ts, "broken", "http")
	failed := failingChecks(broken)
	if !failed["http.host-forwarding"] {
		t.Fatalf("no-host-forward lab: http.host-forwarding does not fail:\n%s", exposition(broken))
	}
	writeAccepted(t, path, filepath.Join(dir, "accepted.yaml"), failed)
	if resp, err := ts.Client().Post(ts.URL+"/-/reload", "", nil); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("reload with the accepted deployment: %v %v", resp, err)
	}
	accepted := scrape(t, ts, "accepted", "http")
	hf := map[string]string{"check": "http.host-forwarding", "status": "fail"}
	if v := value(accepted, "lyncprobe_check_status", hf); v != 0 {
		t.Errorf("accepted: http.host-forwarding status=fail = %v, want 0", v)
	}
	if v := value(accepted, "lyncprobe_check_status", map[string]string{"check": "http.host-forwarding", "status": "suppressed"}); v != 1 {
		t.Errorf("accepted: http.host-forwarding status=suppressed = %v, want 1:\n%s", v, exposition(accepted))
	}

	rules, err := filepath.Abs(filepath.Join(docsDir, "lyncprobe-alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	test := fmt.Sprintf(`rule_files: [%q]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
%s%s    promql_expr_test:
      - expr: count by (alertname) (ALERTS{alertstate="firing", instance="accepted"})
        eval_time: 60m
        exp_samples: []
      - expr: count by (alertname) (ALERTS{alertstate="firing", instance="broken", alertname="LyncHostForwardingBroken"})
        eval_time: 60m
        exp_samples:
          - labels: '{alertname="LyncHostForwardingBroken"}'
            value: %d
`, rules, inputSeries("accepted", accepted), inputSeries("broken", broken), count(broken, "lyncprobe_check_status", hf))
	file := filepath.Join(t.TempDir(), "suppressed.test.yml")
	os.WriteFile(file, []byte(test), 0o644)
	if out, err := exec.Command(promtool, "test", "rules", file).CombinedOutput(); err != nil {
		t.Errorf("promtool test rules: %v\n%s\naccepted's probe:\n%s", err, out, exposition(accepted))
	}
}

// failingChecks are the checks with a fail or error series at 1.
func failingChecks(mfs map[string]*dto.MetricFamily) map[string]bool {
	out := map[string]bool{}
	for _, m := range mfs["lyncprobe_check_status"].GetMetric() {
		l := labelsOf(m)
		if m.GetGauge().GetValue() == 1 && (l["status"] == "fail" || l["status"] == "error") {
			out[l["check"]] = true
		}
	}
	return out
}

// writeAccepted writes the config at from as the deployment "accepted",
// with an ignore rule for each check.
func writeAccepted(t *testing.T, from, to string, ids map[string]bool) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.Replace(string(b), `name: "broken"`, `name: "accepted"`, 1) + "ignore:\n"
	for _, id := range sortedKeys(ids) {
		cfg += fmt.Sprintf("  - id: %s\n    reason: accepted for this test\n", id)
	}
	if err := os.WriteFile(to, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func labelsOf(m *dto.Metric) map[string]string {
	l := map[string]string{}
	for _, lp := range m.GetLabel() {
		l[lp.GetName()] = lp.GetValue()
	}
	return l
}

// inputSeries turns a probe's lyncprobe_ gauges into promtool input
// series, steady for an hour, labelled as the shipped scrape config's
// relabelling does (instance = the deployment).
func inputSeries(instance string, mfs map[string]*dto.MetricFamily) string {
	var b strings.Builder
	for _, name := range sortedFamilies(mfs) {
		for _, m := range mfs[name].GetMetric() {
			l := labelsOf(m)
			l["job"], l["instance"] = "lyncprobe", instance
			var pairs []string
			for _, k := range sortedStrings(l) {
				pairs = append(pairs, fmt.Sprintf("%s=%q", k, l[k]))
			}
			v := strconv.FormatFloat(m.GetGauge().GetValue(), 'g', -1, 64)
			fmt.Fprintf(&b, "      - series: '%s{%s}'\n        values: '%sx60'\n", name, strings.Join(pairs, ","), v)
		}
	}
	return b.String()
}

func sortedFamilies(mfs map[string]*dto.MetricFamily) []string {
	var out []string
	for n, mf := range mfs {
		if strings.HasPrefix(n, "lyncprobe_") && mf.GetType() == dto.MetricType_GAUGE {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func sortedStrings(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// count is the number of series of name with these labels at 1.
func count(mfs map[string]*dto.MetricFamily, name string, labels map[string]string) int {
	n := 0
next:
	for _, m := range mfs[name].GetMetric() {
		l := labelsOf(m)
		for k, v := range labels {
			if l[k] != v {
				continue next
			}
		}
		if m.GetGauge().GetValue() == 1 {
			n++
		}
	}
	return n
}

// exposition shows a probe's findings for a failure message.
func exposition(mfs map[string]*dto.MetricFamily) string {
	var out []string
	for _, name := range sortedFamilies(mfs) {
		for _, m := range mfs[name].GetMetric() {
			if name == "lyncprobe_check_status" && m.GetGauge().GetValue() == 0 {
				continue
			}
			out = append(out, fmt.Sprintf("%s%v %v", name, labelsOf(m), m.GetGauge().GetValue()))
		}
	}
	return strings.Join(out, "\n")
}

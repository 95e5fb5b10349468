package exporter_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/prometheus/common/model"
)

const docsDir = "../docs/prometheus"

// TestPrometheusDocsArePromtoolValid runs promtool (Debian package
// prometheus) on the example scrape config and alert rules, and the rules'
// unit tests (a suppressed finding fires nothing, the same unaccepted does).
func TestPrometheusDocsArePromtoolValid(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not installed (apt-get install prometheus): the docs' config and rules are not checked")
	}
	for _, args := range [][]string{
		{"check", "config", filepath.Join(docsDir, "prometheus.yml")},
		{"check", "rules", filepath.Join(docsDir, "lyncprobe-alerts.yml")},
		{"test", "rules", filepath.Join(docsDir, "lyncprobe-alerts.test.yml")},
	} {
		if out, err := exec.Command(promtool, args...).CombinedOutput(); err != nil {
			t.Errorf("promtool %v: %v\n%s", args, err, out)
		}
	}
}

// TestAlertRulesNameRealChecksAndMetrics keeps the rules true when checks
// or metrics are renamed.
func TestAlertRulesNameRealChecksAndMetrics(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(docsDir, "lyncprobe-alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, c := range checks.Registry() {
		known[c.ID] = true
	}
	for _, m := range regexp.MustCompile(`check="([a-z.-]+)"`).FindAllStringSubmatch(string(b), -1) {
		if !known[m[1]] {
			t.Errorf("alert rules name check %q, which the registry lacks", m[1])
		}
	}
	metrics := map[string]bool{"lyncprobe_check_status": true, "lyncprobe_check_duration_seconds": true,
		"lyncprobe_cert_not_after_timestamp_seconds": true, "lyncprobe_affinity_backends": true,
		"lyncprobe_probe_success": true, "lyncprobe_probe_duration_seconds": true, "lyncprobe_deployments": true,
		"lyncprobe_config_last_reload_successful": true, "lyncprobe_config_last_reload_success_timestamp_seconds": true,
		"lyncprobe_build_info": true, "lyncprobe_probes_running": true, "lyncprobe_probes_waiting": true}
	for _, m := range regexp.MustCompile(`lyncprobe_[a-z_]+`).FindAllString(string(b), -1) {
		if !metrics[m] {
			t.Errorf("alert rules use metric %s, which the exporter does not export", m)
		}
	}
}

// TestExampleScrapeIntervalsStayUnderTheLookback: a scrape interval of
// Prometheus' 5m lookback or more makes the series vanish between scrapes.
func TestExampleScrapeIntervalsStayUnderTheLookback(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(docsDir, "prometheus.yml"))
	if err != nil {
		t.Fatal(err)
	}
	ms := regexp.MustCompile(`scrape_interval:\s*(\S+)`).FindAllStringSubmatch(string(b), -1)
	if len(ms) == 0 {
		t.Fatal("the example sets no scrape_interval")
	}
	for _, m := range ms {
		d, err := model.ParseDuration(m[1])
		if err != nil || time.Duration(d) > 4*time.Minute {
			t.Errorf("scrape_interval %s: want well under the 5m lookback (%v)", m[1], err)
		}
	}
}

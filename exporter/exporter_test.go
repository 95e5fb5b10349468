package exporter_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/exporter"
	"github.com/lyncprobe/lyncprobe/lab/labtest"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// startLab starts a lab with the faults and writes its config as
// dir/name.yaml; the lab stops when the test ends.
func startLab(t testing.TB, dir, name string, faults ...string) {
	t.Helper()
	labtest.Deployment(t, dir, name, faults...)
}

func startServer(t testing.TB, dir string) (*exporter.Server, *httptest.Server) {
	t.Helper()
	return startServerWith(t, exporter.Options{Paths: []string{dir}, EnableLifecycle: true})
}

func startServerWith(t testing.TB, o exporter.Options) (*exporter.Server, *httptest.Server) {
	t.Helper()
	s, err := exporter.New(o)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return s, ts
}

func get(t testing.TB, ts *httptest.Server, path string) (int, string) {
	t.Helper()
	resp, err := ts.Client().Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// scrape probes one deployment and parses the exposition.
func scrape(t testing.TB, ts *httptest.Server, target, module string) map[string]*dto.MetricFamily {
	t.Helper()
	code, body := get(t, ts, "/probe?target="+url.QueryEscape(target)+"&module="+module)
	if code != http.StatusOK {
		t.Fatalf("probe %s: HTTP %d: %s", target, code, body)
	}
	return parseMetrics(t, strings.NewReader(body), "probe "+target)
}

// value is the gauge or counter with these labels, or -1 when there is none.
func value(mfs map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	mf := mfs[name]
	if mf == nil {
		return -1
	}
next:
	for _, m := range mf.Metric {
		got := map[string]string{}
		for _, lp := range m.Label {
			got[lp.GetName()] = lp.GetValue()
		}
		for k, v := range labels {
			if got[k] != v {
				continue next
			}
		}
		if c := m.GetCounter(); c != nil {
			return c.GetValue()
		}
		return m.GetGauge().GetValue()
	}
	return -1
}

func TestProbeHealthyAndFaultyDeployments(t *testing.T) {
	dir := t.TempDir()
	startLab(t, dir, "healthy")
	startLab(t, dir, "faulty", "missing-dns=dialin")
	_, ts := startServer(t, dir)

	h := scrape(t, ts, "healthy", "all")
	if v := value(h, "lyncprobe_probe_success", nil); v != 1 {
		t.Errorf("healthy: lyncprobe_probe_success = %v, want 1", v)
	}
	dialin := map[string]string{"deployment": "healthy", "check": "dns.resolves", "target": "dialin.contoso.test"}
	if v := value(h, "lyncprobe_check_status", with(dialin, "status", "pass")); v != 1 {
		t.Errorf("healthy: dns.resolves dialin status=pass = %v, want 1", v)
	}
	if v := value(h, "lyncprobe_check_status", with(dialin, "status", "fail")); v != 0 {
		t.Errorf("healthy: dns.resolves dialin status=fail = %v, want 0", v)
	}
	na := value(h, "lyncprobe_cert_not_after_timestamp_seconds", map[string]string{"deployment": "healthy", "name": "webext.contoso.test"})
	if na < float64(time.Now().Unix()) {
		t.Errorf("healthy: cert not_after for webext = %v, want a time in the future", na)
	}
	if v := value(h, "lyncprobe_affinity_backends", map[string]string{"deployment": "healthy", "target": "webext.contoso.test"}); v < 1 {
		t.Errorf("healthy: lyncprobe_affinity_backends for webext = %v, want at least 1", v)
	}
	if value(h, "lyncprobe_probe_duration_seconds", nil) <= 0 {
		t.Error("healthy: no lyncprobe_probe_duration_seconds")
	}

	f := scrape(t, ts, "faulty", "dns")
	if v := value(f, "lyncprobe_probe_success", nil); v != 0 {
		t.Errorf("faulty: lyncprobe_probe_success = %v, want 0", v)
	}
	dialin["deployment"] = "faulty"
	if v := value(f, "lyncprobe_check_status", with(dialin, "status", "fail")); v != 1 {
		t.Errorf("faulty: dns.resolves dialin status=fail = %v, want 1", v)
	}
	if v := value(f, "lyncprobe_check_status", with(dialin, "status", "pass")); v != 0 {
		t.Errorf("faulty: dns.resolves dialin status=pass = %v, want 0", v)
	}
	if _, ok := f["lyncprobe_cert_not_after_timestamp_seconds"]; ok {
		t.Error("module=dns ran the cert module")
	}

	if _, page := get(t, ts, "/"); !strings.Contains(page, "healthy") || !strings.Contains(page, "dialin.contoso.test") {
		t.Errorf("status page lacks the deployments or the faulty one's finding:\n%s", page)
	}
}

func with(m map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for a, b := range m {
		out[a] = b
	}
	return out
}

func TestProbeRejectsUnknownTargetAndModule(t *testing.T) {
	dir := t.TempDir()
	startLab(t, dir, "one")
	_, ts := startServer(t, dir)
	if code, body := get(t, ts, "/probe?target=nope"); code != http.StatusBadRequest || !strings.Contains(body, `unknown target "nope"`) {
		t.Errorf("unknown target: HTTP %d %q, want 400 naming it", code, body)
	}
	for _, m := range []string{"bogus", "proxy"} {
		code, body := get(t, ts, "/probe?target=one&module="+m)
		if code != http.StatusBadRequest || !strings.Contains(body, "all") || !strings.Contains(body, "dns") || strings.Contains(body, "proxy,") || strings.Contains(body, "proxy ") {
			t.Errorf("module %s: HTTP %d %q, want 400 listing the modules /probe takes (all, not proxy)", m, code, body)
		}
	}
	code, body := get(t, ts, "/probe?target=one&module=dns&debug=true")
	if code != http.StatusOK || !strings.Contains(body, "lyncprobe check: one") || !strings.Contains(body, "dns.resolves") {
		t.Errorf("debug: HTTP %d:\n%s", code, body)
	}
}

func TestReloadRejectsABadConfigAndKeepsTheOld(t *testing.T) {
	dir := t.TempDir()
	startLab(t, dir, "one")
	_, ts := startServer(t, dir)
	bad := filepath.Join(dir, "two.yaml")
	os.WriteFile(bad, []byte("name: [\n"), 0o644)
	resp, err := ts.Client().Post(ts.URL+"/-/reload", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("reload with a bad config: HTTP %d, want 400", resp.StatusCode)
	}
	if _, m := get(t, ts, "/metrics"); !strings.Contains(m, "lyncprobe_config_last_reload_successful 0") || !strings.Contains(m, "process_") || !strings.Contains(m, "lyncprobe_build_info{") {
		t.Errorf("/metrics after a rejected reload:\n%s", grep(m, "lyncprobe_"))
	}
	if v := value(scrape(t, ts, "one", "dns"), "lyncprobe_probe_success", nil); v != 1 {
		t.Errorf("probe after a rejected reload: success %v, want the old config still in use", v)
	}
	os.Remove(bad)
	resp, err = ts.Client().Post(ts.URL+"/-/reload", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, m := get(t, ts, "/metrics"); resp.StatusCode != http.StatusOK || !strings.Contains(m, "lyncprobe_config_last_reload_successful 1") {
		t.Errorf("reload after the fix: HTTP %d:\n%s", resp.StatusCode, grep(m, "lyncprobe_"))
	}
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// parseMetrics parses a text exposition (what names it in a failure).
func parseMetrics(t testing.TB, r io.Reader, what string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(r)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return mfs
}

package exporter_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/exporter"
	dto "github.com/prometheus/client_model/go"
)

// TestConcurrentScrapesShareOneRun: 20 scrapes of one target and module
// at once execute one run and all answer with its results.
func TestConcurrentScrapesShareOneRun(t *testing.T) {
	dir := t.TempDir()
	startLab(t, dir, "a", "missing-dns=dialin")
	_, ts := startServerWith(t, exporter.Options{Paths: []string{dir}, ResultCache: time.Hour})
	var wg sync.WaitGroup
	got := make([]float64, 20)
	for i := range got {
		wg.Go(func() {
			mfs := scrape(t, ts, "a", "dns")
			got[i] = value(mfs, "lyncprobe_probe_success", nil)
		})
	}
	wg.Wait()
	for i, v := range got {
		if v != 0 {
			t.Errorf("scrape %d: lyncprobe_probe_success = %v, want 0 (dialin's records are missing)", i, v)
		}
	}
	self := scrapeSelf(t, ts.URL)
	if v := value(self, "lyncprobe_probe_runs_total", nil); v != 1 {
		t.Errorf("lyncprobe_probe_runs_total = %v after 20 concurrent scrapes, want 1", v)
	}
	if v := value(self, "lyncprobe_probe_coalesced_scrapes_total", nil); v != 19 {
		t.Errorf("lyncprobe_probe_coalesced_scrapes_total = %v, want 19", v)
	}
	// Another module is another run.
	scrape(t, ts, "a", "cert")
	if v := value(scrapeSelf(t, ts.URL), "lyncprobe_probe_runs_total", nil); v != 2 {
		t.Errorf("lyncprobe_probe_runs_total = %v after a scrape of another module, want 2", v)
	}
}

// TestScrapesJoinARunUnderWay: without a result cache, scrapes that
// arrive while a run is under way join it rather than start their own.
// The lab never answers, so the run lasts until the scrapes leave.
func TestScrapesJoinARunUnderWay(t *testing.T) {
	dir := t.TempDir()
	stalledLab(t, dir, "stalled")
	_, ts := startServerWith(t, stalledOptions(dir))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	for range 20 {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/probe?target=stalled&module=dns", nil)
			if resp, err := ts.Client().Do(req); err == nil {
				resp.Body.Close()
			}
		})
	}
	untilMetric(t, ts.URL, "lyncprobe_probe_coalesced_scrapes_total 19")
	untilMetric(t, ts.URL, "lyncprobe_probe_runs_total 1")
	untilMetric(t, ts.URL, "lyncprobe_probes_running 1")
}

func scrapeSelf(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return parseMetrics(t, resp.Body, "/metrics")
}

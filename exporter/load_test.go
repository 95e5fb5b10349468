package exporter_test

import (
	"context"
	"net/http"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/lab"
	"go.uber.org/goleak"
)

// heap is the live heap after a collection.
func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestConcurrentScrapesLeakNothing scrapes 100 times, 10 at once, and
// checks that no goroutine outlives the server and the heap does not grow
// with the number of scrapes.
func TestConcurrentScrapesLeakNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("100 probes of two labs")
	}
	// Registered first, so it runs last: after the server and labs stop.
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
	dir := t.TempDir()
	startLab(t, dir, "a")
	startLab(t, dir, "b", "missing-dns=dialin")
	_, ts := startServer(t, dir)
	targets := []string{"a", "b"}
	// Every module in turn: all of them, at every scrape, would take
	// minutes on a small machine under -race.
	modules := []string{"dns", "cert", "http", "all", "edge", "affinity", "dns"}
	batch := func(n int) {
		sem := make(chan struct{}, 10)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				scrape(t, ts, targets[i%2], modules[i%len(modules)])
			}()
		}
		wg.Wait()
	}
	batch(10) // warm up: pools, the status page's entries, the TLS caches
	before := heap()
	batch(100)
	after := heap()
	t.Logf("heap after 10 scrapes %d KiB, after 110 %d KiB", before/1024, after/1024)
	if after > before+16<<20 {
		t.Errorf("heap grew by %d KiB over 100 scrapes: something keeps every probe", (after-before)/1024)
	}
	ts.Client().CloseIdleConnections()
	ts.Close()
}

func TestProbeHonoursScrapeTimeout(t *testing.T) {
	dir := t.TempDir()
	l, err := lab.Start(context.Background(), lab.Options{Latency: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	if err := l.WriteConfigAs(filepath.Join(dir, "slow.yaml"), "slow"); err != nil {
		t.Fatal(err)
	}
	_, ts := startServer(t, dir)
	req, _ := http.NewRequest("GET", ts.URL+"/probe?target=slow&module=dns", nil)
	// 0.7s less the 0.5s offset: every DNS answer of the lab takes 1s.
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "0.7")
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	mfs := parseMetrics(t, resp.Body, "probe slow")
	if v := value(mfs, "lyncprobe_probe_success", nil); v != 0 {
		t.Errorf("probe cut at 0.2s against 1s DNS answers: success = %v, want 0", v)
	}
	if v := value(mfs, "lyncprobe_check_status", map[string]string{"check": "dns.resolves", "status": "error"}); v != 1 {
		t.Errorf("dns.resolves status=error = %v, want 1 (the run's deadline ended it)", v)
	}
}

package exporter_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lyncprobe/lyncprobe/exporter"
	"github.com/lyncprobe/lyncprobe/lab"
	"go.uber.org/goleak"
)

// soakScrapes is how many scrapes each of the soak's scrapers makes: a
// count, not a duration, so the test does the same work on any machine.
// bench/soak runs the same shape for minutes.
const soakScrapes = 25

// TestSoakDeadAndLiveLabs scrapes a live lab and a stopped one from four
// scrapers at once through the real server: every scrape is answered,
// nothing panics, and once the server stops, every goroutine it started
// has ended. Issue 19's crash came after thousands of probes of a dead
// deployment; this is its bounded form, run by CI.
func TestSoakDeadAndLiveLabs(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) }) // runs last
	before := runtime.NumGoroutine()
	dir := t.TempDir()
	startLab(t, dir, "live")
	dead, err := lab.Start(context.Background(), lab.Options{})
	if err != nil {
		t.Fatal(err)
	}
	keepDeadConfig(t, dead, dir)
	s, err := exporter.New(exporter.Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	addr, stop := serving(t, s, nil)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	// Every module of the dead deployment (each fails fast); the live
	// one's cheap modules mostly, as its http and all take 100 ms and
	// more each under -race.
	modules := map[string][]string{"dead": {"dns", "cert", "http", "edge", "affinity", "all"},
		"live": {"dns", "cert", "edge", "dns", "cert", "http"}}
	var answered, failed atomic.Int64
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range soakScrapes {
				target := []string{"dead", "live"}[(w+i)%2]
				module := modules[target][(w+i/2)%len(modules[target])]
				if err := soakScrape(client, addr, target, module); err != nil {
					failed.Add(1)
					t.Errorf("scraper %d, scrape %d: %v", w, i, err)
					continue
				}
				answered.Add(1)
			}
		})
	}
	wg.Wait()
	client.CloseIdleConnections()
	if err := stop(); err != nil {
		t.Errorf("Serve after the soak: %v", err)
	}
	t.Logf("%d scrapes answered, %d failed; goroutines: %d before, %d after the soak (goleak checks the rest)",
		answered.Load(), failed.Load(), before, runtime.NumGoroutine())
}

func soakScrape(c *http.Client, addr, target, module string) error {
	resp, err := c.Get("http://" + addr + "/probe?target=" + target + "&module=" + module)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s/%s: HTTP %d: %s", target, module, resp.StatusCode, b)
	}
	return nil
}

// keepDeadConfig writes l's config as dir/dead.yaml with copies of the
// files it names (CA, certificates), which Close removes, then stops l:
// a deployment configured as it was, with nothing answering.
func keepDeadConfig(t *testing.T, l *lab.Lab, dir string) {
	t.Helper()
	labDir := filepath.Dir(l.ConfigPath)
	files := filepath.Join(dir, "dead-files")
	if err := os.CopyFS(files, os.DirFS(labDir)); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(t.TempDir(), "dead.yaml")
	if err := l.WriteConfigAs(tmp, "dead"); err != nil {
		t.Fatal(err)
	}
	l.Close()
	b, err := os.ReadFile(tmp)
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.ReplaceAll(string(b), labDir, files)
	if err := os.WriteFile(filepath.Join(dir, "dead.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
}

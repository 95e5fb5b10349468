package exporter_test

import (
	"context"
	"github.com/lyncprobe/lyncprobe/internal/fifotest"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/exporter"
	"github.com/lyncprobe/lyncprobe/lab"
)

// hang is longer than any test: a probe of a stalled lab under it ends
// only when something cancels it.
const hang = time.Hour

// stalledLab starts a lab whose every answer takes an hour and writes its
// config as dir/name.yaml.
func stalledLab(t *testing.T, dir, name string) {
	t.Helper()
	l, err := lab.Start(context.Background(), lab.Options{Latency: hang})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	if err := l.WriteConfigAs(filepath.Join(dir, name+".yaml"), name); err != nil {
		t.Fatal(err)
	}
}

// stalledOptions probe dir with nothing but cancellation to end a probe.
func stalledOptions(dir string) exporter.Options {
	return exporter.Options{Paths: []string{dir}, Timeout: hang, ReloadTimeout: hang,
		Check: checks.Options{CheckTimeout: hang}}
}

// serving runs s.Serve on a loopback listener until stop is called; stop
// returns what Serve returned.
func serving(t *testing.T, s *exporter.Server, hup chan os.Signal) (addr string, stop func() error) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, l, hup) }()
	stopped := false
	stop = func() error {
		cancel()
		if stopped {
			return nil
		}
		stopped = true
		select {
		case err := <-done:
			return err
		case <-time.After(time.Minute): // a hang detector, not a margin
			t.Fatal("Serve did not return a minute after its context ended")
			return nil
		}
	}
	t.Cleanup(func() { stop() })
	return l.Addr().String(), stop
}

// untilMetric polls /metrics until the line is there: the server's own
// account of what it is doing, not a sleep.
func untilMetric(t *testing.T, base, line string) {
	t.Helper()
	for i := 0; ; i++ {
		resp, err := http.Get(base + "/metrics")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(b), "\n"+line+"\n") {
				return
			}
			if i == 3000 {
				t.Fatalf("/metrics never showed %q:\n%s", line, grep(string(b), "lyncprobe_"))
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestGracefulStopCancelsProbesInFlight: ending Serve's context while a
// probe waits on a stalled deployment cancels the probe, which still
// answers (probe_success 0), and Serve returns no error (exit 0).
func TestGracefulStopCancelsProbesInFlight(t *testing.T) {
	dir := t.TempDir()
	stalledLab(t, dir, "stalled")
	s, err := exporter.New(stalledOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	addr, stop := serving(t, s, nil)
	base := "http://" + addr
	type answer struct {
		code int
		body string
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		resp, err := http.Get(base + "/probe?target=stalled&module=dns")
		if err != nil {
			got <- answer{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- answer{resp.StatusCode, string(b), err}
	}()
	untilMetric(t, base, "lyncprobe_probes_running 1")
	if err := stop(); err != nil {
		t.Errorf("Serve with a probe in flight: %v, want a clean stop", err)
	}
	a := <-got
	if a.err != nil || a.code != http.StatusOK || !strings.Contains(a.body, "lyncprobe_probe_success 0") {
		t.Errorf("the probe in flight at the stop: HTTP %d, err %v, want its cancelled result:\n%s", a.code, a.err, grep(a.body, "lyncprobe_probe"))
	}
}

// TestWaitingProbesAreCapped: with one slot and one waiting place taken,
// a third probe is refused at once instead of joining the queue.
func TestWaitingProbesAreCapped(t *testing.T) {
	dir := t.TempDir()
	stalledLab(t, dir, "stalled")
	o := stalledOptions(dir)
	o.MaxProbes, o.MaxWaiting = 1, 1
	_, ts := startServerWith(t, o)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	for _, m := range []string{"dns", "cert"} { // two modules: one module's scrapes would share a run
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/probe?target=stalled&module="+m, nil)
			if resp, err := ts.Client().Do(req); err == nil {
				resp.Body.Close()
			}
		})
	}
	untilMetric(t, ts.URL, "lyncprobe_probes_waiting 1")
	code, body := get(t, ts, "/probe?target=stalled&module=http")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "too many probes") {
		t.Errorf("third probe with 1 running and 1 waiting: HTTP %d %q, want 503 at once", code, body)
	}
}

// TestCallerCannotLengthenTheProbe: a scrape-timeout header of 1e9
// seconds gets the configured Timeout, so a probe of a stalled
// deployment ends.
func TestCallerCannotLengthenTheProbe(t *testing.T) {
	dir := t.TempDir()
	stalledLab(t, dir, "stalled")
	o := stalledOptions(dir)
	o.Timeout = 300 * time.Millisecond
	_, ts := startServerWith(t, o)
	req, _ := http.NewRequest("GET", ts.URL+"/probe?target=stalled&module=dns", nil)
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "1e9")
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "lyncprobe_probe_success 0") {
		t.Errorf("probe under a 1e9 s header and --timeout 300ms: HTTP %d:\n%s", resp.StatusCode, grep(string(b), "lyncprobe_probe"))
	}
}

// TestReloadOverHTTPIsOptIn: without EnableLifecycle, POST /-/reload is
// refused and the configs stay as they are.
func TestReloadOverHTTPIsOptIn(t *testing.T) {
	dir := t.TempDir()
	startLab(t, dir, "one")
	_, ts := startServerWith(t, exporter.Options{Paths: []string{dir}})
	os.WriteFile(filepath.Join(dir, "two.yaml"), []byte("name: [\n"), 0o644)
	resp, err := ts.Client().Post(ts.URL+"/-/reload", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(b), "--web.enable-lifecycle") {
		t.Errorf("POST /-/reload without --web.enable-lifecycle: HTTP %d %q, want 403 naming the flag", resp.StatusCode, b)
	}
	if _, m := get(t, ts, "/metrics"); !strings.Contains(m, "lyncprobe_config_last_reload_successful 1") {
		t.Errorf("a refused reload request reloaded:\n%s", grep(m, "lyncprobe_config"))
	}
}

// TestFIFOConfigIsRefusedAtOnce: a FIFO among the configs is refused by
// name when it is read, not waited on (the reload's time is an hour), and
// the configs in use stay. On main before config read regular files only,
// the reload hung on the FIFO's open.
func TestFIFOConfigIsRefusedAtOnce(t *testing.T) {
	dir := t.TempDir()
	startLab(t, dir, "one")
	s, err := exporter.New(stalledOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "two.yaml")
	if err := fifotest.Make(fifo); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Reload(context.Background()) }()
	select {
	case err = <-done:
	case <-time.After(time.Minute): // a hang detector, not a margin
		f, _ := os.OpenFile(fifo, os.O_RDWR, 0) // lets a blocked open through
		defer f.Close()
		t.Fatal("a reload with a FIFO among the configs waited on it")
	}
	if err == nil || !strings.Contains(err.Error(), "two.yaml") || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("reload with a FIFO among the configs: %v, want an error naming two.yaml as not a regular file", err)
	}
	if got := s.Deployments(); len(got) != 1 || got[0] != "one" {
		t.Errorf("after the rejected reload the deployments are %v, want [one]", got)
	}
}

// TestConnectionsAreCapped: with MaxConns 1 and one idle connection
// held, another connection is not served; it is once the first closes.
func TestConnectionsAreCapped(t *testing.T) {
	dir := t.TempDir()
	startLab(t, dir, "one")
	o := exporter.Options{Paths: []string{dir}, MaxConns: 1}
	s, err := exporter.New(o)
	if err != nil {
		t.Fatal(err)
	}
	addr, _ := serving(t, s, nil)
	held, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	// The held connection is accepted before the next: it has made a
	// request, so the server holds it.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if _, err := held.Write([]byte("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := held.Read(make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	client.Timeout = 300 * time.Millisecond
	if resp, err := client.Get("http://" + addr + "/metrics"); err == nil {
		resp.Body.Close()
		t.Fatalf("a second connection was served while the only one allowed was held (HTTP %d)", resp.StatusCode)
	}
	held.Close()
	client.Timeout = time.Minute
	resp, err := client.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatalf("after the held connection closed: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("after the held connection closed: HTTP %d", resp.StatusCode)
	}
}

package exporter_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/lyncprobe/lyncprobe/exporter"
)

// TestServeReloadsOnHUPAndShutsDown runs Serve on a real listener: a
// SIGHUP with a broken config is rejected, and ending the context shuts
// the server down cleanly.
func TestServeReloadsOnHUPAndShutsDown(t *testing.T) {
	dir := t.TempDir()
	startLab(t, dir, "one")
	s, err := exporter.New(exporter.Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	hup := make(chan os.Signal)
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, l, hup) }()

	os.WriteFile(filepath.Join(dir, "two.yaml"), []byte("name: [\n"), 0o644)
	hup <- syscall.SIGHUP // unbuffered: taken once Serve is in its loop
	hup <- syscall.SIGHUP // ... and this one once the first reload is done
	resp, err := http.Get("http://" + l.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "lyncprobe_config_last_reload_successful 0") || !strings.Contains(string(body), "lyncprobe_deployments 1") {
		t.Errorf("after SIGHUP with a broken config:\n%s", grep(string(body), "lyncprobe_"))
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve after the context ended: %v, want a clean shutdown", err)
	}
}

//go:build unix

package checks

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lyncprobe/lyncprobe/internal/fifotest"
)

// TestFileReadsInsideARunHonourItsContext: the files checks read during
// a run (tls.ca_file, tls.backend_ca_file, a certificate file a proxy
// configuration names) are
// read under the run's context: once it has ended (Ctrl-C, --timeout)
// nothing more is read.
func TestFileReadsInsideARunHonourItsContext(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, []byte("www 3600 IN A 192.0.2.1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := readCertQuiet(ctx, file); !errors.Is(err, context.Canceled) {
		t.Errorf("readCertQuiet under an ended context: %v, want context.Canceled", err)
	}
	if bt := loadBackendRoots(ctx, Network(), file); bt.pool != nil || !strings.Contains(bt.note, "context canceled") {
		t.Errorf("loadBackendRoots under an ended context: %+v, want no pool and a note naming the cancel", bt)
	}
}

// TestProxyNamedCertificateFileRegularOnly: a certificate file a proxy
// configuration names is read only if it is a regular file: a FIFO or a
// device is refused by name, never opened for reading.
func TestProxyNamedCertificateFileRegularOnly(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "rp.pem")
	if err := fifotest.Make(fifo); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	for _, path := range []string{fifo, "/dev/zero"} {
		if _, err := readCertQuiet(context.Background(), path); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("readCertQuiet(%s): %v, want not a regular file", path, err)
		}
	}
}

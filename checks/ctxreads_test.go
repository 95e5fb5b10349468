package checks

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFileReadsInsideARunHonourItsContext: the files checks read during
// a run (tls.ca_file, tls.backend_ca_file, a certificate file a proxy
// configuration names, the zone file validate locates findings in) are
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
	if bt := loadBackendRoots(ctx, file); bt.pool != nil || !strings.Contains(bt.note, "context canceled") {
		t.Errorf("loadBackendRoots under an ended context: %+v, want no pool and a note naming the cancel", bt)
	}
	if lines := zoneOwnerLines(ctx, file, "contoso.com"); len(lines) != 0 {
		t.Errorf("zoneOwnerLines under an ended context read the file: %v", lines)
	}
	if lines := zoneOwnerLines(context.Background(), file, "contoso.com"); lines["www.contoso.com."] != 1 && lines["www.contoso.com"] != 1 {
		t.Errorf("zoneOwnerLines read no owner from the file: %v", lines)
	}
}

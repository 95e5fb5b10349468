//go:build unix

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/fleet"
	"github.com/lyncprobe/lyncprobe/internal/fifotest"
)

// runBounded runs the CLI in-process and fails the test instead of
// hanging when a fix is gone (a FIFO would block for ever).
func runBounded(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ios, out, errOut := testIO()
	done := make(chan int, 1)
	go func() { done <- run(context.Background(), args, ios) }()
	select {
	case code = <-done:
	case <-time.After(30 * time.Second): // only reached when a bound is gone
		t.Fatalf("lyncprobe %s is still running", strings.Join(args, " "))
	}
	return code, out.String(), errOut.String()
}

// Issue 19 item 5: an empty certificate file is a clear error naming it,
// not "internal error in cert.san-coverage: index out of range [0]".
func TestCertInspectEmptyFile(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"empty.pem", "blank.pem"} {
		path := filepath.Join(dir, name)
		body := ""
		if name == "blank.pem" {
			body = "\n\n"
		}
		os.WriteFile(path, []byte(body), 0o600)
		code, out, errOut := runBounded(t, "cert", "inspect", "--name", "meet.contoso.com", path)
		if code != exitTool || !strings.Contains(errOut, "no certificate in "+path) || strings.Contains(out+errOut, "internal error") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d and \"no certificate in %s\"", name, code, out, errOut, exitTool, path)
		}
	}
}

// Issue 19 items 2 and 4 at the command line: a FIFO or a device as the
// config, a zone file or a certificate is refused by name at once, and a
// zone file that is an environment does not print it.
func TestOfflineInputsAreBounded(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := fifotest.Make(fifo); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	cfg := filepath.Join(dir, "lyncprobe.yaml")
	os.WriteFile(cfg, []byte("sip_domains: [contoso.com]\nweb_services: [{external: webext.contoso.com}]\n"+
		"simple_urls: {meet: [https://meet.contoso.com], dialin: https://dialin.contoso.com}\n"), 0o600)
	t.Setenv("LYNCPROBE_TEST_SECRET", "hunter2-environ") // must not show through /proc/self/environ
	env := filepath.Join(dir, "environ")
	os.WriteFile(env, []byte("PATH=/usr/bin\x00CI_SECRET_TOKEN=hunter2-5ecret\x00"), 0o600)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"cert", "inspect", "--name", "meet.contoso.com", fifo}, fifo + ": not a regular file"},
		{[]string{"cert", "inspect", "--name", "meet.contoso.com", "/dev/zero"}, "/dev/zero: not a regular file"},
		{[]string{"check", "-c", cfg, "--zone-file", fifo}, "--zone-file " + fifo + ": cannot read it: not a regular file"},
		{[]string{"check", "-c", fifo}, fifo + ": cannot read config file: not a regular file"},
		{[]string{"validate", "-c", fifo}, fifo + ": cannot read config file: not a regular file"},
		{[]string{"diff", fifo, fifo}, fifo + ": not a regular file"},
		{[]string{"diff", "/dev/zero", "/dev/zero"}, "/dev/zero: not a regular file"},
		{[]string{"check", "-c", cfg, "--zone-file", env}, env + ":1: not a TTL: a "},
		{[]string{"check", "-c", cfg, "--zone-file", "/proc/self/environ"}, "--zone-file /proc/self/environ: cannot read it: not a regular file: it holds more than its size says"},
	} {
		code, out, errOut := runBounded(t, c.args...)
		if code != exitTool || !strings.Contains(errOut, c.want) {
			t.Errorf("lyncprobe %s: exit %d, stderr %q; want exit %d and %q", strings.Join(c.args, " "), code, errOut, exitTool, c.want)
		}
		if strings.Contains(out+errOut, "hunter2") {
			t.Errorf("lyncprobe %s printed the file's secret: %s", strings.Join(c.args, " "), out+errOut)
		}
	}
}

// Issue 19 item 4: validate and cert inspect read under --timeout as
// check does; a deadline already past reads nothing and says which
// setting ran out.
func TestOfflineCommandsHonourTimeout(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "lyncprobe.yaml")
	os.WriteFile(cfg, []byte("sip_domains: [contoso.com]\nweb_services: [{external: webext.contoso.com}]\n"+
		"simple_urls: {meet: [https://meet.contoso.com], dialin: https://dialin.contoso.com}\n"), 0o600)
	for _, args := range [][]string{
		{"validate", "-c", cfg, "--timeout", "1ns"},
		{"cert", "inspect", "--name", "meet.contoso.com", "--timeout", "1ns", cfg},
		{"cert", "inspect", "-c", cfg, "--timeout", "1ns", cfg},
	} {
		code, out, errOut := runBounded(t, args...)
		if code != exitTool || !strings.Contains(errOut, "deadline exceeded (--timeout 1ns ran out)") {
			t.Errorf("lyncprobe %s: exit %d, stdout %q, stderr %q; want exit %d naming --timeout", strings.Join(args, " "), code, out, errOut, exitTool)
		}
	}
	for _, args := range [][]string{{"validate", "-c", cfg, "--timeout", "0s"}, {"cert", "inspect", "-c", cfg, "--timeout", "-1s"}} {
		if code, _, errOut := runBounded(t, args...); code != exitTool || !strings.Contains(errOut, "--timeout must be positive") {
			t.Errorf("lyncprobe %s: exit %d, stderr %q; want a usage error", strings.Join(args, " "), code, errOut)
		}
	}
}

// A fleet report locates each result in the config as it was loaded for
// the run, not by reading the file again after the run (that read was
// under no --timeout, and a file swapped for a FIFO meanwhile hung it).
func TestFleetLocatesWithoutReadingAgain(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")
	os.WriteFile(good, []byte("name: a\nsip_domains: [contoso.com]\nweb_services: [{external: webext.contoso.com}]\n"+
		"simple_urls: {meet: [https://meet.contoso.com], dialin: https://dialin.contoso.com}\n"), 0o600)
	os.WriteFile(bad, []byte("name: [\n"), 0o600)
	deps, ds := fleet.LoadContext(context.Background(), []string{good, bad})
	if deps[0] == nil || ds[0].Config != deps[0] || ds[1].Config != nil {
		t.Fatalf("fleet.LoadContext: Config %v and %v, want the loaded config and nil", ds[0].Config, ds[1].Config)
	}
	for _, p := range []string{good, bad} {
		os.Remove(p)
		if err := fifotest.Make(p); err != nil {
			t.Skip("no FIFOs here:", err)
		}
	}
	locate := locateInFleet(ds)
	done := make(chan [2]*checks.Location, 1)
	go func() {
		done <- [2]*checks.Location{
			locate(checks.Result{Deployment: "a", Target: "https://meet.contoso.com"}),
			locate(checks.Result{Deployment: ds[1].Name, Target: "x"}),
		}
	}()
	select {
	case got := <-done:
		if got[0] == nil || got[0].Line != 4 || got[1] == nil || got[1].Line != 1 {
			t.Errorf("locations %+v and %+v, want a.yaml line 4 and b.yaml line 1", got[0], got[1])
		}
	case <-time.After(30 * time.Second): // only reached when a config is read again
		t.Fatal("locating a result read its config again (a FIFO now)")
	}
}

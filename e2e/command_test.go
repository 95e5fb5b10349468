//go:build unix

package e2e

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/lab"
)

// TestLabFrontEndsCommand is the staging recipe of docs/LAB.md with the built
// binary: `lyncprobe lab frontends --proxy-cert`, real nginx in front of
// the front ends it prints, dnsmasq, and a check that finds nothing wrong.
func TestLabFrontEndsCommand(t *testing.T) {
	nginx := proxies[0]
	dir := t.TempDir()
	s := site{Dir: dir, Port: freePort(t, "127.0.0.1"), Names: publishedNames}
	out := startFrontEndsCommand(t, "--listen", "127.0.0.21:4443", "--listen", "127.0.0.22:4443",
		"--public-port", itoa(s.Port), "--proxy-cert", "--dir", filepath.Join(dir, "fe"))
	s.Backends = []string{out["fe01.pool01.contoso.local"], out["fe02.pool01.contoso.local"]}
	cert := lab.ProxyCert{ChainFile: out["proxy certificate"], KeyFile: out["proxy key"], RootFile: out["public root (tls.ca_file)"]}
	s.ChainFile, s.KeyFile = cert.ChainFile, cert.KeyFile
	dnsAddr := startDNS(t, dir, append(publishedNames, "sip."+domain), false)
	conf := startProxy(t, nginx, s, publishing{})
	cfg := writeConfig(t, dir, s, dnsAddr, out["internal CA"], cert, nginx.Family, conf, "sfb2019")
	all := run(t, "check", "-c", cfg, "--only", "dns,cert,http,affinity", "--format", "json")
	assertVerdict(t, "check", bad(all), nil, nil)
	assertPasses(t, all, []string{"http.host-forwarding", "affinity.join-flow"})
}

// startFrontEndsCommand runs the command until the test ends and reads
// what it prints: "NAME ADDR" per front end and "LABEL: PATH" per file.
func startFrontEndsCommand(t *testing.T, args ...string) map[string]string {
	cmd := exec.Command(lyncprobeBin, append([]string{"lab", "frontends"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
	printed := make(chan map[string]string, 1)
	go func() { printed <- readPrinted(stdout) }()
	select {
	case out := <-printed:
		if len(out) < 6 {
			t.Fatalf("lyncprobe lab frontends printed too little: %v", out)
		}
		return out
	case <-time.After(30 * time.Second):
		t.Fatal("lyncprobe lab frontends printed nothing in 30s")
	}
	return nil
}

func readPrinted(r io.Reader) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "Ctrl-C") {
			break
		}
		if label, path, ok := strings.Cut(line, ": "); ok {
			out[label] = path
		} else if f := strings.Fields(line); len(f) == 2 {
			out[f[0]] = f[1]
		}
	}
	go io.Copy(io.Discard, r)
	return out
}

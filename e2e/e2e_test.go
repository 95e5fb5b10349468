//go:build unix

// Package e2e proves lyncprobe against real reverse proxies (nginx,
// HAProxy, Apache httpd) and a real DNS server (dnsmasq) from Debian's
// packages, in front of the lab's emulated front ends (lab.StartFrontEnds).
// It runs only with LYNCPROBE_E2E=1 (.ci/run sets it); a missing binary
// skips the suite, or fails it under CI=true. Each server runs as the
// current user on loopback, from a config written into the test's temp
// dir, and is killed by t.Cleanup.
//
//	LYNCPROBE_E2E=1 go test ./e2e/            # compare docs/E2E.md
//	LYNCPROBE_E2E=1 go test ./e2e/ -update    # rewrite it
package e2e

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite docs/E2E.md from this run")

// lyncprobeBin is the binary built once by TestMain.
var lyncprobeBin string

func TestMain(m *testing.M) {
	flag.Parse()
	if os.Getenv("LYNCPROBE_E2E") != "1" {
		fmt.Println("e2e: skipped (set LYNCPROBE_E2E=1 to run lyncprobe against real nginx, HAProxy, Apache and dnsmasq)")
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "lyncprobe-e2e-")
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	lyncprobeBin = filepath.Join(dir, "lyncprobe")
	build := exec.Command("go", "build", "-o", lyncprobeBin, "../cmd/lyncprobe")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Println("e2e: build lyncprobe:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// binary finds a server binary (Debian puts them in /usr/sbin, often not
// on a user's PATH); without it the test skips, or fails under CI=true.
func binary(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, d := range []string{"/usr/sbin", "/usr/local/sbin", "/sbin"} {
		if p := filepath.Join(d, name); isExec(p) {
			return p
		}
	}
	msg := fmt.Sprintf("%s not installed (Debian: apt-get install nginx-light haproxy apache2 dnsmasq-base; .ci/run does)", name)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func isExec(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// freePort is a TCP port free on ip now (the server binds it moments later).
func freePort(t *testing.T, ip string) int {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// freePortBoth is a TCP port free on 127.0.0.1 and on [::1] now; a
// machine without an IPv6 loopback skips the test.
func freePortBoth(t *testing.T) int {
	t.Helper()
	if ln, err := net.Listen("tcp", "[::1]:0"); err != nil {
		t.Skipf("no IPv6 loopback here (%v): the dual-stack row needs [::1]", err)
	} else {
		ln.Close()
	}
	for range 20 {
		p := freePort(t, "127.0.0.1")
		if ln, err := net.Listen("tcp", net.JoinHostPort("::1", strconv.Itoa(p))); err == nil {
			ln.Close()
			return p
		}
	}
	t.Fatal("no port free on both 127.0.0.1 and [::1]")
	return 0
}

// isRoot: nginx and Apache drop to another user when started as root,
// which could not read the test's temp dir; they are told to stay.
func isRoot() bool { return os.Geteuid() == 0 }

func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return strconv.Itoa(os.Getuid())
}

// start runs a server in the foreground until the test ends, and waits
// until addr accepts TCP connections (polling; the server's exit or its
// log ends the wait early).
func start(t *testing.T, addr, logFile string, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, name, args...)
	// Its own process group, stopped with SIGTERM: nginx and Apache then
	// stop their workers too (SIGKILL to the master alone orphans them).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	out, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // whatever ignored SIGTERM
		out.Close()
		close(exited)
	}()
	t.Cleanup(func() { cancel(); <-exited })
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			t.Fatalf("%s exited before it listened on %s:\n%s", filepath.Base(name), addr, readFile(logFile))
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not listen on %s within 20s:\n%s", filepath.Base(name), addr, readFile(logFile))
}

func readFile(p string) string {
	b, _ := os.ReadFile(p)
	return string(b)
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// startDNS runs dnsmasq as the only resolver of the published zone:
// every host record of hosts (FQDN → 127.0.0.1) and the Edge's SRV
// records; other names under the domain (and each of more, other SIP
// domains with the same Edge) are NXDOMAIN.
func startDNS(t *testing.T, dir string, hosts []string, dualStack bool, more ...string) string {
	bin := binary(t, "dnsmasq")
	port := freePort(t, "127.0.0.1")
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	args := []string{"--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-dhcp-interface=",
		"--port=" + strconv.Itoa(port), "--listen-address=127.0.0.1", "--bind-interfaces",
		"--pid-file=" + filepath.Join(dir, "dnsmasq.pid"), "--user=" + currentUser(), "--log-facility=-",
		"--local=/" + domain + "/",
		"--srv-host=_sip._tls." + domain + ",sip." + domain + ",443",
		"--srv-host=_sipfederationtls._tcp." + domain + ",sip." + domain + ",5061"}
	for _, d := range more {
		args = append(args, "--local=/"+d+"/", "--srv-host=_sip._tls."+d+",sip."+d+",443",
			"--srv-host=_sipfederationtls._tcp."+d+",sip."+d+",5061", "--host-record=sip."+d+",127.0.0.1")
	}
	for _, h := range hosts {
		rec := "--host-record=" + h + ",127.0.0.1"
		if dualStack && h != "sip."+domain {
			rec += ",::1" // the published names only: the Edge stays IPv4
		}
		args = append(args, rec)
	}
	start(t, addr, filepath.Join(dir, "dnsmasq.log"), bin, args...)
	return addr
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

func itoa(n int) string { return strconv.Itoa(n) }

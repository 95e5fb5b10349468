package lab

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

func startLab(t *testing.T, o Options) *Lab {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	o.ReuseKeys = true
	l, err := Start(ctx, o)
	if err != nil {
		t.Fatalf("start the lab: %v", err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("close the lab: %v", err)
		}
	})
	return l
}

func certPool(t *testing.T, file string) *x509.CertPool {
	t.Helper()
	pem, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no PEM certificate", file)
	}
	return pool
}

// clientTo sends every request to addr whatever the URL's host, as a
// browser would after resolving the name, trusting only the lab's CA file.
func clientTo(t *testing.T, addr string, tlsConf *tls.Config) *http.Client {
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
		TLSClientConfig:   tlsConf,
		DisableKeepAlives: true,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{
		Transport:     tr,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// proxyClient is a client outside: it reaches the published address.
func proxyClient(t *testing.T, l *Lab) *http.Client {
	return clientTo(t, l.ProxyAddr, &tls.Config{RootCAs: certPool(t, l.CAFile)})
}

// publicURL is how a browser writes a published URL, port included.
func publicURL(l *Lab, host, path string) string {
	return "https://" + host + ":" + strconv.Itoa(l.Port) + path
}

type reply struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, c *http.Client, req *http.Request) reply {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	return reply{resp.StatusCode, resp.Header, string(body)}
}

func get(t *testing.T, c *http.Client, url string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, c, req)
}

func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	l := startLab(t, Options{Nodes: 2, Version: "lync2013", Dir: dir})
	raw, err := os.ReadFile(l.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg := string(raw)
	want := []string{
		"version: lync2013",
		"sip_domains: [contoso.test]",
		"internal: pool01.contoso.local",
		`backends: ["` + l.FrontEnds[0] + `", "` + l.FrontEnds[1] + `"]`,
		"meeting_url: https://meet.contoso.test/alice/LAB0001",
		"port: " + strconv.Itoa(l.Port),
		"http_port: 0",
		`nodes: ["` + l.Nodes[0] + `", "` + l.Nodes[1] + `"]`,
		"access: sip.contoso.test",
		`resolvers: ["` + l.DNSAddr + `"]`,
		"ca_file: ca.pem",
		"backend_ca_file: internal-ca.pem",
	}
	for _, w := range want {
		if !strings.Contains(cfg, w) {
			t.Errorf("config lacks %q:\n%s", w, cfg)
		}
	}
	for _, f := range []string{"ca.pem", "internal-ca.pem", "lyncprobe.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s not written: %v", f, err)
		}
	}
}

func TestOneNodeConfigHasNoNodes(t *testing.T) {
	l := startLab(t, Options{})
	raw, err := os.ReadFile(l.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "nodes:") {
		t.Errorf("a one-node lab lists nodes:\n%s", raw)
	}
	if l.ProxyAddr != l.Nodes[0] {
		t.Errorf("ProxyAddr %s, want the only node %s", l.ProxyAddr, l.Nodes[0])
	}
}

func TestStartRejectsBadOptions(t *testing.T) {
	for name, o := range map[string]Options{
		"unknown fault": {Faults: []FaultSpec{{Name: "no-such-fault"}}},
		"missing arg":   {Faults: []FaultSpec{{Name: "missing-dns"}}},
		"version":       {Version: "ocs2007"},
		"lb":            {LB: "round-robin"},
		"nodes":         {Nodes: -1},
		"latency":       {Latency: -time.Second},
		"addr":          {Addr: "localhost"},
	} {
		t.Run(name, func(t *testing.T) {
			if l, err := Start(context.Background(), o); err == nil {
				l.Close()
				t.Fatal("Start accepted it")
			}
		})
	}
}

func TestStartHonoursCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if l, err := Start(ctx, Options{}); !errors.Is(err, context.Canceled) {
		if l != nil {
			l.Close()
		}
		t.Fatalf("Start with a cancelled context: %v, want context.Canceled", err)
	}
}

// TestCloseLeavesNothing: after Close nothing listens, the temp dir is
// gone and the lab's goroutines have ended.
func TestCloseLeavesNothing(t *testing.T) {
	before := runtime.NumGoroutine()
	l, err := Start(context.Background(), Options{Nodes: 2, Latency: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c := proxyClient(t, l)
	get(t, c, publicURL(l, MeetHost, MeetingPath))
	addrs := append([]string{l.ProxyAddr, l.DNSAddr}, l.Nodes...)
	addrs = append(append(addrs, l.FrontEnds...), l.EdgeAddrs...)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if conn, err := net.DialTimeout("tcp", a, time.Second); err == nil {
			conn.Close()
			t.Errorf("%s still accepts connections after Close", a)
		}
	}
	if _, _, err := (&dns.Client{Timeout: 500 * time.Millisecond}).Exchange(query(MeetHost, dns.TypeA), l.DNSAddr); err == nil {
		t.Errorf("DNS still answers on %s after Close", l.DNSAddr)
	}
	if _, err := os.Stat(l.Dir); !os.IsNotExist(err) {
		t.Errorf("temp dir %s not removed: %v", l.Dir, err)
	}
	c.CloseIdleConnections()
	waitGoroutines(t, before)
}

func waitGoroutines(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > want {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines left, want at most %d:\n%s", runtime.NumGoroutine(), want, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestCloseEndsPendingLatency(t *testing.T) {
	l, err := Start(context.Background(), Options{Latency: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", l.ProxyAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	done := make(chan error, 1)
	go func() { done <- l.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close blocked behind a pending latency pause")
	}
}

func TestLatencyIsAdded(t *testing.T) {
	const lat = 30 * time.Millisecond
	l := startLab(t, Options{Latency: lat})
	start := time.Now()
	if _, _, err := new(dns.Client).Exchange(query(MeetHost, dns.TypeA), l.DNSAddr); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < lat {
		t.Errorf("DNS answered in %v, want at least %v", d, lat)
	}
	start = time.Now()
	get(t, proxyClient(t, l), publicURL(l, DialinHost, "/"))
	// One new connection and one response: two pauses.
	if d := time.Since(start); d < 2*lat {
		t.Errorf("HTTPS answered in %v, want at least %v", d, 2*lat)
	}
}

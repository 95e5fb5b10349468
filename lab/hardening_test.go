package lab

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// served is how many requests the front ends have answered.
func (l *Lab) served() int64 {
	var n int64
	for _, fe := range l.fes {
		n += fe.served.Load()
	}
	return n
}

// rawExchange writes raw bytes on one TLS connection to the proxy and reads
// every response until the proxy closes it (or 5 s pass).
func rawExchange(t *testing.T, l *Lab, raw string) []int {
	t.Helper()
	conn, err := tls.Dial("tcp", l.ProxyAddr, &tls.Config{ServerName: MeetHost, RootCAs: certPool(t, l.CAFile)})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	var statuses []int
	br := bufio.NewReader(conn)
	for {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return statuses
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		statuses = append(statuses, resp.StatusCode)
		if resp.Close {
			return statuses
		}
	}
}

func TestProxyRefusesUnpublishedHosts(t *testing.T) {
	l := startLab(t, Options{})
	before := l.served()
	for _, host := range []string{"evil.example", PoolFQDN, "127.0.0.1", "fe01.pool01.contoso.local"} {
		if resp := rawRequest(t, l, "GET "+MeetingPath+" HTTP/1.1\r\nHost: "+host); resp.StatusCode != http.StatusMisdirectedRequest {
			t.Errorf("Host %s: %d, want 421", host, resp.StatusCode)
		}
	}
	if n := l.served() - before; n != 0 {
		t.Errorf("%d requests for unpublished hosts reached a front end", n)
	}
}

// TestProxySmuggling: a request whose end the proxy and a front end could
// see differently must not reach a front end as two requests.
func TestProxySmuggling(t *testing.T) {
	l := startLab(t, Options{})
	host := "Host: " + MeetHost + "\r\n"
	smuggled := "GET " + MeetingPath + " HTTP/1.1\r\n" + host + "\r\n"
	cases := []struct {
		name, raw  string
		want       int // status of the first answer
		frontEnded int64
	}{
		{"control: two pipelined requests", "POST " + MeetingPath + " HTTP/1.1\r\n" + host + "Content-Length: 3\r\n\r\nabc" +
			"GET " + MeetingPath + " HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n", 200, 2},
		{"CL.TE", "POST " + MeetingPath + " HTTP/1.1\r\n" + host + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled, 411, 0},
		{"TE.CL", "POST " + MeetingPath + " HTTP/1.1\r\n" + host + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n" +
			fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(smuggled), smuggled), 411, 0},
		{"chunked alone", "POST " + MeetingPath + " HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled, 411, 0},
		{"conflicting Content-Length", "POST " + MeetingPath + " HTTP/1.1\r\n" + host + "Content-Length: 3\r\nContent-Length: 40\r\n\r\nabc" + smuggled, 400, 0},
		{"obfuscated Transfer-Encoding", "POST " + MeetingPath + " HTTP/1.1\r\n" + host + "Content-Length: 5\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n" + smuggled, 501, 0},
	}
	for _, c := range cases {
		before := l.served()
		got := rawExchange(t, l, c.raw)
		if len(got) == 0 || got[0] != c.want {
			t.Errorf("%s: answers %v, want the first to be %d", c.name, got, c.want)
		}
		if n := l.served() - before; n != c.frontEnded {
			t.Errorf("%s: %d requests reached a front end, want %d", c.name, n, c.frontEnded)
		}
	}
}

func TestProxyStripsHopByHopHeaders(t *testing.T) {
	l := startLab(t, Options{})
	echo := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var seen []string
		for _, h := range []string{"Connection", "X-Drop-Me", "Keep-Alive", "Proxy-Authorization", "Te", "Upgrade", "X-Keep"} {
			if r.Header.Get(h) != "" {
				seen = append(seen, h)
			}
		}
		fmt.Fprint(w, strings.Join(seen, ","))
	}))
	echo.TLS = serverTLS(l.pki.frontEnd)
	echo.StartTLS()
	defer echo.Close()
	roots := x509.NewCertPool()
	roots.AddCert(l.pki.internalRoot.cert)
	p := newProxyNode("tmg99", []backend{{id: "fe01", addr: echo.Listener.Addr().String()}}, roots, l.pause)
	defer p.transport.CloseIdleConnections()
	req := httptest.NewRequest(http.MethodGet, MeetingPath, nil)
	req.Host = MeetHost
	for k, v := range map[string]string{"Connection": "X-Drop-Me, Keep-Alive", "X-Drop-Me": "1", "Keep-Alive": "300",
		"Proxy-Authorization": "Basic eDp5", "Te": "gzip", "Upgrade": "websocket", "X-Keep": "1"} {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	p.ServeHTTP(w, req)
	if w.Code != 200 || w.Body.String() != "X-Keep" {
		t.Fatalf("%d: the front end saw %q, want only X-Keep", w.Code, w.Body.String())
	}
}

func TestProxyBoundsHeaderFields(t *testing.T) {
	l := startLab(t, Options{})
	var b strings.Builder
	for i := range maxHeaderFields + 1 {
		fmt.Fprintf(&b, "\r\nX-F%d: v", i)
	}
	if resp := rawRequest(t, l, "GET "+MeetingPath+" HTTP/1.1\r\nHost: "+MeetHost+b.String()); resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("%d header fields: %d, want 431", maxHeaderFields+1, resp.StatusCode)
	}
	big := strings.Repeat("a", 70<<10)
	if resp := rawRequest(t, l, "GET "+MeetingPath+" HTTP/1.1\r\nHost: "+MeetHost+"\r\nX-Big: "+big); resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("a 70 KB header: %d, want 431", resp.StatusCode)
	}
}

// TestLabServersAreBounded: every server of the lab has read-header, idle
// and write timeouts and a header size cap, and binds loopback.
func TestLabServersAreBounded(t *testing.T) {
	l := startLab(t, Options{Nodes: 2})
	for i, s := range l.servers {
		if s.ReadHeaderTimeout <= 0 || s.IdleTimeout <= 0 || s.WriteTimeout <= 0 || s.MaxHeaderBytes <= 0 {
			t.Errorf("server %d: read-header %s, idle %s, write %s, header bytes %d", i, s.ReadHeaderTimeout, s.IdleTimeout, s.WriteTimeout, s.MaxHeaderBytes)
		}
	}
	for _, addr := range append(append([]string{l.ProxyAddr, l.DNSAddr}, l.Nodes...), l.FrontEnds...) {
		host, _, _ := net.SplitHostPort(addr)
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			t.Errorf("%s is not a loopback address", addr)
		}
	}
}

// TestProxyCapsConnections holds maxProxyConns idle connections: the next
// one is not served until one of them goes.
func TestProxyCapsConnections(t *testing.T) {
	l := startLab(t, Options{})
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for range maxProxyConns {
		c, err := net.Dial("tcp", l.ProxyAddr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	cfg := &tls.Config{ServerName: MeetHost, RootCAs: certPool(t, l.CAFile)}
	extra, err := net.Dial("tcp", l.ProxyAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	tc := tls.Client(extra, cfg)
	_ = tc.SetDeadline(time.Now().Add(500 * time.Millisecond))
	if err := tc.Handshake(); err == nil {
		t.Fatalf("connection %d was served while %d were held", maxProxyConns+1, maxProxyConns)
	}
	extra.Close() // else it is the next one the proxy accepts
	held[0].Close()
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", l.ProxyAddr, cfg)
	if err != nil {
		t.Fatalf("no connection once one was released: %v", err)
	}
	c.Close()
}

// TestLabShutdownFinishesInFlight: a request in flight when the lab is
// told to stop still gets its answer; new connections are refused.
func TestLabShutdownFinishesInFlight(t *testing.T) {
	l := startLab(t, Options{Latency: 300 * time.Millisecond})
	c := proxyClient(t, l)
	done := make(chan reply, 1)
	go func() {
		resp, err := c.Get(publicURL(l, MeetHost, MeetingPath))
		if err != nil {
			done <- reply{status: -1, body: err.Error()}
			return
		}
		resp.Body.Close()
		done <- reply{status: resp.StatusCode}
	}()
	for l.proxies[0].inflight.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := l.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if r := <-done; r.status != 200 {
		t.Fatalf("the request in flight got %d %s, want 200", r.status, r.body)
	}
	if conn, err := net.Dial("tcp", l.ProxyAddr); err == nil {
		conn.Close()
		t.Error("the proxy still accepts connections after Shutdown")
	}
}

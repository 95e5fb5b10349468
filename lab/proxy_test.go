package lab

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const oauthUser = "/Autodiscover/AutodiscoverService.svc/root/oauth/user"

// servedBy asks the proxy which front end answers: the identity header
// of the Autodiscover user resource.
func servedBy(t *testing.T, c *http.Client, req *http.Request) (string, reply) {
	t.Helper()
	r := do(t, c, req)
	fqdn := r.header.Get("X-MS-Server-Fqdn")
	if fqdn == "" {
		t.Fatalf("no X-MS-Server-Fqdn from %s (status %d)", req.URL, r.status)
	}
	return fqdn, r
}

func TestSourceAffinity(t *testing.T) {
	for _, nodes := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d nodes", nodes), func(t *testing.T) {
			l := startLab(t, Options{Nodes: nodes})
			c := proxyClient(t, l) // a new connection per request
			seen := map[string]int{}
			for range 20 {
				req, _ := http.NewRequest(http.MethodGet, publicURL(l, ExternalWeb, oauthUser), nil)
				fqdn, _ := servedBy(t, c, req)
				seen[fqdn]++
			}
			if len(seen) != 1 {
				t.Errorf("20 connections from one address reached %v, want one front end", seen)
			}
		})
	}
}

func TestCookiePersistence(t *testing.T) {
	l := startLab(t, Options{LB: "cookie"})
	c := proxyClient(t, l)
	seen := map[string]string{} // front end → its cookie value
	for range 4 {
		req, _ := http.NewRequest(http.MethodGet, publicURL(l, ExternalWeb, oauthUser), nil)
		fqdn, r := servedBy(t, c, req)
		ck := wsmanCookie(t, r.header)
		seen[fqdn] = ck.Value
	}
	if len(seen) != 2 {
		t.Fatalf("first picks reached %v, want both front ends (round robin)", seen)
	}
	for fqdn, value := range seen {
		for range 10 {
			req, _ := http.NewRequest(http.MethodGet, publicURL(l, ExternalWeb, oauthUser), nil)
			req.AddCookie(&http.Cookie{Name: WSMANCookie, Value: value})
			got, r := servedBy(t, c, req)
			if got != fqdn {
				t.Fatalf("cookie %s=%s reached %s, want %s", WSMANCookie, value, got, fqdn)
			}
			if len(r.header.Values("Set-Cookie")) != 0 {
				t.Errorf("a request that carried %s got Set-Cookie %v", WSMANCookie, r.header.Values("Set-Cookie"))
			}
		}
	}
}

// wsmanCookie checks MS-WSMAN is set as Microsoft requires.
func wsmanCookie(t *testing.T, h http.Header) *http.Cookie {
	t.Helper()
	for _, line := range h.Values("Set-Cookie") {
		ck, err := http.ParseSetCookie(line)
		if err != nil || ck.Name != WSMANCookie {
			continue
		}
		if ck.HttpOnly || !ck.Expires.IsZero() || ck.MaxAge != 0 || ck.Path != "/" {
			t.Errorf("Set-Cookie %q: want Path=/, not HttpOnly, no expiry", line)
		}
		return ck
	}
	t.Fatalf("no %s cookie in %v", WSMANCookie, h.Values("Set-Cookie"))
	return nil
}

// TestJoinSessionCrossingFrontEnds is the classic TMG split join: the
// follow-up on the other front end fails; on the same one it works.
func TestJoinSessionCrossingFrontEnds(t *testing.T) {
	l := startLab(t, Options{})
	fe1, fe2 := frontEndClient(t, l, 0), frontEndClient(t, l, 1)
	req, _ := http.NewRequest(http.MethodGet, "https://"+MeetHost+MeetingPath, nil)
	r := do(t, fe1, req)
	var join *http.Cookie
	for _, ck := range (&http.Response{Header: r.header}).Cookies() {
		if ck.Name == JoinCookie {
			join = ck
		}
	}
	if join == nil {
		t.Fatalf("the join page set no %s cookie: %v", JoinCookie, r.header.Values("Set-Cookie"))
	}
	follow := func(c *http.Client, ck *http.Cookie) reply {
		req, _ := http.NewRequest(http.MethodGet, "https://"+MeetHost+"/lwa/WebPages/LwaClient.aspx", nil)
		if ck != nil {
			req.AddCookie(ck)
		}
		return do(t, c, req)
	}
	if r := follow(fe2, join); r.status != 500 || !strings.Contains(r.body, "session not found") {
		t.Errorf("fe01's session on fe02: %d, want 500 naming the session:\n%s", r.status, r.body)
	}
	if r := follow(fe1, join); r.status != 200 {
		t.Errorf("fe01's session on fe01: %d, want 200", r.status)
	}
	if r := follow(fe2, nil); r.status != 200 {
		t.Errorf("no session on fe02: %d, want 200", r.status)
	}
}

// TestJoinThroughTheProxy: with a correct balancing mode a browser's
// join and follow-up land on one front end.
func TestJoinThroughTheProxy(t *testing.T) {
	for _, o := range []Options{{}, {LB: "cookie"}, {LB: "cookie", Nodes: 2}, {Nodes: 2}} {
		t.Run(fmt.Sprintf("%s x%d", o.LB, o.Nodes), func(t *testing.T) {
			l := startLab(t, o)
			c := proxyClient(t, l)
			c.Jar, _ = cookiejar.New(nil)
			for range 3 {
				if r := get(t, c, publicURL(l, MeetHost, MeetingPath)); r.status != 200 {
					t.Fatalf("join page: %d", r.status)
				}
				if r := get(t, c, publicURL(l, MeetHost, "/lwa/WebPages/LwaClient.aspx")); r.status != 200 {
					t.Fatalf("follow-up: %d\n%s", r.status, r.body)
				}
			}
		})
	}
}

func TestBalancerForwardsToEveryNode(t *testing.T) {
	l := startLab(t, Options{Nodes: 2})
	if len(l.Nodes) != 2 || l.ProxyAddr == l.Nodes[0] || l.ProxyAddr == l.Nodes[1] {
		t.Fatalf("nodes %v behind %s", l.Nodes, l.ProxyAddr)
	}
	roots := certPool(t, l.CAFile)
	r := get(t, clientTo(t, l.ProxyAddr, &tls.Config{RootCAs: roots}), publicURL(l, DialinHost, "/"))
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Via"), "1.1 tmg0") {
		t.Errorf("through the balancer: %d, Via %q", r.status, r.header.Get("Via"))
	}
	for i, node := range l.Nodes {
		r := get(t, clientTo(t, node, &tls.Config{RootCAs: roots}), publicURL(l, DialinHost, "/"))
		if want := fmt.Sprintf("1.1 tmg%02d", i+1); r.status != 200 || r.header.Get("Via") != want {
			t.Errorf("node %s: %d, Via %q, want 200 via %q", node, r.status, r.header.Get("Via"), want)
		}
	}
}

// rawRequest writes one request line and headers over TLS to the proxy.
func rawRequest(t *testing.T, l *Lab, head string) *http.Response {
	t.Helper()
	conn, err := tls.Dial("tcp", l.ProxyAddr, &tls.Config{ServerName: ExternalWeb, RootCAs: certPool(t, l.CAFile)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Write([]byte(head + "\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%q: %v", head, err)
	}
	resp.Body.Close()
	return resp
}

func TestProxyIsNotAnOpenProxy(t *testing.T) {
	l := startLab(t, Options{})
	cases := []struct {
		head string
		want int
	}{
		{"GET http://example.com/ HTTP/1.1\r\nHost: example.com", 403},
		{"GET https://example.com/abs/handler HTTP/1.1\r\nHost: " + ExternalWeb, 403},
		{"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443", 405},
		{"GET https://" + MeetHost + MeetingPath + " HTTP/1.1\r\nHost: " + MeetHost, 200},
	}
	for _, c := range cases {
		if resp := rawRequest(t, l, c.head); resp.StatusCode != c.want {
			t.Errorf("%q: %d, want %d", strings.SplitN(c.head, "\r\n", 2)[0], resp.StatusCode, c.want)
		}
	}
}

// TestProxyForwardsHostAndClient puts a node in front of an echo server
// holding the front ends' certificate.
func TestProxyForwardsHostAndClient(t *testing.T) {
	l := startLab(t, Options{})
	echo := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s|%s", r.Host, r.Header.Get("X-Forwarded-For"))
	}))
	echo.TLS = serverTLS(l.pki.frontEnd)
	echo.StartTLS()
	defer echo.Close()
	roots := x509.NewCertPool()
	roots.AddCert(l.pki.internalRoot.cert)
	p := newProxyNode("tmg99", []backend{{id: "fe01", addr: echo.Listener.Addr().String()}}, roots, l.pause)
	defer p.transport.CloseIdleConnections()
	for backendHost, want := range map[string]string{"": MeetHost + "|192.0.2.7", PoolFQDN: PoolFQDN + "|192.0.2.7"} {
		p.backendHost = backendHost
		req := httptest.NewRequest(http.MethodGet, MeetingPath, nil)
		req.Host, req.RemoteAddr = MeetHost, "192.0.2.7:5555"
		w := httptest.NewRecorder()
		p.ServeHTTP(w, req)
		if w.Code != 200 || w.Body.String() != want {
			t.Errorf("backendHost %q: %d %q, want %q", backendHost, w.Code, w.Body.String(), want)
		}
	}
}

package checks

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/probe"
	"github.com/miekg/dns"
)

// plainDiscover runs the http module against one loopback HTTP server
// standing in for the proxy's port 80 (nil: a port where nothing listens);
// every name resolves to 127.0.0.1, lyncdiscover through cname if set.
func plainDiscover(t *testing.T, h http.Handler, cname string, change func(d *config.Deployment)) []Result {
	t.Helper()
	var port int
	if h != nil {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		port = srv.Listener.Addr().(*net.TCPAddr).Port
	} else {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port = ln.Addr().(*net.TCPAddr).Port
		ln.Close() // nothing listens there now: connections are refused
	}
	dep := testDeployment()
	dep.ReverseProxy.HTTPPort = &port
	if change != nil {
		change(dep)
	}
	probes := Probes{
		Resolve: func(_ context.Context, server, name string, qtype uint16) (*probe.DNSAnswer, error) {
			a := &probe.DNSAnswer{Server: server, Name: name, Rcode: "NOERROR", Type: dns.TypeToString[qtype]}
			if qtype == dns.TypeA {
				a.Addresses = []string{"127.0.0.1"}
				if cname != "" && strings.HasPrefix(name, "lyncdiscover.") {
					a.CNAMEs = []string{cname}
				}
			}
			return a, nil
		},
		Handshake: probe.Handshake,
		Fetch:     probe.Fetch,
	}
	return Run(context.Background(), dep, Options{Only: []string{"http"}, Probes: probes})
}

// discoverServer answers / with a document holding rel, a redirect to
// HTTPS when rel is "https", and the rest of the HTTP Autodiscover.
func discoverServer(rel string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base := "http://" + r.Host
		switch r.URL.Path {
		case "/":
			if rel == "https" {
				http.Redirect(w, r, "https://"+r.Host+"/", http.StatusMovedPermanently)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"_links":{"%s":{"href":"%s/root"}}}`, rel, base)
		case "/root":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"_links":{"self":{"href":"%s/root"},"user":{"href":"%s/root/oauth/user"}}}`, base, base)
		case "/root/oauth/user":
			w.Header().Set("WWW-Authenticate", `MsRtcOAuth href=`+base+`/WebTicket/oauthtoken,grant_type="urn:microsoft.rtc:windows"`)
			w.WriteHeader(http.StatusUnauthorized)
		default:
			http.NotFound(w, r)
		}
	})
}

func resultsFor(rs []Result, id, target string) []Result {
	return slices.DeleteFunc(slices.Clone(rs), func(r Result) bool { return r.ID != id || r.Target != target })
}

func httpOnly(d *config.Deployment) { d.LyncdiscoverHTTPOnly = true }

// TestLyncdiscoverHTTPOnly: published over HTTP only, lyncdiscover is
// judged over HTTP alone, one info result says what it costs, and the
// certificate checks do not ask for the name.
func TestLyncdiscoverHTTPOnly(t *testing.T) {
	t.Parallel()
	rs := plainDiscover(t, discoverServer("redirect"), "", httpOnly)
	plain := resultsFor(rs, "http.lyncdiscover", "http://lyncdiscover.contoso.test")
	if len(plain) != 2 || plain[0].Status != Info || !strings.Contains(plain[0].Message, "does not recommend") ||
		!strings.Contains(plain[0].Message, mobilityHTTPSource) {
		t.Fatalf("want the cost, then the verdict: %v", plain)
	}
	if plain[1].Status != Pass || !strings.Contains(plain[1].Message, "MsRtcOAuth") {
		t.Errorf("HTTP verdict: %s %s", plain[1].Status, plain[1].Message)
	}
	for _, r := range rs {
		if strings.HasPrefix(r.Target, "https://lyncdiscover.") {
			t.Errorf("lyncdiscover asked over HTTPS: %s %s %s", r.ID, r.Status, r.Message)
		}
	}
	e := &Env{Dep: testDeployment()}
	httpOnly(e.Dep)
	if hosts := e.certHosts(); slices.Contains(hosts, "lyncdiscover.contoso.test") || len(hosts) != 3 {
		t.Errorf("certificate names = %v, want every published name but lyncdiscover", hosts)
	}
}

// TestLyncdiscoverHTTPOnlyNeedsRedirect: [MS-OCDISCWS]: over HTTP the
// document carries a Redirect link.
func TestLyncdiscoverHTTPOnlyNeedsRedirect(t *testing.T) {
	t.Parallel()
	rs := resultsFor(plainDiscover(t, discoverServer("user"), "", httpOnly), "http.lyncdiscover", "http://lyncdiscover.contoso.test")
	if len(rs) != 2 || rs[1].Status != Fail || !strings.Contains(rs[1].Message, "single Redirect link") {
		t.Fatalf("want a fail naming the Redirect link: %v", rs)
	}
}

// TestNothingOnHTTPPort: http_port on and nothing answering there is said
// as such, not blamed on http.reachable; it fails where HTTP is needed.
func TestNothingOnHTTPPort(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		change func(*config.Deployment)
		want   Status
	}{"published over HTTPS too": {nil, Warn}, "HTTP only": {httpOnly, Fail}} {
		rs := resultsFor(plainDiscover(t, nil, "", tc.change), "http.lyncdiscover", "http://lyncdiscover.contoso.test")
		r := rs[len(rs)-1]
		if r.Status != tc.want || !strings.Contains(r.Message, "nothing answers over HTTP on port") || r.Via != "address 127.0.0.1" ||
			!strings.Contains(r.Message, "reverse_proxy.http_port is "+strconv.Itoa(*httpPortOf(t, r))) {
			t.Errorf("%s: %s [%s] %s", name, r.Status, r.Via, r.Message)
		}
	}
}

func httpPortOf(t *testing.T, r Result) *int {
	t.Helper()
	_, p, err := net.SplitHostPort(fmt.Sprint(r.Evidence["connect"]))
	if err != nil {
		t.Fatalf("no connect address in %v", r.Evidence)
	}
	n, _ := strconv.Atoi(p)
	return &n
}

// TestHTTPRedirectEndsTheCNAMEFallback: a lyncdiscover CNAME into another
// domain works only over HTTP; port 80 redirecting to HTTPS ends that.
func TestHTTPRedirectEndsTheCNAMEFallback(t *testing.T) {
	t.Parallel()
	rs := resultsFor(plainDiscover(t, discoverServer("https"), "director.contoso-dmz.test", nil), "http.lyncdiscover", "http://lyncdiscover.contoso.test")
	if len(rs) != 1 || rs[0].Status != Fail || !strings.Contains(rs[0].Message, "the HTTP fallback is gone") ||
		!strings.Contains(rs[0].Message, "CNAME to director.contoso-dmz.test") {
		t.Fatalf("want the lost fallback named: %v", rs)
	}
	// Without the cross-domain CNAME the redirect is judged as before.
	rs = resultsFor(plainDiscover(t, discoverServer("https"), "", nil), "http.lyncdiscover", "http://lyncdiscover.contoso.test")
	if len(rs) != 1 || strings.Contains(rs[0].Message, "fallback") {
		t.Errorf("same-domain: %v", rs)
	}
}

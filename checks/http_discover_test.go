package checks

import (
	"context"
	"net"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/lyncprobe/lyncprobe/probe"
	"github.com/miekg/dns"
)

// TestLyncdiscoverOverHTTP: with reverse_proxy.http_port published, the
// plain-HTTP lyncdiscover is asked too; its redirect link is followed to a
// document whose user link must challenge with MsRtcOAuth.
func TestLyncdiscoverOverHTTP(t *testing.T) {
	srv := httptest.NewServer(discoverServer("redirect")) // links on the name asked, lyncdiscover.contoso.test:port
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	dep := testDeployment()
	p, _ := strconv.Atoi(port)
	dep.ReverseProxy.HTTPPort = &p
	probes := Probes{
		Resolve: func(_ context.Context, server, name string, qtype uint16) (*probe.DNSAnswer, error) {
			a := &probe.DNSAnswer{Server: server, Name: name, Rcode: "NOERROR", Type: dns.TypeToString[qtype]}
			if qtype == dns.TypeA {
				a.Addresses = []string{"127.0.0.1"}
			}
			return a, nil
		},
		Handshake: probe.Handshake,
		Fetch:     probe.Fetch,
	}
	rs := Run(context.Background(), dep, Options{Only: []string{"http"}, Probes: probes})
	for _, r := range rs {
		if r.ID == "http.lyncdiscover" && r.Target == "http://lyncdiscover.contoso.test" {
			if r.Status != Pass || !strings.Contains(r.Message, "MsRtcOAuth") {
				t.Errorf("%s %s: %s", r.Status, r.Target, r.Message)
			}
			return
		}
	}
	t.Fatal("no http.lyncdiscover result for the HTTP name")
}

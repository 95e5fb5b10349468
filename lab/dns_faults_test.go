package lab

import (
	"net"
	"os"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func aOf(t *testing.T, r *dns.Msg) string {
	t.Helper()
	var out []string
	for _, rr := range r.Answer {
		if a, ok := rr.(*dns.A); ok {
			out = append(out, a.A.String())
		}
	}
	return strings.Join(out, ",")
}

// wrong-ip and private-ip point NAME at stray loopback addresses, where
// nothing listens: a probe there is refused and never leaves the machine.
func TestStrayAddressFaults(t *testing.T) {
	l := startLab(t, Options{Faults: []FaultSpec{{Name: "wrong-ip", Arg: "meet"}, {Name: "private-ip", Arg: "dialin"}}})
	for _, proto := range protocols {
		for host, want := range map[string]string{MeetHost: "127.0.0.2", DialinHost: "127.0.0.3", ExternalWeb: "127.0.0.1"} {
			if got := aOf(t, exchange(t, l, proto, host, dns.TypeA)); got != want {
				t.Errorf("%s A %s = %s, want %s", proto, host, got, want)
			}
		}
	}
	_, port, _ := net.SplitHostPort(l.ProxyAddr)
	for _, ip := range []string{"127.0.0.2", "127.0.0.3"} {
		if c, err := net.Dial("tcp", net.JoinHostPort(ip, port)); err == nil {
			c.Close()
			t.Errorf("something listens on %s:%s", ip, port)
		}
	}
}

func TestStrayIPAvoidsTheLabsOwn(t *testing.T) {
	own := net.ParseIP("127.0.0.2")
	if a, b := strayIP(own, 0), strayIP(own, 1); a.Equal(own) || b.Equal(own) || a.Equal(b) || !a.IsLoopback() || !b.IsLoopback() {
		t.Errorf("strayIP(127.0.0.2) = %s, %s", a, b)
	}
}

func TestNoSRVFault(t *testing.T) {
	l := startLab(t, Options{Faults: []FaultSpec{{Name: "no-srv"}}})
	for _, name := range []string{"_sip._tls." + Domain, "_sipfederationtls._tcp." + Domain} {
		if r := exchange(t, l, "udp", name, dns.TypeSRV); len(r.Answer) != 0 || r.Rcode != dns.RcodeNameError {
			t.Errorf("SRV %s: %v", name, r)
		}
	}
}

// lyncdiscover-cname: a CNAME into another domain that the lab also
// serves, so that the name still reaches the proxy.
func TestLyncdiscoverCNAMEFault(t *testing.T) {
	l := startLab(t, Options{Faults: []FaultSpec{{Name: "lyncdiscover-cname"}}})
	for _, proto := range protocols {
		r := exchange(t, l, proto, DiscoverHost, dns.TypeA)
		if len(r.Answer) != 2 || r.Answer[0].(*dns.CNAME).Target != foreignTarget+"." || aOf(t, r) != "127.0.0.1" {
			t.Errorf("%s A %s: %v", proto, DiscoverHost, r)
		}
		if r := exchange(t, l, proto, "nosuch."+ForeignDomain, dns.TypeA); r.Rcode != dns.RcodeNameError || len(r.Ns) != 1 ||
			!strings.HasPrefix(r.Ns[0].Header().Name, ForeignDomain) {
			t.Errorf("%s: the second zone is not authoritative: %v", proto, r)
		}
	}
	if !strings.Contains(l.Zone(), "$ORIGIN "+ForeignDomain+".") {
		t.Errorf("the zone text does not hold the second zone:\n%s", l.Zone())
	}
}

// resolver-split: a second resolver, listed second in the config, lacks
// one name; Zones gives both zones in the config's order.
func TestResolverSplitFault(t *testing.T) {
	l := startLab(t, Options{Faults: []FaultSpec{{Name: "resolver-split"}}})
	if len(l.DNSAddrs) != 2 || l.DNSAddrs[0] != l.DNSAddr || len(l.Zones()) != 2 {
		t.Fatalf("resolvers %v, %d zones", l.DNSAddrs, len(l.Zones()))
	}
	second := &Lab{DNSAddr: l.DNSAddrs[1]}
	if r := exchange(t, second, "udp", splitHost, dns.TypeA); r.Rcode != dns.RcodeNameError {
		t.Errorf("second resolver, A %s: %v", splitHost, r)
	}
	if r := exchange(t, second, "tcp", ExternalWeb, dns.TypeA); aOf(t, r) != "127.0.0.1" {
		t.Errorf("second resolver, A %s: %v", ExternalWeb, r)
	}
	if r := exchange(t, l, "udp", splitHost, dns.TypeA); aOf(t, r) != "127.0.0.1" {
		t.Errorf("first resolver lost %s too: %v", splitHost, r)
	}
	if strings.Contains(l.Zones()[1], splitHost+".") || !strings.Contains(l.Zones()[0], splitHost+".") {
		t.Errorf("zones:\n%s\n%s", l.Zones()[0], l.Zones()[1])
	}
	cfg, err := os.ReadFile(l.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	if want := `resolvers: ["` + l.DNSAddrs[0] + `", "` + l.DNSAddrs[1] + `"]`; !strings.Contains(string(cfg), want) {
		t.Errorf("the config does not list both resolvers (%s):\n%s", want, cfg)
	}
}

func TestHealthyLabHasOneZone(t *testing.T) {
	l := startLab(t, Options{})
	if len(l.Zones()) != 1 || l.Zones()[0] != l.Zone() || len(l.DNSAddrs) != 1 {
		t.Errorf("zones %d, resolvers %v", len(l.Zones()), l.DNSAddrs)
	}
}

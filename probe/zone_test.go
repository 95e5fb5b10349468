package probe

import (
	"context"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func newTestZone(t *testing.T, text string) *Zone {
	t.Helper()
	zp := dns.NewZoneParser(strings.NewReader(text), "contoso.test.", "")
	var rrs []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rrs = append(rrs, rr)
	}
	if err := zp.Err(); err != nil {
		t.Fatal(err)
	}
	z, err := NewZone("test.zone", rrs)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

const testZone = `$TTL 300
@             IN SOA ns1 hostmaster 1 3600 600 86400 300
@             IN NS  ns1
ns1           IN A   192.0.2.53
webext        IN A   192.0.2.10
webext        IN AAAA 2001:db8::10
meet          IN CNAME webext
dialin        IN CNAME gone
lyncdiscover  IN CNAME director.contoso.net.
loop1         IN CNAME loop2
loop2         IN CNAME loop1
txt           IN TXT "x"
*.wild        IN A   192.0.2.77
_sip._tls     IN SRV 0 0 443 sip.contoso.test.
sub           IN NS  ns.elsewhere.net.
$ORIGIN contoso-dmz.test.
@             IN SOA ns1.contoso.test. hostmaster.contoso.test. 1 3600 600 86400 300
director      IN A   192.0.2.11
stray.example.com. IN A 192.0.2.99
`

// The zone answers as its authoritative server would, and as Resolve
// reports a live server's answer.
func TestZoneResolve(t *testing.T) {
	z := newTestZone(t, testZone)
	cases := []struct {
		name         string
		qtype        uint16
		rcode, addrs string
		chain, out   string
		nodata       bool
	}{
		{name: "webext.contoso.test", qtype: dns.TypeA, rcode: "NOERROR", addrs: "192.0.2.10"},
		{name: "WEBEXT.contoso.test.", qtype: dns.TypeAAAA, rcode: "NOERROR", addrs: "2001:db8::10"},
		{name: "meet.contoso.test", qtype: dns.TypeA, rcode: "NOERROR", addrs: "192.0.2.10", chain: "webext.contoso.test"},
		{name: "dialin.contoso.test", qtype: dns.TypeA, rcode: "NXDOMAIN", chain: "gone.contoso.test"},
		{name: "nosuch.contoso.test", qtype: dns.TypeA, rcode: "NXDOMAIN"},
		{name: "txt.contoso.test", qtype: dns.TypeA, rcode: "NOERROR", nodata: true},
		{name: "_tls.contoso.test", qtype: dns.TypeA, rcode: "NOERROR", nodata: true}, // empty non-terminal
		{name: "x.wild.contoso.test", qtype: dns.TypeA, rcode: "NOERROR", addrs: "192.0.2.77"},
		{name: "lyncdiscover.contoso.test", qtype: dns.TypeA, rcode: "NOERROR", chain: "director.contoso.net", out: "director.contoso.net"},
		{name: "www.example.com", qtype: dns.TypeA, rcode: "NOTAUTH", out: "www.example.com"},
		{name: "stray.example.com", qtype: dns.TypeA, rcode: "NOTAUTH", out: "stray.example.com"}, // out-of-zone data is left out
		{name: "host.sub.contoso.test", qtype: dns.TypeA, rcode: "NOTAUTH", out: "host.sub.contoso.test"},
		{name: "director.contoso-dmz.test", qtype: dns.TypeA, rcode: "NOERROR", addrs: "192.0.2.11"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := z.Resolve(context.Background(), "zone:test.zone", tc.name, tc.qtype)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{a.Rcode, strings.Join(a.Addresses, ","), strings.Join(a.CNAMEs, ","), a.OutOfZone}
			want := []string{tc.rcode, tc.addrs, tc.chain, tc.out}
			if strings.Join(got, "|") != strings.Join(want, "|") || a.NoData() != tc.nodata {
				t.Errorf("got rcode|addrs|chain|out %v nodata %v, want %v nodata %v", got, a.NoData(), want, tc.nodata)
			}
		})
	}
	if got := strings.Join(z.Origins(), ","); got != "contoso.test,contoso-dmz.test" {
		t.Errorf("origins %s", got)
	}
}

func TestZoneResolveSRVAndLoop(t *testing.T) {
	z := newTestZone(t, testZone)
	a, err := z.Resolve(context.Background(), "z", "_sip._tls.contoso.test", dns.TypeSRV)
	if err != nil || len(a.SRV) != 1 || a.SRV[0] != (SRV{Port: 443, Target: "sip.contoso.test"}) {
		t.Fatalf("SRV: %+v %v", a, err)
	}
	if _, err := z.Resolve(context.Background(), "z", "loop1.contoso.test", dns.TypeA); KindOf(err) != KindGarbage {
		t.Errorf("a CNAME loop must end in an error, got %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := z.Resolve(ctx, "z", "webext.contoso.test", dns.TypeA); KindOf(err) != KindCanceled {
		t.Errorf("an ended context must be honoured, got %v", err)
	}
}

func TestNewZoneNeedsSOA(t *testing.T) {
	rr, _ := dns.NewRR("meet.contoso.test. 300 IN A 192.0.2.1")
	if _, err := NewZone("x.zone", []dns.RR{rr}); err == nil || !strings.Contains(err.Error(), "no SOA") {
		t.Fatalf("want a no-SOA error, got %v", err)
	}
}

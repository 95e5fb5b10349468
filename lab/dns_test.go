package lab

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

func query(name string, qtype uint16) *dns.Msg {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	return m
}

func exchange(t *testing.T, l *Lab, proto, name string, qtype uint16) *dns.Msg {
	t.Helper()
	c := &dns.Client{Net: proto, Timeout: 5 * time.Second}
	r, _, err := c.Exchange(query(name, qtype), l.DNSAddr)
	if err != nil {
		t.Fatalf("%s %s %s: %v", proto, name, dns.TypeToString[qtype], err)
	}
	return r
}

var protocols = []string{"udp", "tcp"}

func TestDNSPublishedNamesPointAtTheProxy(t *testing.T) {
	l := startLab(t, Options{})
	proxyIP, _, _ := net.SplitHostPort(l.ProxyAddr)
	for _, proto := range protocols {
		for _, h := range append(publishedHosts, AccessEdge) {
			r := exchange(t, l, proto, h, dns.TypeA)
			if r.Rcode != dns.RcodeSuccess || !r.Authoritative || len(r.Answer) != 1 {
				t.Fatalf("%s A %s: %v", proto, h, r)
			}
			a := r.Answer[0].(*dns.A)
			if a.A.String() != proxyIP || a.Hdr.Ttl != zoneTTL {
				t.Errorf("%s A %s = %v, want %s TTL %d", proto, h, a, proxyIP, zoneTTL)
			}
		}
	}
}

func TestDNSSRVRecordsNameTheEdgePorts(t *testing.T) {
	l := startLab(t, Options{})
	for i, name := range []string{"_sip._tls." + Domain, "_sipfederationtls._tcp." + Domain} {
		_, port, _ := net.SplitHostPort(l.EdgeAddrs[i])
		for _, proto := range protocols {
			r := exchange(t, l, proto, name, dns.TypeSRV)
			if len(r.Answer) != 1 {
				t.Fatalf("%s SRV %s: %v", proto, name, r)
			}
			srv := r.Answer[0].(*dns.SRV)
			if srv.Target != AccessEdge+"." || strconv.Itoa(int(srv.Port)) != port {
				t.Errorf("%s SRV %s = %v, want %s port %s", proto, name, srv, AccessEdge, port)
			}
		}
		// The Edge port is open.
		conn, err := net.Dial("tcp", l.EdgeAddrs[i])
		if err != nil {
			t.Errorf("edge port %s: %v", l.EdgeAddrs[i], err)
		} else {
			conn.Close()
		}
	}
}

func TestDNSNegativeAnswers(t *testing.T) {
	l := startLab(t, Options{})
	cases := []struct {
		name   string
		qtype  uint16
		rcode  int
		withNS bool // SOA in authority
	}{
		{"nosuch." + Domain, dns.TypeA, dns.RcodeNameError, true},
		{AdminHost, dns.TypeA, dns.RcodeNameError, true},
		{MeetHost, dns.TypeAAAA, dns.RcodeSuccess, true},        // NODATA
		{"_tls." + Domain, dns.TypeA, dns.RcodeSuccess, true},   // empty non-terminal
		{"www.example.com", dns.TypeA, dns.RcodeRefused, false}, // not our zone
	}
	for _, proto := range protocols {
		for _, c := range cases {
			r := exchange(t, l, proto, c.name, c.qtype)
			if r.Rcode != c.rcode || len(r.Answer) != 0 {
				t.Errorf("%s %s %s: rcode %s with %d answers, want %s and none", proto, c.name,
					dns.TypeToString[c.qtype], dns.RcodeToString[r.Rcode], len(r.Answer), dns.RcodeToString[c.rcode])
			}
			if hasSOA := len(r.Ns) == 1 && r.Ns[0].Header().Rrtype == dns.TypeSOA; hasSOA != c.withNS {
				t.Errorf("%s %s: authority %v, want SOA: %v", proto, c.name, r.Ns, c.withNS)
			}
		}
	}
}

func TestDNSApexHasSOAAndNS(t *testing.T) {
	l := startLab(t, Options{})
	for _, qt := range []uint16{dns.TypeSOA, dns.TypeNS} {
		r := exchange(t, l, "udp", Domain, qt)
		if len(r.Answer) != 1 || r.Answer[0].Header().Rrtype != qt {
			t.Errorf("%s %s: %v", Domain, dns.TypeToString[qt], r)
		}
	}
	// Names are case-insensitive.
	if r := exchange(t, l, "udp", "MEET.Contoso.TEST", dns.TypeA); len(r.Answer) != 1 {
		t.Errorf("mixed-case query: %v", r)
	}
}

func TestMissingDNSFault(t *testing.T) {
	for _, arg := range []string{"dialin", "dialin.contoso.test", "Dialin.Contoso.Test."} {
		t.Run(arg, func(t *testing.T) {
			l := startLab(t, Options{Faults: []FaultSpec{{Name: "missing-dns", Arg: arg}}})
			for _, proto := range protocols {
				if r := exchange(t, l, proto, DialinHost, dns.TypeA); r.Rcode != dns.RcodeNameError {
					t.Errorf("%s A %s: %s, want NXDOMAIN", proto, DialinHost, dns.RcodeToString[r.Rcode])
				}
				if r := exchange(t, l, proto, MeetHost, dns.TypeA); len(r.Answer) != 1 {
					t.Errorf("%s A %s lost too: %v", proto, MeetHost, r)
				}
			}
			if strings.Contains(l.Zone(), DialinHost) {
				t.Errorf("the zone still names %s:\n%s", DialinHost, l.Zone())
			}
		})
	}
}

// TestZoneTextParses: Zone() is a zone file another server could load.
func TestZoneTextParses(t *testing.T) {
	l := startLab(t, Options{})
	zp := dns.NewZoneParser(strings.NewReader(l.Zone()), "", "")
	n := 0
	for _, ok := zp.Next(); ok; _, ok = zp.Next() {
		n++
	}
	if err := zp.Err(); err != nil {
		t.Fatalf("zone text does not parse: %v\n%s", err, l.Zone())
	}
	if n != len(l.zone.rrs) {
		t.Errorf("zone text has %d records, the server %d", n, len(l.zone.rrs))
	}
}

func TestDNSAnswersEDNSWithEDNS(t *testing.T) {
	l := startLab(t, Options{})
	q := query(MeetHost, dns.TypeA)
	q.SetEdns0(4096, false)
	r, _, err := new(dns.Client).Exchange(q, l.DNSAddr)
	if err != nil {
		t.Fatal(err)
	}
	if r.IsEdns0() == nil || len(r.Answer) != 1 {
		t.Errorf("EDNS query: %v", r)
	}
}

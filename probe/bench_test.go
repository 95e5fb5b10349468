package probe

import (
	"context"
	"fmt"
	"github.com/lyncprobe/lyncprobe/internal/dnstest"
	"net"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// BenchmarkSANMatch covers a SAN list as long as a large pool's (every
// simple URL, pool and edge name on one certificate) against each name.
func BenchmarkSANMatch(b *testing.B) {
	var sans []string
	for i := range 500 {
		sans = append(sans, fmt.Sprintf("host%03d.contoso.com", i))
	}
	sans = append(sans, "*.contoso.com")
	names := []string{"meet.contoso.com", "host499.contoso.com", "lyncdiscover.fabrikam.com", "a.b.contoso.com"}
	b.ResetTimer()
	for b.Loop() {
		for _, n := range names {
			for _, s := range sans {
				if SANMatch(s, n) && s == "" {
					b.Fatal("impossible")
				}
			}
		}
	}
}

// BenchmarkDNSAbsorb reads a long CNAME chain and many A records.
func BenchmarkDNSAbsorb(b *testing.B) {
	msg := new(dns.Msg)
	prev := "meet.contoso.com."
	for i := range 6 {
		next := fmt.Sprintf("hop%d.contoso.net.", i)
		msg.Answer = append(msg.Answer, &dns.CNAME{Hdr: dns.RR_Header{Name: prev, Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 60}, Target: next})
		prev = next
	}
	for i := range 40 {
		msg.Answer = append(msg.Answer, &dns.A{Hdr: dns.RR_Header{Name: prev, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.IPv4(203, 0, 113, byte(i))})
	}
	for b.Loop() {
		a := &DNSAnswer{}
		if a.absorb(msg, "meet.contoso.com.", dns.TypeA); len(a.Addresses) != 40 {
			b.Fatal(len(a.Addresses))
		}
	}
}

// BenchmarkResolveLoopback is one full question and answer against a
// miekg server on loopback (UDP, 8 A records behind one CNAME).
func BenchmarkResolveLoopback(b *testing.B) {
	addr := benchDNS(b, func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		q := r.Question[0].Name
		m.Answer = append(m.Answer, &dns.CNAME{Hdr: dns.RR_Header{Name: q, Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 60}, Target: "edge.contoso.net."})
		for i := range 8 {
			m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: "edge.contoso.net.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.IPv4(203, 0, 113, byte(i))})
		}
		_ = w.WriteMsg(m)
	})
	ctx := context.Background()
	for b.Loop() {
		a, err := Resolve(ctx, addr, "meet.contoso.com", dns.TypeA)
		if err != nil || len(a.Addresses) != 8 {
			b.Fatal(err, a)
		}
	}
}

// BenchmarkZoneResolve answers from a zone file of 2,000 names.
func BenchmarkZoneResolve(b *testing.B) {
	var text strings.Builder
	text.WriteString("$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n@ IN NS ns1\nns1 IN A 192.0.2.53\n")
	for i := range 2000 {
		fmt.Fprintf(&text, "h%d IN A 192.0.2.%d\n", i, i%250)
	}
	text.WriteString("meet IN CNAME h1999\n")
	zp := dns.NewZoneParser(strings.NewReader(text.String()), "contoso.test.", "")
	var rrs []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rrs = append(rrs, rr)
	}
	z, err := NewZone("bench.zone", rrs)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		a, err := z.Resolve(ctx, "bench.zone", "meet.contoso.test", dns.TypeA)
		if err != nil || len(a.Addresses) != 1 {
			b.Fatal(err, a)
		}
	}
}

func benchDNS(b *testing.B, h dns.HandlerFunc) string {
	b.Helper()
	return dnstest.Serve(b, h, false)
}

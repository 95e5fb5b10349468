package probe

import (
	"context"
	"errors"
	"github.com/lyncprobe/lyncprobe/internal/dnstest"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// startDNS runs h on one loopback port over UDP and TCP until the test ends.
func startDNS(t *testing.T, h dns.HandlerFunc) string {
	t.Helper()
	return dnstest.Serve(t, h, true)
}

func zone(t *testing.T, lines ...string) map[string][]dns.RR {
	t.Helper()
	out := map[string][]dns.RR{}
	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil {
			t.Fatal(err)
		}
		k := strings.ToLower(rr.Header().Name)
		out[k] = append(out[k], rr)
	}
	return out
}

// authority answers from z like an authoritative server: NXDOMAIN for an
// unknown name, NODATA for a known name without the type.
func authority(z map[string][]dns.RR) dns.HandlerFunc {
	return func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		name := strings.ToLower(q.Question[0].Name)
		rrs, ok := z[name]
		if !ok {
			m.Rcode = dns.RcodeNameError
		}
		for _, rr := range rrs {
			if rr.Header().Rrtype == q.Question[0].Qtype || rr.Header().Rrtype == dns.TypeCNAME {
				m.Answer = append(m.Answer, rr)
			}
		}
		_ = w.WriteMsg(m)
	}
}

func TestResolveAnswers(t *testing.T) {
	z := zone(t,
		"meet.contoso.test. 300 IN A 192.0.2.10",
		"lyncdiscover.contoso.test. 300 IN CNAME webext.contoso.test.",
		"webext.contoso.test. 300 IN A 192.0.2.11",
		"nodata.contoso.test. 300 IN TXT \"x\"",
	)
	addr := startDNS(t, authority(z))
	cases := map[string]struct {
		name, rcode, addrs, chain string
		nodata                    bool
	}{
		"a record":    {name: "meet.contoso.test", rcode: "NOERROR", addrs: "192.0.2.10"},
		"cname chase": {name: "lyncdiscover.contoso.test", rcode: "NOERROR", addrs: "192.0.2.11", chain: "webext.contoso.test"},
		"nxdomain":    {name: "dialin.contoso.test", rcode: "NXDOMAIN"},
		"nodata":      {name: "nodata.contoso.test", rcode: "NOERROR", nodata: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			a, err := Resolve(ctx, addr, tc.name, dns.TypeA)
			if err != nil {
				t.Fatal(err)
			}
			if a.Rcode != tc.rcode || strings.Join(a.Addresses, ",") != tc.addrs || strings.Join(a.CNAMEs, ",") != tc.chain || a.NoData() != tc.nodata {
				t.Fatalf("got rcode %s addrs %v chain %v nodata %v", a.Rcode, a.Addresses, a.CNAMEs, a.NoData())
			}
		})
	}
}

func TestResolveTruncatedFallsBackToTCP(t *testing.T) {
	var tcpSeen atomic.Bool
	addr := startDNS(t, func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		if _, udp := w.RemoteAddr().(*net.UDPAddr); udp {
			m.Truncated = true
		} else {
			tcpSeen.Store(true)
			rr, _ := dns.NewRR(q.Question[0].Name + " 60 IN A 192.0.2.7")
			m.Answer = append(m.Answer, rr)
		}
		_ = w.WriteMsg(m)
	})
	a, err := Resolve(context.Background(), addr, "big.contoso.test", dns.TypeA)
	if err != nil {
		t.Fatal(err)
	}
	if !a.TCP || !tcpSeen.Load() || strings.Join(a.Addresses, ",") != "192.0.2.7" {
		t.Fatalf("want a TCP answer 192.0.2.7, got tcp=%v %v", a.TCP, a.Addresses)
	}
}

func TestResolveSilentServerHitsDeadline(t *testing.T) {
	addr := startDNS(t, func(dns.ResponseWriter, *dns.Msg) {})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Resolve(ctx, addr, "meet.contoso.test", dns.TypeA)
	if KindOf(err) != KindTimeout {
		t.Fatalf("want a timeout, got %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("the deadline was not honoured: %s", d)
	}
}

func TestResolveRetriesLostUDP(t *testing.T) {
	var n atomic.Int32
	addr := startDNS(t, func(w dns.ResponseWriter, q *dns.Msg) {
		if n.Add(1) == 1 {
			return // the first datagram is "lost"
		}
		authority(zone(t, "meet.contoso.test. 60 IN A 192.0.2.1"))(w, q)
	})
	a, err := Resolve(context.Background(), addr, "meet.contoso.test", dns.TypeA)
	if err != nil || len(a.Addresses) != 1 {
		t.Fatalf("want an answer after a retry, got %v %v", a, err)
	}
}

func TestResolveIgnoresWrongID(t *testing.T) {
	addr := startDNS(t, func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		m.Id = q.Id + 1
		_ = w.WriteMsg(m)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := Resolve(ctx, addr, "meet.contoso.test", dns.TypeA)
	if err == nil || KindOf(err) != KindTimeout {
		t.Fatalf("a reply with the wrong ID must not be taken: %v", err)
	}
}

func TestResolveWrongQuestion(t *testing.T) {
	addr := startDNS(t, func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		m.Question[0].Name = "other.contoso.test."
		_ = w.WriteMsg(m)
	})
	_, err := Resolve(context.Background(), addr, "meet.contoso.test", dns.TypeA)
	var pe *Error
	if !errors.As(err, &pe) || pe.Kind != KindGarbage {
		t.Fatalf("want a malformed-answer error, got %v", err)
	}
}

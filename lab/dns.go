package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

const zoneTTL = 300

// ednsSize is the UDP size the server advertises (the DNS flag day value).
const ednsSize = 1232

// zonePlan is what the zone is made of: where the names point and which
// ports the Edge SRV records announce.
type zonePlan struct {
	ip               net.IP
	sipTLS, federate int
}

// zoneLines writes the public zone as BIND lines, one record a line,
// leaving out whatever the faults remove.
func zoneLines(p zonePlan, f faultSet) []string {
	apex := Domain + "."
	rec := func(owner, typ, data string) string {
		return fmt.Sprintf("%s %d IN %s %s", owner, zoneTTL, typ, data)
	}
	addr := "A"
	if p.ip.To4() == nil {
		addr = "AAAA"
	}
	lines := []string{
		rec(apex, "SOA", fmt.Sprintf("ns1.%s hostmaster.%s 1 3600 600 86400 %d", apex, apex, zoneTTL)),
		rec(apex, "NS", "ns1."+apex),
		rec("ns1."+apex, addr, p.ip.String()),
	}
	for _, h := range zoneHosts() {
		if !f.hasArg("missing-dns", h) {
			lines = append(lines, rec(h+".", addr, p.ip.String()))
		}
	}
	return append(lines,
		rec("_sip._tls."+apex, "SRV", fmt.Sprintf("0 0 %d %s.", p.sipTLS, AccessEdge)),
		rec("_sipfederationtls._tcp."+apex, "SRV", fmt.Sprintf("0 0 %d %s.", p.federate, AccessEdge)),
	)
}

// zone is an authoritative zone held in memory.
type zone struct {
	origin string
	rrs    []dns.RR
	byName map[string][]dns.RR // lower-case owner → records
	exists map[string]bool     // every owner and empty non-terminal
	soa    dns.RR
}

func newZone(origin string, lines []string) (*zone, error) {
	z := &zone{origin: dns.Fqdn(strings.ToLower(origin)), byName: map[string][]dns.RR{}, exists: map[string]bool{}}
	for _, line := range lines {
		rr, err := dns.NewRR(line)
		if err != nil {
			return nil, fmt.Errorf("zone line %q: %w", line, err)
		}
		owner := strings.ToLower(rr.Header().Name)
		z.rrs = append(z.rrs, rr)
		z.byName[owner] = append(z.byName[owner], rr)
		if rr.Header().Rrtype == dns.TypeSOA {
			z.soa = rr
		}
		// Names between the owner and the apex exist too (_tls.contoso.test
		// is an empty non-terminal): they answer NODATA, not NXDOMAIN.
		for n := owner; dns.IsSubDomain(z.origin, n); {
			z.exists[n] = true
			i, end := dns.NextLabel(n, 0)
			if end {
				break
			}
			n = n[i:]
		}
	}
	if z.soa == nil {
		return nil, errors.New("zone has no SOA record")
	}
	return z, nil
}

// String is the zone in BIND format: what the lab serves.
func (z *zone) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "$ORIGIN %s\n$TTL %d\n", z.origin, zoneTTL)
	for _, rr := range z.rrs {
		b.WriteString(rr.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// resolve fills m's answer for q, following CNAMEs inside the zone.
func (z *zone) resolve(m *dns.Msg, q dns.Question) {
	name := strings.ToLower(q.Name)
	if q.Qclass != dns.ClassINET || !dns.IsSubDomain(z.origin, name) {
		m.Authoritative = false
		m.Rcode = dns.RcodeRefused
		return
	}
	for range 8 {
		if !z.exists[name] {
			m.Rcode = dns.RcodeNameError
			m.Ns = []dns.RR{dns.Copy(z.soa)}
			return
		}
		if ans := pick(z.byName[name], q.Qtype); len(ans) > 0 {
			m.Answer = append(m.Answer, ans...)
			return
		}
		cname := pick(z.byName[name], dns.TypeCNAME)
		if len(cname) == 0 || q.Qtype == dns.TypeCNAME {
			m.Ns = []dns.RR{dns.Copy(z.soa)} // NODATA
			return
		}
		m.Answer = append(m.Answer, cname...)
		name = strings.ToLower(cname[0].(*dns.CNAME).Target)
		if !dns.IsSubDomain(z.origin, name) {
			return // the resolver chases names outside the zone
		}
	}
}

// pick copies the records of one type (all of them for ANY).
func pick(rrs []dns.RR, qtype uint16) []dns.RR {
	var out []dns.RR
	for _, rr := range rrs {
		if qtype == dns.TypeANY || rr.Header().Rrtype == qtype {
			out = append(out, dns.Copy(rr))
		}
	}
	return out
}

// dnsHandler answers from the zone after the lab's latency.
type dnsHandler struct {
	zone  *zone
	pause func(context.Context) bool
}

func (h *dnsHandler) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	if !h.pause(context.Background()) {
		return // the lab is closing
	}
	m := new(dns.Msg)
	m.SetReply(r)
	m.Authoritative = true
	switch {
	case r.Opcode != dns.OpcodeQuery:
		m.Rcode = dns.RcodeNotImplemented
	case len(r.Question) != 1:
		m.Rcode = dns.RcodeFormatError
	default:
		h.zone.resolve(m, r.Question[0])
	}
	if r.IsEdns0() != nil {
		m.SetEdns0(ednsSize, false) // EDNS in, EDNS out (RFC 6891)
	}
	if _, tcp := w.LocalAddr().(*net.TCPAddr); !tcp {
		m.Truncate(udpSize(r))
	}
	_ = w.WriteMsg(m)
}

// udpSize is the largest UDP answer the client said it takes.
func udpSize(r *dns.Msg) int {
	if opt := r.IsEdns0(); opt != nil && int(opt.UDPSize()) > dns.MinMsgSize {
		return int(opt.UDPSize())
	}
	return dns.MinMsgSize
}

// dnsServer is one UDP and one TCP server on the same port, as a real
// name server listens.
type dnsServer struct {
	addr     string
	udp, tcp *dns.Server
}

// listenDNS binds UDP on a free port, then TCP on the same port; another
// process may hold that TCP port, so it tries a few times.
func listenDNS(ip string) (net.PacketConn, net.Listener, error) {
	var err error
	for range 10 {
		var pc net.PacketConn
		if pc, err = net.ListenPacket("udp", net.JoinHostPort(ip, "0")); err != nil {
			return nil, nil, err
		}
		port := pc.LocalAddr().(*net.UDPAddr).Port
		ln, lerr := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
		if lerr == nil {
			return pc, ln, nil
		}
		err = lerr
		pc.Close()
	}
	return nil, nil, fmt.Errorf("no port free for both UDP and TCP: %w", err)
}

// startDNS serves h on pc and ln and returns once both are serving.
func startDNS(ctx context.Context, pc net.PacketConn, ln net.Listener, h dns.Handler) (*dnsServer, error) {
	s := &dnsServer{addr: ln.Addr().String()}
	s.udp = &dns.Server{PacketConn: pc, Handler: h}
	s.tcp = &dns.Server{Listener: ln, Handler: h}
	errc := make(chan error, 2)
	ready := make(chan struct{}, 2)
	for _, srv := range []*dns.Server{s.udp, s.tcp} {
		srv.NotifyStartedFunc = func() { ready <- struct{}{} }
		go func() { errc <- srv.ActivateAndServe() }()
	}
	for range 2 {
		select {
		case <-ready:
		case err := <-errc:
			s.shutdown()
			return nil, fmt.Errorf("dns server: %w", err)
		case <-ctx.Done():
			s.shutdown()
			return nil, ctx.Err()
		}
	}
	return s, nil
}

// shutdown stops both servers and waits for their handlers.
func (s *dnsServer) shutdown() {
	for _, srv := range []*dns.Server{s.udp, s.tcp} {
		if srv.ShutdownContext(context.Background()) != nil {
			// Not started: close its socket ourselves.
			if srv.PacketConn != nil {
				srv.PacketConn.Close()
			}
			if srv.Listener != nil {
				srv.Listener.Close()
			}
		}
	}
}

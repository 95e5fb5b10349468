package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
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
	proxyIPs         []net.IP          // the published names' addresses (the view's own, topology.go)
	override         map[string]net.IP // a host's address in place of proxyIPs (region-record)
	sipTLS, federate int
	extra            []string // hosts beyond hostLabels (owa under --lab-owa)
}

// The domain the lyncdiscover-cname fault points into: another domain the
// lab's DNS also serves, so the name still resolves to the proxy and only
// the cross-domain CNAME is wrong (learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements's director.contoso.net).
const (
	ForeignDomain = "contoso-dmz.test"
	foreignTarget = "director." + ForeignDomain
)

// splitHost is the name the resolver-split fault's second resolver does
// not have: a secondary that has not caught up with the primary.
const splitHost = MeetHost

// zoneLines writes the public zone as BIND lines, one record a line,
// leaving out or changing whatever the faults say. Each SOA starts a zone.
func zoneLines(p zonePlan, f faultSet) []string {
	apex := Domain + "."
	lines := soaLines(apex, p.ip)
	for _, h := range append(zoneHosts(), p.extra...) {
		if !f.hasArg("missing-dns", h) {
			lines = append(lines, hostLines(h, p, f)...)
		}
	}
	if !f.has("no-srv") {
		lines = append(lines,
			rec("_sip._tls."+apex, "SRV", fmt.Sprintf("0 0 %d %s.", p.sipTLS, AccessEdge)),
			rec("_sipfederationtls._tcp."+apex, "SRV", fmt.Sprintf("0 0 %d %s.", p.federate, AccessEdge)),
		)
	}
	if f.has("lyncdiscover-cname") {
		lines = append(lines, soaLines(ForeignDomain+".", p.ip)...)
		lines = append(lines, addrLine(foreignTarget, p.ip))
	}
	return lines
}

func rec(owner, typ, data string) string {
	return fmt.Sprintf("%s %d IN %s %s", owner, zoneTTL, typ, data)
}

func addrLine(host string, ip net.IP) string {
	if ip.To4() == nil {
		return rec(host+".", "AAAA", ip.String())
	}
	return rec(host+".", "A", ip.String())
}

// soaLines start a zone: its SOA, its name server and the server's address.
func soaLines(apex string, ip net.IP) []string {
	return []string{
		rec(apex, "SOA", fmt.Sprintf("ns1.%s hostmaster.%s 1 3600 600 86400 %d", apex, apex, zoneTTL)),
		rec(apex, "NS", "ns1."+apex),
		addrLine("ns1."+strings.TrimSuffix(apex, "."), ip),
	}
}

// hostLines are a host's records: the lab's address (a published name's,
// the view's proxy addresses), or what a fault puts there instead.
func hostLines(h string, p zonePlan, f faultSet) []string {
	switch {
	case h == DiscoverHost && f.has("lyncdiscover-cname"):
		return []string{rec(h+".", "CNAME", foreignTarget+".")}
	case f.hasArg("wrong-ip", h):
		return []string{addrLine(h, strayIP(p.ip, 0))}
	case f.hasArg("private-ip", h):
		return []string{addrLine(h, strayIP(p.ip, 1))}
	case p.override[h] != nil:
		return []string{addrLine(h, p.override[h])}
	case !isProxied(h) || len(p.proxyIPs) == 0:
		return []string{addrLine(h, p.ip)}
	}
	var out []string
	for _, ip := range p.proxyIPs {
		out = append(out, addrLine(h, ip))
	}
	return out
}

// isProxied reports whether the reverse proxy publishes h (the Edge names
// point at the Edge).
func isProxied(h string) bool {
	return slices.Contains(publishedHosts, h) || h == OWAHost
}

// strayIP is the n-th loopback address other than the lab's own. The lab
// listens only on its own address, and holds its ports there, so nothing
// can listen on a stray address's ports: a probe sent there is refused at
// once and never leaves the machine. It stands in for a wrong public
// address (wrong-ip) and for an internal one (private-ip): dns.private-address
// counts loopback among the addresses public DNS must not publish.
func strayIP(own net.IP, n int) net.IP {
	for last := byte(2); ; last++ {
		ip := net.IPv4(127, 0, 0, last)
		if ip.Equal(own) {
			continue
		}
		if n == 0 {
			return ip
		}
		n--
	}
}

// splitFaults is what the resolver-split fault's second resolver serves:
// the primary's faults, less one record.
func splitFaults(f faultSet) faultSet {
	out := faultSet{}
	for k, v := range f {
		out[k] = append([]string(nil), v...)
	}
	out["missing-dns"] = append(out["missing-dns"], splitHost)
	return out
}

// zone is an authoritative server's data, held in memory: one or more
// zones, each started by its SOA.
type zone struct {
	origins []string
	rrs     []dns.RR
	byName  map[string][]dns.RR // lower-case owner → records
	exists  map[string]bool     // every owner and empty non-terminal
	soa     map[string]dns.RR   // apex → its SOA
}

func newZone(lines []string) (*zone, error) {
	z := &zone{byName: map[string][]dns.RR{}, exists: map[string]bool{}, soa: map[string]dns.RR{}}
	for _, line := range lines {
		rr, err := dns.NewRR(line)
		if err != nil {
			return nil, fmt.Errorf("zone line %q: %w", line, err)
		}
		z.rrs = append(z.rrs, rr)
		if rr.Header().Rrtype == dns.TypeSOA {
			apex := strings.ToLower(rr.Header().Name)
			z.origins = append(z.origins, apex)
			z.soa[apex] = rr
		}
	}
	if len(z.origins) == 0 {
		return nil, errors.New("zone has no SOA record")
	}
	for _, rr := range z.rrs {
		owner := strings.ToLower(rr.Header().Name)
		z.byName[owner] = append(z.byName[owner], rr)
		// Names between the owner and the apex exist too (_tls.contoso.test
		// is an empty non-terminal): they answer NODATA, not NXDOMAIN.
		for n := owner; z.apexOf(n) != ""; {
			z.exists[n] = true
			i, end := dns.NextLabel(n, 0)
			if end {
				break
			}
			n = n[i:]
		}
	}
	return z, nil
}

// apexOf is the apex of the zone that holds name, "" when none does.
func (z *zone) apexOf(name string) string {
	for _, o := range z.origins {
		if dns.IsSubDomain(o, name) {
			return o
		}
	}
	return ""
}

// String is the zone in BIND format: what the lab serves.
func (z *zone) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "$TTL %d\n", zoneTTL)
	for _, rr := range z.rrs {
		if rr.Header().Rrtype == dns.TypeSOA {
			fmt.Fprintf(&b, "$ORIGIN %s\n", strings.ToLower(rr.Header().Name))
		}
		b.WriteString(rr.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// resolve fills m's answer for q, following CNAMEs inside the zone.
func (z *zone) resolve(m *dns.Msg, q dns.Question) {
	name := strings.ToLower(q.Name)
	if q.Qclass != dns.ClassINET || z.apexOf(name) == "" {
		m.Authoritative = false
		m.Rcode = dns.RcodeRefused
		return
	}
	for range 8 {
		soa := dns.Copy(z.soa[z.apexOf(name)])
		if !z.exists[name] {
			m.Rcode = dns.RcodeNameError
			m.Ns = []dns.RR{soa}
			return
		}
		if ans := pick(z.byName[name], q.Qtype); len(ans) > 0 {
			m.Answer = append(m.Answer, ans...)
			return
		}
		cname := pick(z.byName[name], dns.TypeCNAME)
		if len(cname) == 0 || q.Qtype == dns.TypeCNAME {
			m.Ns = []dns.RR{soa} // NODATA
			return
		}
		m.Answer = append(m.Answer, cname...)
		name = strings.ToLower(cname[0].(*dns.CNAME).Target)
		if z.apexOf(name) == "" {
			return // the resolver chases names outside the zones
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

// serveZone starts one authoritative server for the zone made of lines.
func (l *Lab) serveZone(ctx context.Context, lines []string) (*zone, *dnsServer, error) {
	z, err := newZone(lines)
	if err != nil {
		return nil, nil, err
	}
	pc, ln, err := listenDNS(l.opts.Addr)
	if err != nil {
		return nil, nil, err
	}
	s, err := startDNS(ctx, pc, ln, &dnsHandler{zone: z, pause: l.pause})
	if err != nil {
		return nil, nil, err
	}
	return z, s, nil
}

// Zones are the zones the lab's resolvers serve, in the order the config
// lists the resolvers, in BIND format: one, or two under resolver-split.
// Each, written to a file, gives offline what that resolver gives live.
func (l *Lab) Zones() []string {
	var out []string
	for _, z := range []*zone{l.zone, l.splitZ} {
		if z != nil {
			out = append(out, z.String())
		}
	}
	for _, r := range l.regions {
		out = append(out, r.zone.String())
	}
	return out
}

package lab

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"

	"golang.org/x/net/netutil"
)

// Topology settings (not faults: under them the lab is healthy):
//   - Options.Regions > 1: geo-DNS. Each region has its own proxy node, on
//     its own loopback address at the published port, and its own
//     authoritative DNS server (a view) whose published names point at
//     that node only; the config declares one dns.views entry per region.
//   - Options.DualStack: the proxy also listens on [::1] at the published
//     port, and every published name has an AAAA record for it beside the
//     A record, as a dual-stack proxy is published.

const (
	maxRegions = 4
	// retiredIP is where the region-record=retired fault points a region's
	// meet record: an address the region's proxy no longer has (nothing
	// listens there, so a probe is refused at once).
	retiredIP = "127.0.1.99"
	// IPv6Addr is the proxy's IPv6 address under Options.DualStack.
	IPv6Addr = "::1"
)

// door is a further public address of the proxy at the published port: a
// region's own node, or the IPv6 listener of a dual-stack proxy.
type door struct {
	ip     string
	region int // 1-based
	ln     net.Listener
}

// regionIP is region r's proxy address (region 1 is the lab's own).
func (l *Lab) regionIP(r int) string {
	if r <= 1 {
		return l.opts.Addr
	}
	return "127.0.1." + strconv.Itoa(r)
}

// checkTopology rejects settings the lab cannot be.
func (o Options) checkTopology() error {
	if o.Regions < 0 || o.Regions > maxRegions {
		return fmt.Errorf("regions %d: want 1 to %d", o.Regions, maxRegions)
	}
	ip := net.ParseIP(o.Addr)
	if (o.Regions > 1 || o.DualStack) && (ip.To4() == nil || !ip.IsLoopback()) {
		return errors.New("regions and dual stack need an IPv4 loopback lab address")
	}
	if o.Regions > 1 {
		// Linux has all of 127.0.0.0/8; elsewhere the regions' addresses
		// may be missing.
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.1.2", "0"))
		if err != nil {
			return fmt.Errorf("regions: cannot listen on 127.0.1.2 (%v): %w", err, ErrUnavailable)
		}
		ln.Close()
	}
	if o.DualStack {
		ln, err := net.Listen("tcp", net.JoinHostPort(IPv6Addr, "0"))
		if err != nil {
			return fmt.Errorf("dual stack: cannot listen on [%s] (%v): %w", IPv6Addr, err, ErrUnavailable)
		}
		ln.Close()
	}
	return nil
}

// openDoors listens on every further public address at port; a port held
// there by another program makes the caller try again with other ports.
func (l *Lab) openDoors(port int) ([]door, error) {
	var out []door
	want := []door{}
	for r := 2; r <= l.opts.Regions; r++ {
		want = append(want, door{ip: l.regionIP(r), region: r})
	}
	if l.opts.DualStack {
		want = append(want, door{ip: IPv6Addr, region: 1})
	}
	for _, d := range want {
		ln, err := net.Listen("tcp", net.JoinHostPort(d.ip, strconv.Itoa(port)))
		if err != nil {
			for _, o := range out {
				o.ln.Close()
			}
			return nil, err
		}
		d.ln = ln
		out = append(out, d)
	}
	return out, nil
}

// regionProxyIPs are the addresses region r's view gives the published
// names: its node's, and ::1 beside region 1's under dual stack.
func (l *Lab) regionProxyIPs(r int) []net.IP {
	out := []net.IP{net.ParseIP(l.regionIP(r))}
	if r == 1 && l.opts.DualStack {
		out = append(out, net.ParseIP(IPv6Addr))
	}
	return out
}

// startRegionDNS starts the views of regions 2 and up, each with its own
// proxy address; region-record bends region 2's meet record.
func (l *Lab) startRegionDNS(ctx context.Context, plan zonePlan) error {
	for r := 2; r <= l.opts.Regions; r++ {
		p := plan
		p.proxyIPs = l.regionProxyIPs(r)
		if r == 2 {
			p.override = l.regionRecordFault()
		}
		z, s, err := l.serveZone(ctx, zoneLines(p, l.faults))
		if err != nil {
			return err
		}
		l.regions = append(l.regions, regionDNS{zone: z, dns: s})
	}
	return nil
}

// regionRecordFault is region 2's meet record under region-record: region
// 1's proxy (other-region) or a retired address.
func (l *Lab) regionRecordFault() map[string]net.IP {
	switch l.faults.arg("region-record") {
	case "other-region":
		return map[string]net.IP{MeetHost: net.ParseIP(l.regionIP(1))}
	case "retired":
		return map[string]net.IP{MeetHost: net.ParseIP(retiredIP)}
	}
	return nil
}

// regionDNS is one further region's authoritative server.
type regionDNS struct {
	zone *zone
	dns  *dnsServer
}

// viewConfig is one dns.views entry of the written config.
type viewConfig struct {
	Name     string
	Resolver string
	Proxy    []string
	Edge     string
}

// viewsConfig are the regions' views, or none with one region.
func (l *Lab) viewsConfig() []viewConfig {
	if l.opts.Regions < 2 {
		return nil
	}
	var out []viewConfig
	for r := 1; r <= l.opts.Regions; r++ {
		res := l.dns.addr
		if r > 1 {
			res = l.regions[r-2].dns.addr
		}
		var proxy []string
		for _, ip := range l.regionProxyIPs(r) {
			proxy = append(proxy, ip.String())
		}
		out = append(out, viewConfig{Name: RegionName(r), Resolver: res, Proxy: proxy, Edge: l.opts.Addr})
	}
	return out
}

// RegionName is region r's view name in the config: region1, region2, …
func RegionName(r int) string { return "region" + strconv.Itoa(r) }

// serveDoor serves a further public address as a proxy node of its own,
// with node 1's certificate; ipv6-host-rewrite bends the IPv6 one.
func (l *Lab) serveDoor(d door, bes []backend, roots *x509.CertPool) {
	name := fmt.Sprintf("tmg-r%d", d.region)
	if d.ip == IPv6Addr {
		name = "tmg-v6"
	}
	p := newProxyNode(name, bes, roots, l.pause)
	p.mode = lbMode(l.opts.LB)
	l.bendAffinity(p)
	l.bendProxy(-1, p)
	if d.ip == IPv6Addr && l.faults.has("ipv6-host-rewrite") {
		p.backendHost = PoolFQDN // only the IPv6 listener's rule drops the client's Host
	}
	l.proxies = append(l.proxies, p)
	srv := l.newHTTPServer(p)
	srv.ConnContext = withConnState
	cfg := l.proxyTLS(0)
	if d.ip == IPv6Addr && l.faults.has("ipv6-wrong-cert") {
		cfg = serverTLS(l.pki.oldProxy)
	}
	l.serve(srv, tls.NewListener(l.slow(netutil.LimitListener(d.ln, maxProxyConns)), cfg))
}

// ipv6Leaf is what the IPv6 listener serves under ipv6-wrong-cert: a
// certificate made for the IPv4 listener before dial-in was published.
func ipv6Leaf(s leafSpec) *leafSpec {
	s.DNS = slices.DeleteFunc(slices.Clone(s.DNS), func(h string) bool { return h == DialinHost })
	return &s
}

// impliedRegions is the least number of regions the faults need.
func (fs faultSet) impliedRegions() int {
	n := 0
	for _, f := range Faults {
		if fs.has(f.Name) {
			n = max(n, f.Regions)
		}
	}
	return n
}

// impliedDualStack reports whether a switched-on fault needs dual stack.
func (fs faultSet) impliedDualStack() bool {
	for _, f := range Faults {
		if f.DualStack && fs.has(f.Name) {
			return true
		}
	}
	return false
}

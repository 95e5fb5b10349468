// Package lab is the embedded test deployment: a Lync/Skype for Business
// deployment published through a reverse proxy, simulated on loopback. It
// is only ever a target: lyncprobe and its tests check it, nothing in it
// checks anything.
//
// Start brings up, on free ports of one loopback address and without
// root: an authoritative DNS server for contoso.test (UDP and TCP), a
// throwaway public CA and an internal CA, two emulated front ends
// (fe01/fe02 of pool01.contoso.local, their IIS External site and the
// Internal site behind it), one or more TLS reverse-proxy nodes standing
// in for TMG, an L4 balancer in front of them when there are several, an
// emulated Edge (edge.go: Access, Web Conferencing and A/V roles), and
// with Options.OWA an Office Web Apps host. It writes a lyncprobe.yaml that describes all of it.
//
// A fault (see Faults) is a named, small change to one component; the
// components read the switched-on faults from a faultSet. Settings
// (nodes, balancing mode, latency, version) are not faults: under any of
// them the lab is healthy.
package lab

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/netutil"
)

// versions the lab can emulate, oldest first (as config.Versions).
var versions = []string{"lync2010", "lync2013", "sfb2015", "sfb2019", "sfbse"}

const (
	defaultVersion = "sfb2019"
	maxNodes       = 16
)

// Options configure a lab. The zero value is a healthy one-node lab.
type Options struct {
	Faults  []FaultSpec   // faults to switch on
	Nodes   int           // reverse-proxy nodes; 0 or 1 = one; more puts an L4 balancer in front
	LB      string        // how a node picks a front end: "source-ip" (default) or "cookie" (MS-WSMAN)
	Latency time.Duration // added to each DNS answer, each new proxy/balancer connection and each proxy response
	Version string        // lync2010|lync2013|sfb2015|sfb2019|sfbse (default sfb2019)
	Dir     string        // where to write the config and CA files; "" = a temp dir removed on Close
	Addr    string        // IP to bind, default 127.0.0.1
	OWA     bool          // also emulate an Office Web Apps host, owa.contoso.test, published by the proxy
	// SNICerts: the proxy serves lyncdiscover (and owa under OWA) with a
	// certificate of its own, chosen by SNI; the main certificate leaves
	// those names out.
	SNICerts bool
	// CrossCert: the proxy's chain also carries an expired cross-certificate
	// of the public root, issued by an older root; the path to the root in
	// ca.pem stays valid beside it.
	CrossCert bool
	// Hardened strips the branding headers from every answer of the proxy
	// (Server, X-Powered-By, X-AspNet-Version, X-MS-Server-Fqdn), as a
	// security-reviewed deployment does; the config then names the
	// MS-WSMAN cookie as the affinity identity (hardened.go).
	Hardened bool
	// Regions > 1 publishes the names per region (geo-DNS views), each
	// region with its own proxy node and resolver; DualStack adds the
	// proxy's IPv6 listener on ::1 (topology.go).
	Regions   int
	DualStack bool
	// DiscoverHTTPOnly publishes lyncdiscover over HTTP only (discoverhttp.go).
	DiscoverHTTPOnly bool
	// ECDSA: the proxy and the Edge serve ECDSA P-256 certificates
	// instead of RSA-2048, whose signing is half the lab's CPU in a
	// handshake: for benchmarks and fleet tests. RSA stays the default,
	// since real proxies mostly serve RSA. The weak-key fault still makes
	// a 1024-bit RSA key.
	ECDSA bool
	// ReuseKeys: the lab's RSA keys come from a pool kept for the life of
	// the process instead of being generated for this lab (keyring, ca.go):
	// for tests and benchmarks that start many labs. The certificates are
	// still minted for each lab, and no two in one lab share a key.
	ReuseKeys bool
}

// Lab is a running lab deployment.
type Lab struct {
	Dir            string
	ConfigPath     string   // Dir/lyncprobe.yaml
	CAFile         string   // the public root, Dir/ca.pem
	InternalCAFile string   // the front ends' CA, Dir/internal-ca.pem
	DNSAddr        string   // the DNS server, UDP and TCP
	DNSAddrs       []string // every lab resolver, as the config lists them (two under resolver-split)
	ProxyAddr      string   // the published HTTPS address (the balancer when Nodes > 1)
	Port           int      // ProxyAddr's port, the published HTTPS port
	Nodes          []string // the proxy nodes
	FrontEnds      []string // fe01's and fe02's External site
	EdgeAddrs      []string // the Edge's TCP ports: SIP/TLS, federation, web conferencing, A/V (edge.go)
	EdgeUDPAddr    string   // the A/V Edge's UDP port (MS-TURN)
	HTTPPort       int      // the published HTTP port under DiscoverHTTPOnly; 0 = none
	Version        string
	// ProxyCertFile is the proxy's certificate as node 1 serves it (PEM:
	// the leaf, then the rest of the chain sent), Dir/proxy-cert.pem, for
	// lyncprobe cert inspect.
	ProxyCertFile string
	crl           *crlSite // the lab CA's CRL distribution point (crl.go)

	opts    Options
	faults  faultSet
	latency time.Duration
	ctx     context.Context // done once Close starts
	stop    context.CancelFunc
	ownDir  bool

	lns     labListeners
	closers []io.Closer
	pki     *pki
	zone    *zone
	dns     *dnsServer
	split   *dnsServer  // resolver-split's second resolver
	regions []regionDNS // regions 2 and up under Options.Regions (topology.go)
	splitZ  *zone
	fes     []*frontEnd
	proxies []*proxyNode
	servers []*http.Server
	bal     *balancer
	httpx   labHTTP // the HTTP module's parts: internal sites, Office Web Apps (httpfaults.go)
	wg      sync.WaitGroup

	closeOnce sync.Once
	closeErr  error
}

// labListeners are the TCP listeners, opened first so that every
// component knows every port before anything serves.
type labListeners struct {
	fe, nodes, edge []net.Listener
	public          net.Listener
	doors           []door // the proxy's further public addresses (topology.go)
}

// quietLog swallows the servers' log lines (TLS handshake errors from
// probes that reject the certificate are expected, not news).
var quietLog = log.New(io.Discard, "", 0)

// Start brings the lab up; everything listens before it returns. ctx
// bounds the start only: the lab runs until Close.
func Start(ctx context.Context, o Options) (*Lab, error) {
	o, fs, err := o.check()
	if err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	l := &Lab{Version: o.Version, opts: o, faults: fs, latency: o.Latency}
	l.ctx, l.stop = context.WithCancel(context.Background())
	steps := []func() error{l.makeDir, l.listen, l.mintPKI, l.startFrontEnds, l.startHTTPParts, l.startProxies, l.startDiscoverHTTP,
		l.startEdge, func() error { return l.startDNS(ctx) }, l.writeConfig}
	for _, step := range steps {
		err := ctx.Err()
		if err == nil {
			err = step()
		}
		if err != nil {
			l.Close()
			return nil, fmt.Errorf("lab: %w", err)
		}
	}
	return l, nil
}

// check fills the defaults and rejects what the lab cannot be.
func (o Options) check() (Options, faultSet, error) {
	if o.Version == "" {
		o.Version = defaultVersion
	}
	if !slices.Contains(versions, o.Version) {
		return o, nil, fmt.Errorf("version %q: want one of %s", o.Version, strings.Join(versions, ", "))
	}
	switch o.LB {
	case "":
		o.LB = string(o.defaultLB())
	case string(lbSourceIP), string(lbCookie):
	default:
		return o, nil, fmt.Errorf("lb %q: want source-ip or cookie", o.LB)
	}
	if o.Nodes < 0 || o.Nodes > maxNodes {
		return o, nil, fmt.Errorf("nodes %d: want 1 to %d", o.Nodes, maxNodes)
	}
	o.Nodes = max(o.Nodes, 1)
	if o.Latency < 0 {
		return o, nil, errors.New("latency must not be negative")
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1"
	}
	if net.ParseIP(o.Addr) == nil {
		return o, nil, fmt.Errorf("addr %q is not an IP address", o.Addr)
	}
	fs, err := newFaultSet(o.Faults)
	if err != nil {
		return o, nil, err
	}
	o.Regions, o.DualStack = max(o.Regions, fs.impliedRegions()), o.DualStack || fs.impliedDualStack()
	o.DiscoverHTTPOnly = o.DiscoverHTTPOnly || fs.impliedDiscoverHTTPOnly()
	if err := o.checkTopology(); err != nil {
		return o, nil, err
	}
	o.Nodes = max(o.Nodes, fs.impliedNodes())
	o.OWA = o.OWA || fs.impliedOWA()
	if o.LB, err = fs.impliedLB(o.LB); err == nil && fs.has("nat-pool") {
		err = checkNATPool(o.Addr)
	}
	return o, fs, err
}

func (l *Lab) makeDir() error {
	if l.opts.Dir == "" {
		dir, err := os.MkdirTemp("", "lyncprobe-lab-")
		l.Dir, l.ownDir = dir, err == nil
		return err
	}
	dir, err := filepath.Abs(l.opts.Dir)
	if err != nil {
		return err
	}
	l.Dir = dir
	return os.MkdirAll(dir, 0o755)
}

// listen opens every listener; the proxy's further public addresses need
// the published port free on their address too, else it tries new ports.
func (l *Lab) listen() error {
	var err error
	for range 10 {
		if err = l.listenOnce(); err != nil {
			return err
		}
		if l.lns.doors, err = l.openDoors(l.Port); err == nil {
			for _, d := range l.lns.doors {
				l.closers = append(l.closers, d.ln)
			}
			return nil
		}
		for _, c := range l.closers {
			c.Close()
		}
		l.closers = nil
	}
	return fmt.Errorf("no published port free on every proxy address: %w", err)
}

func (l *Lab) listenOnce() error {
	n := 2 + edgeTCPPorts + l.opts.Nodes
	if l.opts.Nodes > 1 {
		n++ // the balancer's public port
	}
	lns := make([]net.Listener, n)
	for i := range lns {
		ln, err := net.Listen("tcp", net.JoinHostPort(l.opts.Addr, "0"))
		if err != nil {
			return err
		}
		l.closers = append(l.closers, ln)
		lns[i] = ln
	}
	l.lns.fe, lns = lns[:2], lns[2:]
	l.lns.edge, lns = lns[:edgeTCPPorts], lns[edgeTCPPorts:]
	l.lns.nodes, lns = lns[:l.opts.Nodes], lns[l.opts.Nodes:]
	l.lns.public = l.lns.nodes[0]
	if len(lns) > 0 {
		l.lns.public = lns[0]
	}
	l.FrontEnds, l.Nodes, l.EdgeAddrs = addrsOf(l.lns.fe), addrsOf(l.lns.nodes), addrsOf(l.lns.edge)
	l.ProxyAddr, l.Port = l.lns.public.Addr().String(), portOf(l.lns.public)
	return nil
}

func addrsOf(lns []net.Listener) []string {
	out := make([]string, len(lns))
	for i, ln := range lns {
		out[i] = ln.Addr().String()
	}
	return out
}

func portOf(ln net.Listener) int { return ln.Addr().(*net.TCPAddr).Port }

// proxyLeafSpec is the reverse proxy's certificate as Microsoft asks for
// it: the external web services name as CN, every published name as SAN,
// a 2048-bit RSA key. Certificate faults bend this spec.
func (l *Lab) proxyLeafSpec(now time.Time) leafSpec {
	return l.bendProxyLeaf(leafSpec{CN: ExternalWeb, DNS: l.certNames(), RSABits: l.rsaBits(),
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), CRL: []string{l.crlURL("issuing")},
		OCSP: []string{l.ocspURL()}}, now)
}

// rsaBits is the size of the proxy's and the Edge's RSA keys: 0 (an
// ECDSA P-256 key) under Options.ECDSA.
func (l *Lab) rsaBits() int {
	if l.opts.ECDSA {
		return 0
	}
	return 2048
}

// frontEndLeafSpec is the front ends' certificate from the internal CA.
func (l *Lab) frontEndLeafSpec(now time.Time) leafSpec {
	ips := []net.IP{net.IPv4(127, 0, 0, 1)}
	if ip := net.ParseIP(l.opts.Addr); !ip.Equal(ips[0]) {
		ips = append(ips, ip)
	}
	return l.bendFrontEndLeaf(leafSpec{CN: PoolFQDN, DNS: []string{PoolFQDN, frontEndFQDN("fe01"), frontEndFQDN("fe02")}, IPs: ips,
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0)})
}

func (l *Lab) mintPKI() error {
	if err := l.listenCRL(); err != nil {
		return err
	}
	now := time.Now()
	keys := &keyring{reuse: l.opts.ReuseKeys, taken: map[int]int{}}
	p, err := newPKI(now, l.proxyPlan(now), l.frontEndLeafSpec(now), keys)
	if err != nil {
		return err
	}
	l.pki = p
	l.CAFile = filepath.Join(l.Dir, "ca.pem")
	l.InternalCAFile = filepath.Join(l.Dir, "internal-ca.pem")
	if err := writePEM(l.CAFile, p.publicRoot.cert); err != nil {
		return err
	}
	if err := writePEM(l.InternalCAFile, p.internalRoot.cert); err != nil {
		return err
	}
	if err := l.writeProxyCert(); err != nil {
		return err
	}
	return l.serveCRL(now)
}

// serverTLS serves one certificate (with its chain) over HTTP/1.1: Lync's
// web services and TMG speak HTTP/1.1.
func serverTLS(lf *leaf) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{lf.tlsCert()}, NextProtos: []string{"http/1.1"}, MinVersion: tls.VersionTLS12}
}

// newHTTPServer bounds what a client can hold: header time, idle time,
// header size. Requests end when the lab closes.
func (l *Lab) newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      2*time.Minute + l.latency,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          quietLog,
		BaseContext:       func(net.Listener) context.Context { return l.ctx },
	}
}

func (l *Lab) serve(srv *http.Server, ln net.Listener) {
	l.servers = append(l.servers, srv)
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		srv.Serve(ln)
	}()
}

func (l *Lab) startFrontEnds() error {
	s := &site{version: l.Version, port: l.Port}
	cfg := serverTLS(l.pki.frontEnd)
	for i, ln := range l.lns.fe {
		fe := newFrontEnd(fmt.Sprintf("fe%02d", i+1), s)
		// Faults that bend a front end set its fields here, before it
		// serves (foreignHost404: meet/dialin under a foreign Host → 404).
		l.bendFrontEnd(fe)
		l.fes = append(l.fes, fe)
		l.serve(l.newHTTPServer(fe), tls.NewListener(ln, cfg))
	}
	return nil
}

func (l *Lab) startProxies() error {
	roots := x509.NewCertPool()
	roots.AddCert(l.pki.internalRoot.cert)
	var bes []backend
	for i, fe := range l.fes {
		bes = append(bes, backend{id: fe.id, addr: l.FrontEnds[i]})
	}
	for i, ln := range l.lns.nodes {
		cfg := l.proxyTLS(i) // certificate faults: which certificate, which TLS versions
		p := newProxyNode(fmt.Sprintf("tmg%02d", i+1), bes, roots, l.pause)
		// Faults that bend a node set its fields here, before it serves:
		// backendHost (Host rewrite), mode (affinity), cookie (MS-WSMAN).
		p.mode = lbMode(l.opts.LB)
		p.hardened = l.opts.Hardened
		l.bendAffinity(p)
		l.bendProxy(i, p)
		l.proxies = append(l.proxies, p)
		srv := l.newHTTPServer(p)
		srv.ConnContext = withConnState // per-connection balancing state
		// guard.go: a cap on the connections one node holds at once
		capped := netutil.LimitListener(ln, maxProxyConns)
		l.serve(srv, tls.NewListener(l.slow(capped), cfg))
	}
	for _, d := range l.lns.doors {
		l.serveDoor(d, bes, roots)
	}
	if len(l.lns.nodes) > 1 {
		l.bal = &balancer{ln: l.lns.public, nodes: l.Nodes, ctx: l.ctx, pause: l.pause}
		l.bal.roundRobin = lbMode(l.opts.LB) == lbRoundRobin
		l.bal.start()
	}
	return nil
}

// slow adds the lab's latency to each new connection of ln.
func (l *Lab) slow(ln net.Listener) net.Listener {
	if l.latency <= 0 {
		return ln
	}
	return slowListener{Listener: ln, pause: l.pause}
}

func (l *Lab) startDNS(ctx context.Context) error {
	plan := zonePlan{ip: net.ParseIP(l.opts.Addr), proxyIPs: l.regionProxyIPs(1), sipTLS: portOf(l.lns.edge[0]), federate: portOf(l.lns.edge[1]), extra: l.extraZoneHosts()}
	var err error
	if l.zone, l.dns, err = l.serveZone(ctx, zoneLines(plan, l.faults)); err != nil {
		return err
	}
	l.DNSAddr = l.dns.addr
	l.DNSAddrs = []string{l.dns.addr}
	if l.faults.has("resolver-split") {
		// A second resolver that disagrees about one name (splitFaults).
		if l.splitZ, l.split, err = l.serveZone(ctx, zoneLines(plan, splitFaults(l.faults))); err != nil {
			return err
		}
		l.DNSAddrs = append(l.DNSAddrs, l.split.addr)
	}
	if err := l.startRegionDNS(ctx, plan); err != nil {
		return err
	}
	for _, r := range l.regions {
		l.DNSAddrs = append(l.DNSAddrs, r.dns.addr)
	}
	return nil
}

func (l *Lab) writeConfig() error {
	d := configData{Version: l.Version, Addr: l.opts.Addr, Port: l.Port, Backends: l.FrontEnds,
		SIPTLS: portOf(l.lns.edge[0]), Federation: portOf(l.lns.edge[1]), DNS: l.DNSAddrs,
		SourceAddresses: l.natPoolSources(), OWA: l.owaName(), Edge: l.edgeConfig(), CertFiles: l.certFilesYAML(), Views: l.viewsConfig(),
		HTTPPort: l.HTTPPort, DiscoverHTTPOnly: l.opts.DiscoverHTTPOnly, IdentityCookie: l.identityCookie()}
	for _, ip := range l.regionProxyIPs(1) {
		d.Addrs = append(d.Addrs, ip.String())
	}
	if len(l.Nodes) > 1 {
		d.Nodes = l.Nodes
	}
	l.ConfigPath = filepath.Join(l.Dir, configFile)
	return writeConfig(l.ConfigPath, d)
}

// Zone is the public zone the lab's DNS serves, in BIND format.
func (l *Lab) Zone() string {
	if l.zone == nil {
		return ""
	}
	return l.zone.String()
}

// Close stops every server and goroutine the lab started and removes the
// temporary directory if Start made it. It is safe to call twice.
func (l *Lab) Close() error {
	l.closeOnce.Do(func() {
		l.stop() // first: ends every latency pause and request context
		for _, s := range l.servers {
			s.Close()
		}
		for _, c := range l.closers {
			c.Close()
		}
		if l.bal != nil {
			l.bal.close()
		}
		if l.dns != nil {
			l.dns.shutdown()
		}
		if l.split != nil {
			l.split.shutdown()
		}
		for _, r := range l.regions {
			r.dns.shutdown()
		}
		l.wg.Wait()
		for _, p := range l.proxies {
			p.transport.CloseIdleConnections()
		}
		if l.ownDir {
			l.closeErr = os.RemoveAll(l.Dir)
		}
	})
	return l.closeErr
}

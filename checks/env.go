package checks

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/probe"
	"github.com/lyncprobe/lyncprobe/proxyconf"
	"github.com/miekg/dns"
)

// Probes are network primitives that tests replace (to count fetches,
// say) through ProbesSource; a nil field is the real probe.
type Probes struct {
	Resolve   func(ctx context.Context, server, name string, qtype uint16) (*probe.DNSAnswer, error)
	Handshake func(ctx context.Context, addr, sni string, o probe.TLSOptions) (*probe.TLSFacts, error)
	Fetch     func(ctx context.Context, r probe.Request) (*probe.Response, error)
	// Open makes a fresh connection for the affinity probes (never
	// memoised); nil = probe.Open.
	Open          func(ctx context.Context, d probe.DialSpec) (*probe.Conn, error)
	HandshakeMTLS func(ctx context.Context, addr, sni string) (*probe.MTLSFacts, error)
	TURN          func(ctx context.Context, addr, transport, dialect string) (*probe.TurnFacts, error)
}

// Resolver is one DNS server of a view, with the label reports show.
type Resolver struct {
	Addr  string // host:port, or probe.SystemResolver
	Label string // "resolver 1.1.1.1:53" or "system resolver (127.0.0.53:53)"
	// View is the regional view (dns.views) the resolver gives, its index
	// in ViewIndex; nil for dns.resolvers, --resolver and zone files.
	View      *config.View
	ViewIndex int
}

// Env is what a check sees: the deployment and the run's memoised probes.
type Env struct {
	Dep    *config.Deployment
	Public []Resolver // the public view
	Now    func() time.Time

	// viewsReplaced: --resolver or zone files stand in for dns.views, so
	// an answer may be any view's (dnsExpectFor).
	viewsReplaced bool

	runCtx       context.Context
	checkTimeout time.Duration
	src          Source // where every fact comes from (source.go), behind memo
	ownSource    bool   // the run made src and closes it
	memo         *memo
	owned        owned                 // every goroutine the run started (Go, run.go)
	files        *Files                // an offline run's inputs (Options.Files)
	certFiles    *certFiles            // certificate files replace the handshakes (cert_offline.go)
	roots        func() *x509.CertPool // system roots plus tls.ca_file
	sysRoots     func() *x509.CertPool // the source's system roots
	connectTo    string                // Options.ConnectTo
	published    map[string]bool       // the names connectTo stands for
	proxyConfigs []*proxyconf.Config   // the parsed proxy configuration files (proxyconf.go)
}

func newEnv(runCtx context.Context, dep *config.Deployment, o Options) *Env {
	e := &Env{Dep: dep, runCtx: runCtx, checkTimeout: o.CheckTimeout, src: o.Source, ownSource: o.ownSource}
	e.Now = e.src.Now
	// A probe ends a little before the checks waiting on it, so that they
	// can report what the peer did (a stalled handshake, no header) rather
	// than only that the check ran out of time.
	e.memo = newMemo(runCtx, o.Concurrency, o.probeLimit)
	e.Public = publicResolvers(dep, o.Resolvers, e.src.SystemResolver)
	if o.ConnectTo != "" {
		e.connectTo, e.published = o.ConnectTo, publishedNames(dep)
	}
	e.viewsReplaced = len(dep.DNS.Views) > 0 && len(o.Resolvers) > 0
	if o.Files != nil && len(o.Files.Zones) > 0 {
		configured := e.Public
		e.Public = zoneView(o.Files.Zones, dep.Path) // offline DNS: dns_zone.go
		e.viewsReplaced = len(dep.DNS.Views) > 0 && !zonesTakeViews(e.Public, configured)
	}
	if o.Files != nil { // the files an offline run judges (inputs.go)
		e.files, e.certFiles, e.proxyConfigs = o.Files, newCertFiles(o.Files), o.Files.Proxy
	}
	// Reading the system's trust store takes a few milliseconds that no
	// probe needs: it loads beside the first probes, and only judging a
	// chain waits for it.
	e.sysRoots = sync.OnceValue(e.src.SystemRoots)
	e.roots = sync.OnceValue(func() *x509.CertPool { return loadRoots(runCtx, e.src, e.sysRoots(), dep.TLS.CAFile) })
	e.Go(func() { e.roots() })
	return e
}

// owned tracks the goroutines a run starts, so that the run ends them
// all: once it is closed (the run settling) no new one is tracked.
type owned struct {
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

// Go runs f in a goroutine the run owns: the run does not end before f
// has returned (within settleWait, run.go). A check that starts work it
// may not wait for (it returned early) starts it here, never with a bare
// go statement. Once the run is settling, f runs in the caller instead:
// its context has ended, so it returns at once (the memo refuses new
// probes then).
func (e *Env) Go(f func()) {
	e.owned.mu.Lock()
	if e.owned.closed {
		e.owned.mu.Unlock()
		f()
		return
	}
	e.owned.wg.Add(1)
	e.owned.mu.Unlock()
	go func() { defer e.owned.wg.Done(); f() }()
}

// closeAndWait stops tracking and waits for what is tracked.
func (o *owned) closeAndWait() {
	o.mu.Lock()
	o.closed = true
	o.mu.Unlock()
	o.wg.Wait()
}

// trust is the system roots plus tls.ca_file.
func (e *Env) trust() *x509.CertPool {
	if e.roots == nil { // an Env built by hand, in tests
		return loadRoots(context.Background(), e.factSource(), systemRoots(), e.Dep.TLS.CAFile)
	}
	return e.roots()
}

// systemRoots are the source's platform trust anchors.
func (e *Env) systemRoots() *x509.CertPool {
	if e.sysRoots == nil { // an Env built by hand, in tests
		return systemRoots()
	}
	return e.sysRoots()
}

// factSource is the run's source; an Env built by hand in tests has the network.
func (e *Env) factSource() Source {
	if e.src == nil {
		return ProbesSource(Probes{})
	}
	return e.src
}

// publicResolvers are --resolver's, or else dns.resolvers then every
// view's resolvers (dns_views.go), or else the system resolver.
func publicResolvers(dep *config.Deployment, override []string, systemAddr func() string) []Resolver {
	addrs := override
	if len(addrs) == 0 {
		addrs = dep.DNS.Resolvers
	}
	var views []Resolver
	if len(override) == 0 {
		views = viewResolvers(dep)
	}
	if len(addrs) == 0 && len(views) > 0 {
		return views
	}
	if len(addrs) == 0 {
		return []Resolver{{Addr: probe.SystemResolver, Label: "system resolver (" + systemAddr() + ")"}}
	}
	out := make([]Resolver, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, Resolver{Addr: a, Label: "resolver " + a})
	}
	return append(out, views...)
}

// loadRoots adds the user's CA file to the system roots. The loader has
// checked the file holds a certificate; a machine without system roots is
// judged where it matters (trustStoreMissing).
func loadRoots(ctx context.Context, src Source, system *x509.CertPool, caFile string) *x509.CertPool {
	pool := system.Clone()
	if caFile == "" {
		return pool
	}
	if pem, err := src.ReadFile(ctx, caFile, maxCAFile); err == nil {
		pool.AppendCertsFromPEM(pem)
	}
	return pool
}

// Resolve asks one resolver, once per run.
func (e *Env) Resolve(ctx context.Context, server, name string, qtype uint16) (*probe.DNSAnswer, error) {
	key := fmt.Sprintf("dns|%s|%s|%d", server, strings.ToLower(name), qtype)
	v, err := e.memo.get(ctx, key, func(ctx context.Context) (any, error) {
		return e.src.Resolve(ctx, server, name, qtype)
	})
	if err != nil {
		return nil, err
	}
	return v.(*probe.DNSAnswer), nil
}

// Handshake opens TLS to addr with sni, once per run.
func (e *Env) Handshake(ctx context.Context, addr, sni string) (*probe.TLSFacts, error) {
	v, err := e.memo.get(ctx, "tls|"+addr+"|"+sni, func(ctx context.Context) (any, error) {
		return e.src.Handshake(ctx, addr, sni, probe.TLSOptions{})
	})
	if err != nil {
		return nil, err
	}
	return v.(*probe.TLSFacts), nil
}

// Fetch sends an HTTP request, once per run for the same request.
func (e *Env) Fetch(ctx context.Context, r probe.Request) (*probe.Response, error) {
	key := fmt.Sprintf("http|%s|%s|%s|%s|%s|%s|%v", r.Scheme, r.Addr, r.SNI, r.Host, r.Method, r.Path, r.Header)
	v, err := e.memo.get(ctx, key, func(ctx context.Context) (any, error) {
		return e.src.Fetch(ctx, r)
	})
	if err != nil {
		return nil, err
	}
	return v.(*probe.Response), nil
}

// Lookup is one public resolver's A and AAAA answers for a name.
type Lookup struct {
	Resolver  Resolver
	A, AAAA   *probe.DNSAnswer
	Err       error // the resolver could not be asked (A or AAAA)
	Addresses []string
}

// LookupHost asks every public resolver for A and AAAA of name, in parallel.
func (e *Env) LookupHost(ctx context.Context, name string) []Lookup {
	return inParallel(len(e.Public), func(i int) Lookup { return e.lookupOne(ctx, e.Public[i], name) })
}

func (e *Env) lookupOne(ctx context.Context, r Resolver, name string) Lookup {
	l := Lookup{Resolver: r}
	aaaa := make(chan struct{})
	var errAAAA error
	go func() {
		defer close(aaaa)
		l.AAAA, errAAAA = e.Resolve(ctx, r.Addr, name, dns.TypeAAAA)
	}()
	var errA error
	l.A, errA = e.Resolve(ctx, r.Addr, name, dns.TypeA)
	<-aaaa
	l.Err = errors.Join(errA, errAAAA)
	for _, a := range []*probe.DNSAnswer{l.A, l.AAAA} {
		if a != nil {
			l.Addresses = append(l.Addresses, a.Addresses...)
		}
	}
	return l
}

// Addresses is the union of the addresses every public resolver gave for
// name, sorted, so a stale resolver's address is probed too. It is empty
// when no resolver resolved the name; err is set only when the check's own
// context ended. Under --connect-to a published name has that address
// alone, and no resolver is asked for it here.
func (e *Env) Addresses(ctx context.Context, name string) ([]string, error) {
	if e.published[strings.ToLower(name)] {
		return []string{e.connectTo}, ctx.Err()
	}
	seen := map[string]bool{}
	var out []string
	for _, l := range e.LookupHost(ctx, name) {
		for _, a := range l.Addresses {
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	sort.Strings(out)
	return out, ctx.Err()
}

// Targets are the addresses to connect to for name on port: every resolved
// address, then every configured proxy node.
type Target struct {
	Addr string // host:port to dial
	Via  string // "address 203.0.113.10" or "node 203.0.113.11:443"
}

// ConnectTargets lists where the published name must be probed.
func (e *Env) ConnectTargets(addrs []string, port int) []Target {
	var out []Target
	for _, a := range addrs {
		out = append(out, Target{Addr: net.JoinHostPort(a, fmt.Sprint(port)), Via: e.via(a)})
	}
	for _, n := range e.Dep.ReverseProxy.Nodes {
		out = append(out, Target{Addr: n, Via: "node " + n})
	}
	return out
}

// via labels a result about one address of a name: "address 203.0.113.10",
// or "connect-to 203.0.113.10" when --connect-to chose it, so a report
// never passes an address DNS did not give for a resolved one.
func (e *Env) via(addr string) string {
	if e.connectTo != "" && addr == e.connectTo {
		return "connect-to " + addr
	}
	return "address " + addr
}

// publishedNames are the names the reverse proxy publishes, lower case:
// --connect-to stands for their DNS answers, and for no other name's.
func publishedNames(dep *config.Deployment) map[string]bool {
	out := map[string]bool{}
	for _, p := range dep.PublishedHosts() {
		out[strings.ToLower(p.Host)] = true
	}
	if h := config.HostOf(dep.MeetingURL); h != "" {
		out[strings.ToLower(h)] = true
	}
	return out
}

// Unfinished words why a check's context ended, for an error result.
func (e *Env) Unfinished(ctx context.Context) string {
	switch {
	case errors.Is(e.runCtx.Err(), context.Canceled):
		return "not finished: interrupted"
	case e.runCtx.Err() != nil:
		return "not finished: run timeout"
	case ctx.Err() != nil:
		return fmt.Sprintf("not finished: check timeout (%s)", e.checkTimeout)
	}
	return ""
}

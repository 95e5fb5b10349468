package checks

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/lyncprobe/lyncprobe/internal/inputfile"
	"github.com/lyncprobe/lyncprobe/probe"
)

// Source gives every fact a run judges. The network is one source
// (Network); zone files are another (ZoneSource); a recorded run (package
// bundle) is a third. Env memoises what a source gives, so each fact is
// asked once per run; a check never reaches the network but through the
// source, which is what lets a whole run be recorded and judged again.
type Source interface {
	// Resolve asks one DNS server (or a zone file's "zone:" address).
	Resolve(ctx context.Context, server, name string, qtype uint16) (*probe.DNSAnswer, error)
	// Handshake opens TLS to addr with sni, under o (pinned versions).
	Handshake(ctx context.Context, addr, sni string, o probe.TLSOptions) (*probe.TLSFacts, error)
	// HandshakeMTLS is a handshake that tolerates a client-certificate
	// request (an Edge's federation port).
	HandshakeMTLS(ctx context.Context, addr, sni string) (*probe.MTLSFacts, error)
	// Fetch sends one HTTP request (revocation fetches included).
	Fetch(ctx context.Context, r probe.Request) (*probe.Response, error)
	// TURN asks an A/V Edge port in one dialect.
	TURN(ctx context.Context, addr, transport, dialect string) (*probe.TurnFacts, error)
	// Connections and KeepAlive are the affinity probe's rounds, as the
	// visits the checks read (p.Open is the source's own business).
	Connections(ctx context.Context, p probe.Plan) []probe.Visit
	KeepAlive(ctx context.Context, p probe.Plan, requests int) []probe.Visit
	// Open makes one fresh connection for a sequence of requests (the join
	// replay). tag names the connection's place in the run ("join|addr|2"),
	// so that a recorded run gives each place its own connection back.
	Open(ctx context.Context, tag string, d probe.DialSpec) (Conn, error)
	// ReadFile reads a trust file the config names (tls.ca_file,
	// tls.backend_ca_file).
	ReadFile(ctx context.Context, path string, max int64) ([]byte, error)
	// SystemRoots are the platform's trust anchors, without tls.ca_file.
	SystemRoots() *x509.CertPool
	// SystemResolver is the address the system resolver stands for, as
	// labels show it.
	SystemResolver() string
	// Now is the run's clock: expiry, CRL and OCSP freshness are judged
	// against it.
	Now() time.Time
}

// Conn is one fresh connection that carries requests one after another.
// *probe.Conn is one.
type Conn interface {
	Local() string
	Do(ctx context.Context, r probe.Request) (*probe.Response, error)
	Close() error
}

// RealProbes go to the network.
func RealProbes() Probes {
	return Probes{Resolve: probe.Resolve, Handshake: probe.Handshake, Fetch: probe.Fetch, Open: probe.Open}
}

// NetworkSource is the source that asks the network, through probe.
type NetworkSource struct {
	p      Probes
	client *probe.Client // kept-alive connections for Fetch; nil with custom probes
}

// Network is the real network; Close it when the run is over (its HTTP
// connections are kept alive for the run).
func Network() *NetworkSource {
	s := &NetworkSource{p: RealProbes(), client: probe.NewClient()}
	s.p.Fetch = s.client.Fetch
	return s
}

// ProbesSource is the network with some primitives replaced (tests count
// fetches, or fake a server); a nil field is the real probe.
func ProbesSource(p Probes) *NetworkSource {
	real := RealProbes()
	if p.Resolve == nil {
		p.Resolve = real.Resolve
	}
	if p.Handshake == nil {
		p.Handshake = real.Handshake
	}
	if p.Fetch == nil {
		p.Fetch = real.Fetch
	}
	return &NetworkSource{p: p}
}

// set: some primitive is replaced.
func (p Probes) set() bool {
	return p.Resolve != nil || p.Handshake != nil || p.Fetch != nil || p.Open != nil || p.HandshakeMTLS != nil || p.TURN != nil
}

// Close ends the kept-alive connections.
func (s *NetworkSource) Close() {
	if s.client != nil {
		s.client.Close()
	}
}

func (s *NetworkSource) Resolve(ctx context.Context, server, name string, qtype uint16) (*probe.DNSAnswer, error) {
	return s.p.Resolve(ctx, server, name, qtype)
}

func (s *NetworkSource) Handshake(ctx context.Context, addr, sni string, o probe.TLSOptions) (*probe.TLSFacts, error) {
	return s.p.Handshake(ctx, addr, sni, o)
}

func (s *NetworkSource) HandshakeMTLS(ctx context.Context, addr, sni string) (*probe.MTLSFacts, error) {
	if s.p.HandshakeMTLS != nil {
		return s.p.HandshakeMTLS(ctx, addr, sni)
	}
	return probe.HandshakeMTLS(ctx, addr, sni)
}

func (s *NetworkSource) Fetch(ctx context.Context, r probe.Request) (*probe.Response, error) {
	return s.p.Fetch(ctx, r)
}

func (s *NetworkSource) TURN(ctx context.Context, addr, transport, dialect string) (*probe.TurnFacts, error) {
	if s.p.TURN != nil {
		return s.p.TURN(ctx, addr, transport, dialect)
	}
	return probe.TURN(ctx, addr, transport, dialect)
}

func (s *NetworkSource) Connections(ctx context.Context, p probe.Plan) []probe.Visit {
	p.Open = s.p.Open
	return probe.Connections(ctx, p)
}

func (s *NetworkSource) KeepAlive(ctx context.Context, p probe.Plan, requests int) []probe.Visit {
	p.Open = s.p.Open
	return probe.KeepAlive(ctx, p, requests)
}

func (s *NetworkSource) Open(ctx context.Context, _ string, d probe.DialSpec) (Conn, error) {
	open := s.p.Open
	if open == nil {
		open = probe.Open
	}
	c, err := open(ctx, d)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (s *NetworkSource) ReadFile(ctx context.Context, path string, max int64) ([]byte, error) {
	return inputfile.Read(ctx, path, max)
}

func (s *NetworkSource) SystemRoots() *x509.CertPool { return systemRoots() }

func (s *NetworkSource) SystemResolver() string { return probe.SystemResolverAddr() }

func (s *NetworkSource) Now() time.Time { return time.Now() }

// offlineSource refuses the network: validate runs on a CI runner that
// has none, and a zone-file run must not try either. Files, trust and
// the clock are the machine's.
type offlineSource struct{ *NetworkSource }

// errOffline is what any network probe gets in an offline run.
var errOffline = &probe.Error{Op: "offline", Kind: probe.KindOther, Err: errors.New("offline run: no network")}

func (offlineSource) Resolve(context.Context, string, string, uint16) (*probe.DNSAnswer, error) {
	return nil, errOffline
}
func (offlineSource) Handshake(context.Context, string, string, probe.TLSOptions) (*probe.TLSFacts, error) {
	return nil, errOffline
}
func (offlineSource) HandshakeMTLS(context.Context, string, string) (*probe.MTLSFacts, error) {
	return nil, errOffline
}
func (offlineSource) Fetch(context.Context, probe.Request) (*probe.Response, error) {
	return nil, errOffline
}
func (offlineSource) TURN(context.Context, string, string, string) (*probe.TurnFacts, error) {
	return nil, errOffline
}
func (offlineSource) Connections(_ context.Context, p probe.Plan) []probe.Visit {
	return offlineVisits(p.Connections, 1)
}
func (offlineSource) KeepAlive(_ context.Context, _ probe.Plan, n int) []probe.Visit {
	return offlineVisits(1, n)
}
func (offlineSource) Open(context.Context, string, probe.DialSpec) (Conn, error) {
	return nil, errOffline
}

func offlineVisits(conns, reqs int) []probe.Visit {
	var out []probe.Visit
	for c := range conns {
		for r := range reqs {
			out = append(out, probe.Visit{Conn: c, Request: r, Err: errOffline})
		}
	}
	return out
}

// zoneSource answers the "zone:" resolvers from zone files and refuses
// every other probe (dns_zone.go).
type zoneSource struct {
	offlineSource
	zones map[string]*probe.Zone
}

// ZoneSource is the source of an offline run: one resolver per zone file,
// addressed "zone:" + its file, and no network (with no zones, a run with
// no network at all: validate, cert inspect).
func ZoneSource(zones []*probe.Zone) Source {
	s := zoneSource{offlineSource: offlineSource{&NetworkSource{}}, zones: map[string]*probe.Zone{}}
	for _, z := range zones {
		s.zones[zoneAddr+z.File] = z
	}
	return s
}

func (s zoneSource) Resolve(ctx context.Context, server, name string, qtype uint16) (*probe.DNSAnswer, error) {
	if z, ok := s.zones[server]; ok {
		return z.Resolve(ctx, server, name, qtype)
	}
	return nil, errOffline
}

// ErrNotInBundle marks a fact a recorded run does not hold: a check that
// needed it is an error ("not in the bundle"), never a pass.
var ErrNotInBundle = errors.New("not in the bundle")

// NotInBundle is the error a replaying source gives for a fact it lacks,
// what naming it. It also marks the asking check (through ctx), so the
// runner turns the check's results into errors: a newer lyncprobe that
// asks for a fact an older one did not record cannot judge it.
func NotInBundle(ctx context.Context, what string) error {
	if t, ok := ctx.Value(missKey{}).(*missTrace); ok {
		t.add(what)
	}
	return &probe.Error{Op: "replay", Kind: probe.KindOther, Err: fmt.Errorf("%s: %w", what, ErrNotInBundle)}
}

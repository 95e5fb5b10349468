package bundle

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/probe"
)

// replay is a checks.Source that answers from a bundle and never from the
// network. A fact the bundle lacks is checks.NotInBundle.
type replay struct {
	b      *Bundle
	dns    map[string]DNSFact
	tls    map[string]TLSFact
	mtls   map[string]MTLSFact
	http   map[string]HTTPFact
	turn   map[string]TURNFact
	visits map[string]VisitsFact
	conns  map[string]ConnFact
	files  map[string]FileFact
	roots  *x509.CertPool
}

// Source is the bundle's facts as a checks.Source. It fails when a
// certificate in the bundle does not parse.
func (b *Bundle) Source() (checks.Source, error) {
	s := &replay{b: b, dns: map[string]DNSFact{}, tls: map[string]TLSFact{}, mtls: map[string]MTLSFact{},
		http: map[string]HTTPFact{}, turn: map[string]TURNFact{}, visits: map[string]VisitsFact{},
		conns: map[string]ConnFact{}, files: map[string]FileFact{}}
	f := b.Facts
	for _, d := range f.DNS {
		s.dns[dnsKey(d.Server, d.Name, d.Type)] = d
	}
	for _, t := range f.TLS {
		s.tls[tlsKey(t.Addr, t.SNI, t.Options)] = t
	}
	for _, t := range f.MTLS {
		s.mtls[mtlsKey(t.Addr, t.SNI)] = t
	}
	for _, h := range f.HTTP {
		s.http[requestKey(h.Request)] = h
	}
	for _, t := range f.TURN {
		s.turn[turnKey(t.Addr, t.Transport, t.Dialect)] = t
	}
	for _, v := range f.Visits {
		s.visits[v.key()] = v
	}
	for _, c := range f.Conns {
		s.conns[connKey(c.Tag, c.Dial, c.SNI, c.Local)] = c
	}
	for _, ff := range b.Trust.Files {
		s.files[ff.Path] = ff
	}
	if err := s.checkCertificates(); err != nil {
		return nil, err
	}
	roots, err := b.systemRoots()
	if err != nil {
		return nil, err
	}
	s.roots = roots
	return s, nil
}

// checkCertificates parses every chain once, so that a damaged bundle is
// refused at the start rather than judged half.
func (s *replay) checkCertificates() error {
	f := s.b.Facts
	check := func(t *TLS) error { _, err := t.facts(); return err }
	for _, t := range f.TLS {
		if err := check(t.Facts); err != nil {
			return err
		}
	}
	for _, t := range f.MTLS {
		if err := check(t.Facts); err != nil {
			return err
		}
	}
	for _, h := range f.HTTP {
		if h.Response != nil {
			if err := check(h.Response.TLS); err != nil {
				return err
			}
		}
	}
	for _, c := range f.Conns {
		for _, h := range c.Exchanges {
			if h.Response != nil {
				if err := check(h.Response.TLS); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// systemRoots are the recorded anchors; when the recording machine had a
// store, a placeholder root made now (its key is thrown away, so it
// anchors nothing) stands for the roots that anchored nothing in the run,
// so that "this machine has no trust store" is said only when it had none.
func (b *Bundle) systemRoots() (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	for i, der := range b.Trust.Anchors {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("trust anchor %d: %w", i, err)
		}
		pool.AddCert(c)
	}
	if b.Trust.SystemStore {
		c, err := placeholderRoot()
		if err != nil {
			return nil, err
		}
		pool.AddCert(c)
	}
	return pool, nil
}

var placeholderRoot = sync.OnceValues(func() (*x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "lyncprobe replay: the recording machine's other roots"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(0, 0).Add(200 * 365 * 24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
})

func (s *replay) Resolve(ctx context.Context, server, name string, qtype uint16) (*probe.DNSAnswer, error) {
	f, ok := s.dns[dnsKey(server, name, qtype)]
	if !ok {
		return nil, checks.NotInBundle(ctx, fmt.Sprintf("the DNS answer of %s about %s (type %d)", server, name, qtype))
	}
	if f.Err != nil {
		return nil, f.Err.error()
	}
	if f.Answer == nil {
		return nil, checks.NotInBundle(ctx, fmt.Sprintf("the DNS answer of %s about %s (type %d)", server, name, qtype))
	}
	a := *f.Answer
	a.RTT = f.RTT
	return &a, nil
}

func (s *replay) Handshake(ctx context.Context, addr, sni string, o probe.TLSOptions) (*probe.TLSFacts, error) {
	f, ok := s.tls[tlsKey(addr, sni, o)]
	if !ok || (f.Err == nil && f.Facts == nil) {
		return nil, checks.NotInBundle(ctx, fmt.Sprintf("the TLS handshake with %s (%s, %s)", addr, sni, versions(o)))
	}
	if f.Err != nil {
		return nil, f.Err.error()
	}
	return f.Facts.facts()
}

func versions(o probe.TLSOptions) string {
	if o.MinVersion == 0 && o.MaxVersion == 0 {
		return "default versions"
	}
	return probe.TLSVersionName(o.MaxVersion)
}

func (s *replay) HandshakeMTLS(ctx context.Context, addr, sni string) (*probe.MTLSFacts, error) {
	f, ok := s.mtls[mtlsKey(addr, sni)]
	if !ok || (f.Err == nil && f.Facts == nil) {
		return nil, checks.NotInBundle(ctx, fmt.Sprintf("the mutual-TLS handshake with %s (%s)", addr, sni))
	}
	if f.Err != nil {
		return nil, f.Err.error()
	}
	t, err := f.Facts.facts()
	if err != nil {
		return nil, err
	}
	return &probe.MTLSFacts{TLSFacts: *t, CertRequested: f.CertRequested, Aborted: f.Aborted.error()}, nil
}

func (s *replay) Fetch(ctx context.Context, r probe.Request) (*probe.Response, error) {
	req := s.request(r)
	f, ok := s.http[requestKey(req)]
	if !ok {
		return nil, checks.NotInBundle(ctx, fmt.Sprintf("the answer of %s to %s %s%s", r.Addr, method(r), r.Host, r.Path))
	}
	return exchange(ctx, f, r)
}

func method(r probe.Request) string {
	if r.Method == "" {
		return "GET"
	}
	return r.Method
}

func exchange(ctx context.Context, f HTTPFact, r probe.Request) (*probe.Response, error) {
	if f.Err != nil {
		return nil, f.Err.error()
	}
	if f.Response == nil {
		return nil, checks.NotInBundle(ctx, fmt.Sprintf("the answer of %s to %s %s%s", r.Addr, method(r), r.Host, r.Path))
	}
	p := f.Response
	out := &probe.Response{Status: p.Status, Proto: p.Proto, Header: p.Header.Clone(), Body: p.Body, Truncated: p.Truncated, Timings: p.Timings}
	t, err := p.TLS.facts()
	if err != nil {
		return nil, err
	}
	out.TLS = t
	return out, nil
}

// request is r as a recording stores it, for its key: the replay's own
// redactor leaves the bundle's pseudonyms as they are.
func (s *replay) request(r probe.Request) Request {
	red := &redactor{identityCookie: ""}
	return Request{Scheme: r.Scheme, Addr: r.Addr, SNI: r.SNI, Host: r.Host, Method: r.Method, Path: r.Path,
		Header: red.header(r.Header), MaxBody: r.MaxBody}
}

func (s *replay) TURN(ctx context.Context, addr, transport, dialect string) (*probe.TurnFacts, error) {
	f, ok := s.turn[turnKey(addr, transport, dialect)]
	if !ok || (f.Err == nil && f.Facts == nil) {
		return nil, checks.NotInBundle(ctx, fmt.Sprintf("the %s answer of %s over %s", dialect, addr, transport))
	}
	if f.Err != nil {
		return nil, f.Err.error()
	}
	c := *f.Facts
	return &c, nil
}

func (s *replay) Connections(ctx context.Context, p probe.Plan) []probe.Visit {
	return s.rounds(ctx, "connections", p, 0)
}

func (s *replay) KeepAlive(ctx context.Context, p probe.Plan, requests int) []probe.Visit {
	return s.rounds(ctx, "keep-alive", p, requests)
}

func (s *replay) rounds(ctx context.Context, kind string, p probe.Plan, requests int) []probe.Visit {
	f, ok := s.visits[visitsKey(kind, p, s.request(p.Request), requests)]
	if !ok {
		err := checks.NotInBundle(ctx, fmt.Sprintf("the affinity probe's %s round to %s", kind, p.Dial.Addr))
		return []probe.Visit{{Err: err}}
	}
	out := make([]probe.Visit, len(f.Visits))
	for i, v := range f.Visits {
		out[i] = probe.Visit{Conn: v.Conn, Request: v.Request, Source: v.Source, Cookies: v.Cookies, Cookie: v.Cookie,
			Status: v.Status, Header: v.Header.Clone(), Err: v.Err.error()}
	}
	return out
}

func (s *replay) Open(ctx context.Context, tag string, d probe.DialSpec) (checks.Conn, error) {
	f, ok := s.conns[connKey(tag, d.Addr, d.SNI, d.Local)]
	if !ok {
		return nil, checks.NotInBundle(ctx, fmt.Sprintf("the connection %s to %s", tag, d.Addr))
	}
	if f.Err != nil {
		return nil, f.Err.error()
	}
	return &replayConn{s: s, f: f}, nil
}

// replayConn gives a recorded connection's answers in order.
type replayConn struct {
	s    *replay
	f    ConnFact
	mu   sync.Mutex
	next int
}

func (c *replayConn) Local() string { return c.f.Got }

func (c *replayConn) Close() error { return nil }

func (c *replayConn) Do(ctx context.Context, r probe.Request) (*probe.Response, error) {
	c.mu.Lock()
	i := c.next
	c.next++
	c.mu.Unlock()
	req := c.s.request(r)
	req.Addr, req.SNI = "", ""
	if i >= len(c.f.Exchanges) || requestKey(withoutAddr(c.f.Exchanges[i].Request)) != requestKey(req) {
		return nil, checks.NotInBundle(ctx, fmt.Sprintf("request %d on the connection %s (%s%s)", i+1, c.f.Tag, r.Host, r.Path))
	}
	return exchange(ctx, c.f.Exchanges[i], r)
}

// withoutAddr: a connection's requests are sent where it is connected.
func withoutAddr(r Request) Request {
	r.Addr, r.SNI = "", ""
	return r
}

func (s *replay) ReadFile(ctx context.Context, path string, _ int64) ([]byte, error) {
	f, ok := s.files[path]
	if !ok {
		return nil, checks.NotInBundle(ctx, "the file "+path)
	}
	if f.Err != nil {
		return nil, f.Err.error()
	}
	return []byte(f.PEM), nil
}

func (s *replay) SystemRoots() *x509.CertPool { return s.roots }

func (s *replay) SystemResolver() string { return s.b.Run.SystemResolver }

func (s *replay) Now() time.Time { return s.b.Run.Started }

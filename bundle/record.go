package bundle

import (
	"context"
	"crypto/x509"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/internal/inputfile"
	"github.com/lyncprobe/lyncprobe/probe"
)

// Recorder is a checks.Source that asks another (the network, zone files)
// and keeps every fact it gives, redacted. Its clock is fixed at the
// moment it was made, the run's start: every verdict of the run is judged
// at that instant, so a replay, which judges at the same instant, agrees.
type Recorder struct {
	inner   checks.Source
	started time.Time
	red     *redactor

	mu    sync.Mutex
	seen  map[string]bool
	facts Facts
	files []FileFact
	conns []*ConnFact
}

// NewRecorder records what inner gives; dep's affinity.identity_cookie is
// a persistence cookie whose value is kept (redact.go).
func NewRecorder(inner checks.Source, dep *config.Deployment) *Recorder {
	return &Recorder{inner: inner, started: inner.Now(), red: newRedactor(dep.Affinity.IdentityCookie), seen: map[string]bool{}}
}

// Close closes the inner source when it has a Close (the network's
// kept-alive connections).
func (r *Recorder) Close() {
	if c, ok := r.inner.(interface{ Close() }); ok {
		c.Close()
	}
}

// first reports whether key is new, and marks it: a fact asked twice
// (outside the memo) is kept once, as first given.
func (r *Recorder) first(key string) bool {
	return r.firstOf(key, nil)
}

// firstOf is first for a fact that came with err. A fetch cancelled
// because the run ended (Ctrl-C) says nothing about the peer: it is not
// kept, so a replay that needs it says "not in the bundle" rather than
// judging a cancellation as the peer's doing.
func (r *Recorder) firstOf(key string, err error) bool {
	if err != nil && probe.KindOf(err) == probe.KindCanceled {
		return false
	}
	if r.seen[key] {
		return false
	}
	r.seen[key] = true
	return true
}

func (r *Recorder) Resolve(ctx context.Context, server, name string, qtype uint16) (*probe.DNSAnswer, error) {
	a, err := r.inner.Resolve(ctx, server, name, qtype)
	f := DNSFact{Server: server, Name: name, Type: qtype, Err: newErr(err)}
	if a != nil {
		c := *a
		f.Answer, f.RTT = &c, a.RTT
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.firstOf("dns|"+dnsKey(server, name, qtype), err) {
		r.facts.DNS = append(r.facts.DNS, f)
	}
	return a, err
}

func (r *Recorder) Handshake(ctx context.Context, addr, sni string, o probe.TLSOptions) (*probe.TLSFacts, error) {
	f, err := r.inner.Handshake(ctx, addr, sni, o)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.firstOf("tls|"+tlsKey(addr, sni, o), err) {
		r.facts.TLS = append(r.facts.TLS, TLSFact{Addr: addr, SNI: sni, Options: o, Facts: tlsOf(f), Err: newErr(err)})
	}
	return f, err
}

func (r *Recorder) HandshakeMTLS(ctx context.Context, addr, sni string) (*probe.MTLSFacts, error) {
	f, err := r.inner.HandshakeMTLS(ctx, addr, sni)
	fact := MTLSFact{Addr: addr, SNI: sni, Err: newErr(err)}
	if f != nil {
		fact.Facts, fact.CertRequested, fact.Aborted = tlsOf(&f.TLSFacts), f.CertRequested, newErr(f.Aborted)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.firstOf("mtls|"+mtlsKey(addr, sni), err) {
		r.facts.MTLS = append(r.facts.MTLS, fact)
	}
	return f, err
}

func (r *Recorder) Fetch(ctx context.Context, req probe.Request) (*probe.Response, error) {
	resp, err := r.inner.Fetch(ctx, req)
	fact := HTTPFact{Request: r.request(req), Response: r.response(resp), Err: newErr(err)}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.firstOf("http|"+requestKey(fact.Request), err) {
		r.facts.HTTP = append(r.facts.HTTP, fact)
	}
	return resp, err
}

func (r *Recorder) TURN(ctx context.Context, addr, transport, dialect string) (*probe.TurnFacts, error) {
	f, err := r.inner.TURN(ctx, addr, transport, dialect)
	fact := TURNFact{Addr: addr, Transport: transport, Dialect: dialect, Err: newErr(err)}
	if f != nil {
		c := *f
		fact.Facts = &c
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.firstOf("turn|"+turnKey(addr, transport, dialect), err) {
		r.facts.TURN = append(r.facts.TURN, fact)
	}
	return f, err
}

func (r *Recorder) Connections(ctx context.Context, p probe.Plan) []probe.Visit {
	vs := r.inner.Connections(ctx, p)
	r.visits("connections", p, 0, vs)
	return vs
}

func (r *Recorder) KeepAlive(ctx context.Context, p probe.Plan, requests int) []probe.Visit {
	vs := r.inner.KeepAlive(ctx, p, requests)
	r.visits("keep-alive", p, requests, vs)
	return vs
}

func (r *Recorder) visits(kind string, p probe.Plan, requests int, vs []probe.Visit) {
	req := r.request(p.Request)
	fact := VisitsFact{Kind: kind, Dial: p.Dial.Addr, SNI: p.Dial.SNI, Request: req, Connections: p.Connections,
		Sources: p.Sources, Jar: p.Jar, Requests: requests}
	for _, v := range vs {
		fact.Visits = append(fact.Visits, Visit{Conn: v.Conn, Request: v.Request, Source: v.Source, Cookies: v.Cookies,
			Cookie: r.red.cookieLine(v.Cookie), Status: v.Status, Header: r.red.header(v.Header), Err: newErr(v.Err)})
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.first("visits|" + visitsKey(kind, p, req, requests)) {
		r.facts.Visits = append(r.facts.Visits, fact)
	}
}

func (r *Recorder) Open(ctx context.Context, tag string, d probe.DialSpec) (checks.Conn, error) {
	c, err := r.inner.Open(ctx, tag, d)
	fact := &ConnFact{Tag: tag, Dial: d.Addr, SNI: d.SNI, Local: d.Local, Err: newErr(err)}
	if c != nil {
		fact.Got = c.Local()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.firstOf("conn|"+connKey(tag, d.Addr, d.SNI, d.Local), err) {
		fact = &ConnFact{} // kept apart, never stored
	} else {
		r.conns = append(r.conns, fact)
	}
	if err != nil {
		return nil, err
	}
	return &recConn{Conn: c, r: r, fact: fact}, nil
}

// recConn records the requests one connection carries, in order.
type recConn struct {
	checks.Conn
	r    *Recorder
	fact *ConnFact
}

func (c *recConn) Do(ctx context.Context, req probe.Request) (*probe.Response, error) {
	resp, err := c.Conn.Do(ctx, req)
	fact := HTTPFact{Request: c.r.request(req), Response: c.r.response(resp), Err: newErr(err)}
	c.r.mu.Lock()
	defer c.r.mu.Unlock()
	c.fact.Exchanges = append(c.fact.Exchanges, fact)
	return resp, err
}

func (r *Recorder) ReadFile(ctx context.Context, path string, max int64) ([]byte, error) {
	data, err := r.inner.ReadFile(ctx, path, max)
	f := FileFact{Path: path, Err: newErr(err)}
	if err == nil {
		f.PEM = certPEM(data)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.first("file|" + path) {
		r.files = append(r.files, f)
	}
	// What the run reads is what a replay gives: only the certificates.
	if err != nil {
		return nil, err
	}
	return []byte(f.PEM), nil
}

func (r *Recorder) SystemRoots() *x509.CertPool { return r.inner.SystemRoots() }

func (r *Recorder) SystemResolver() string { return r.inner.SystemResolver() }

func (r *Recorder) Now() time.Time { return r.started }

func (r *Recorder) request(q probe.Request) Request {
	return Request{Scheme: q.Scheme, Addr: q.Addr, SNI: q.SNI, Host: q.Host, Method: q.Method, Path: q.Path,
		Header: r.red.header(q.Header), MaxBody: q.MaxBody}
}

func (r *Recorder) response(p *probe.Response) *Response {
	if p == nil {
		return nil
	}
	return &Response{Status: p.Status, Proto: p.Proto, Header: r.red.header(p.Header), Body: p.Body,
		Truncated: p.Truncated, TLS: tlsOf(p.TLS), Timings: p.Timings}
}

// Info is what a bundle says about the run beside its facts.
type Info struct {
	Version   string        // lyncprobe's version
	Host      string        // the machine that ran it
	Resolvers []string      // the public-view resolvers, as the report header names them
	Timeout   time.Duration // --timeout
	ZoneFiles []string      // --zone-file, when the run was offline
}

// maxConfig caps the config file a bundle holds, as config.Load caps it.
const maxConfig = 4 << 20

// Bundle is the recorded run, with dep's config file read again (it is
// the run's input, as the user wrote it).
//
// Trust anchors: a replay on another machine must judge every chain as
// this one did, but a whole system store is large and says nothing the
// run did not use. So a bundle keeps the system roots that anchor some
// chain the run saw (found by verifying each chain against the store, at
// the run's clock and, for a chain that was expired or not yet valid then,
// at instants inside each certificate's validity, so that the same failure
// is reported for the same reason), whether the machine had a store at all
// (checks judge "no trust store" apart from "unknown root"), and the
// certificates of the trust files the config names. A chain that did not
// verify here has no anchor in the bundle and does not verify on replay
// either; one that did finds its root again.
func (r *Recorder) Bundle(ctx context.Context, dep *config.Deployment, o checks.Options, info Info) (*Bundle, error) {
	configText, err := inputfile.Read(ctx, dep.Path, maxConfig)
	if err != nil {
		return nil, fmt.Errorf("record the config: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	path := dep.Path
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	b := &Bundle{Format: Format, Version: info.Version,
		Run:    Run{Started: r.started, Host: info.Host, Resolvers: info.Resolvers, SystemResolver: r.inner.SystemResolver()},
		Config: Config{Path: path, Text: string(configText)},
		Options: Options{Only: o.Only, Resolvers: o.Resolvers, ConnectTo: o.ConnectTo, Zones: info.ZoneFiles,
			Concurrency: o.Concurrency, CheckTimeout: o.CheckTimeout, Timeout: info.Timeout},
		Facts: r.facts}
	for _, c := range r.conns {
		b.Facts.Conns = append(b.Facts.Conns, *c)
	}
	system := r.inner.SystemRoots()
	b.Trust = Trust{SystemStore: !system.Equal(x509.NewCertPool()), Files: r.files, Anchors: anchors(b.Facts, system, r.started)}
	return b, nil
}

// anchors are the roots of system that anchor a chain among facts.
func anchors(f Facts, system *x509.CertPool, now time.Time) [][]byte {
	var out [][]byte
	seen := map[string]bool{}
	for _, chain := range chains(f) {
		for _, root := range anchorsOf(chain, system, now) {
			if !seen[string(root.Raw)] {
				seen[string(root.Raw)] = true
				out = append(out, root.Raw)
			}
		}
	}
	return out
}

func chains(f Facts) [][]*x509.Certificate {
	var tlss []*TLS
	for _, t := range f.TLS {
		tlss = append(tlss, t.Facts)
	}
	for _, t := range f.MTLS {
		tlss = append(tlss, t.Facts)
	}
	for _, h := range f.HTTP {
		if h.Response != nil {
			tlss = append(tlss, h.Response.TLS)
		}
	}
	for _, c := range f.Conns {
		for _, h := range c.Exchanges {
			if h.Response != nil {
				tlss = append(tlss, h.Response.TLS)
			}
		}
	}
	var out [][]*x509.Certificate
	for _, t := range tlss {
		if tf, err := t.facts(); err == nil && tf != nil && len(tf.Chain) > 0 {
			out = append(out, tf.Chain)
		}
	}
	return out
}

// anchorsOf verifies chain against system at now and, failing that, at an
// instant inside each certificate's validity, and returns the roots found.
func anchorsOf(chain []*x509.Certificate, system *x509.CertPool, now time.Time) []*x509.Certificate {
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	times := []time.Time{now}
	for _, c := range chain {
		times = append(times, c.NotBefore.Add(time.Second), c.NotAfter.Add(-time.Second))
	}
	var out []*x509.Certificate
	for _, at := range times {
		vs, err := chain[0].Verify(x509.VerifyOptions{Roots: system, Intermediates: inter, CurrentTime: at,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
		if err != nil {
			continue
		}
		for _, v := range vs {
			out = append(out, v[len(v)-1])
		}
		return out
	}
	return nil
}

package checks

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/lyncprobe/lyncprobe/probe"
)

// follow sends r and follows its redirects; every hop goes through the
// memoised Fetch, and every new host through the memoised public DNS.
func (e *Env) follow(ctx context.Context, r probe.Request) ([]probe.Hop, error) {
	return probe.Chain{Connect: e.connectFor, Fetch: e.Fetch}.Follow(ctx, r)
}

// errNotPublic is why a hop's host cannot be reached from outside.
var errNotPublic = errors.New("does not resolve in public DNS")

// connectFor is where a client outside connects for u: the address the
// judgement is pinned to (env_addrs.go), else the first address the public
// resolvers give for its host, on the URL's port.
func (e *Env) connectFor(ctx context.Context, u *url.URL) (string, error) {
	port := u.Port()
	if port == "" {
		port = "443"
		if u.Scheme == "http" {
			port = "80"
		}
	}
	host := u.Hostname()
	if net.ParseIP(host) != nil {
		return net.JoinHostPort(host, port), nil
	}
	addrs, err := e.Addresses(ctx, host)
	if err != nil {
		return "", err
	}
	if len(addrs) == 0 {
		return "", &probe.Error{Op: "dns", Kind: probe.KindOther, Err: fmt.Errorf("%s %w", host, errNotPublic)}
	}
	return net.JoinHostPort(pick(ctx, host, addrs), port), nil
}

// fetchURL sends one GET for an absolute URL to where a client outside
// would connect, with optional headers.
func (e *Env) fetchURL(ctx context.Context, raw string, hdr map[string]string) (*probe.Response, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, &probe.Error{Op: "http", Kind: probe.KindOther, Err: fmt.Errorf("not an absolute URL: %q", raw)}
	}
	addr, err := e.connectFor(ctx, u)
	if err != nil {
		return nil, err
	}
	r := probe.Request{Scheme: u.Scheme, Addr: addr, Host: u.Host, Path: u.RequestURI()}
	if u.Scheme == "https" {
		r.SNI = u.Hostname()
	}
	for k, v := range hdr {
		if r.Header == nil {
			r.Header = map[string][]string{}
		}
		r.Header.Set(k, v)
	}
	return e.Fetch(ctx, r)
}

// backendRoots is the trust for the front ends' own certificates
// (tls.backend_ca_file), read once per run. pool is nil when the file is
// not set or holds no certificate; note says why.
func (e *Env) backendRoots(ctx context.Context) (pool *x509.CertPool, note string) {
	v, err := e.memo.get(ctx, "file|backend_ca_file", func(ctx context.Context) (any, error) {
		return loadBackendRoots(ctx, e.src, e.Dep.TLS.BackendCAFile), nil
	})
	if err != nil {
		return nil, err.Error()
	}
	br := v.(backendTrust)
	return br.pool, br.note
}

type backendTrust struct {
	pool *x509.CertPool
	note string
}

func loadBackendRoots(ctx context.Context, src Source, file string) backendTrust {
	if file == "" {
		return backendTrust{note: "tls.backend_ca_file is not set"}
	}
	pem, err := src.ReadFile(ctx, file, maxCAFile)
	if err != nil {
		return backendTrust{note: "cannot read tls.backend_ca_file: " + err.Error()}
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return backendTrust{note: "tls.backend_ca_file " + file + " holds no PEM certificate"}
	}
	return backendTrust{pool: pool}
}

// each runs f for 0..n-1 at once and concatenates the results in index
// order, so that concurrency never changes the report's order.
func each(n int, f func(i int) []Result) []Result {
	return slices.Concat(inParallel(n, f)...)
}

// inParallel runs f for 0..n-1 at once and returns the values in index
// order, so that a check's wall time is its slowest item, not the sum.
func inParallel[T any](n int, f func(i int) T) []T {
	out := make([]T, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { out[i] = f(i) })
	}
	wg.Wait()
	return out
}

// unreached is the result for a target whose request got no HTTP answer:
// the run or check ended (error), or the network failed, which
// http.reachable reports (skip).
func (e *Env) unreached(ctx context.Context, target, host string, err error) Result {
	if msg := e.Unfinished(ctx); msg != "" {
		return Result{Target: target, Status: Error, Message: msg}
	}
	if errors.Is(err, errNotPublic) {
		return skipFor("dns.resolves", target, host)
	}
	r := skipFor("http.reachable", target, host)
	r.Message += ": " + strings.TrimPrefix(err.Error(), "http: ")
	r.Evidence = map[string]any{"error": err.Error()}
	return r
}

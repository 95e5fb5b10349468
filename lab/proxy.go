package lab

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"hash/fnv"
	"html"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// lbMode is how a proxy node picks a front end.
type lbMode string

const (
	lbSourceIP   lbMode = "source-ip"   // hash of the client address: sticky
	lbCookie     lbMode = "cookie"      // MS-WSMAN cookie persistence
	lbRoundRobin lbMode = "round-robin" // no affinity (what TMG does without FBA)
	// lbPerRequest balances each request, not each connection: nginx,
	// HAProxy and Apache without persistence.
	lbPerRequest lbMode = "round-robin-request"
)

// WSMANCookie is the persistence cookie name that Lync's web services
// expect of a load balancer; it cannot be changed.
const WSMANCookie = "MS-WSMAN"

// cookieStyle is how the proxy writes MS-WSMAN. The zero value follows
// Microsoft's rules: not HttpOnly, no expiry.
type cookieStyle struct {
	httpOnly bool
	maxAge   int // seconds; 0 = a session cookie
	// oncePerConn sets the cookie only on a connection's first response,
	// the insert optimisation Microsoft forbids.
	oncePerConn bool
}

func (c cookieStyle) header(value string) string {
	ck := &http.Cookie{Name: WSMANCookie, Value: value, Path: "/", HttpOnly: c.httpOnly, MaxAge: c.maxAge}
	if c.maxAge > 0 {
		ck.Expires = time.Now().Add(time.Duration(c.maxAge) * time.Second)
	}
	return ck.String()
}

// backend is a front end as a proxy node sees it.
type backend struct{ id, addr string }

type backendKey struct{}

// proxyNode stands in for one TMG array member: it terminates TLS with
// the public certificate and bridges to the front ends over TLS.
type proxyNode struct {
	name     string // "tmg01", sent in Via
	backends []backend
	mode     lbMode
	cookie   cookieStyle
	// hardened: strip the branding headers from the front ends' answers.
	hardened bool

	// backendHost, when set, is sent to the front ends instead of the
	// client's Host: TMG without "Forward the original host header".
	backendHost string
	// rules: names and paths the node answers itself, pre-authentication
	// (the HTTP faults, httpfaults.go).
	rules proxyRules

	public    map[string]bool // the rule's public names
	inflight  atomic.Int64    // requests being served (hardening_test.go waits on it)
	pause     func(context.Context) bool
	rr        atomic.Uint64
	transport *backendClient
	rp        *httputil.ReverseProxy
}

func newProxyNode(name string, backends []backend, roots *x509.CertPool, pause func(context.Context) bool) *proxyNode {
	p := &proxyNode{name: name, backends: backends, mode: lbSourceIP, pause: pause, public: map[string]bool{}}
	for _, h := range publishedHosts {
		p.public[h] = true
	}
	p.transport = backendTransport(roots)
	p.rp = &httputil.ReverseProxy{
		Rewrite:        p.rewrite,
		Transport:      p.transport,
		ModifyResponse: p.modifyResponse,
		ErrorHandler:   badGateway,
		ErrorLog:       quietLog,
		BufferPool:     proxyBuffers,
	}
	return p
}

// backendTransport bridges to the front ends: TLS verified against the
// internal CA under the pool's name, never an environment proxy.
func backendTransport(roots *x509.CertPool) *backendClient {
	cfg := &tls.Config{RootCAs: roots, ServerName: PoolFQDN, MinVersion: tls.VersionTLS12}
	return newBackendClient(cfg, 16, 30*time.Second)
}

func (p *proxyNode) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.inflight.Add(1)
	defer p.inflight.Add(-1)
	if status, why := guard(r); status != 0 {
		w.Header().Set("Connection", "close") // what follows on this connection is not trusted
		proxyError(w, status, why)
		return
	}
	if !p.pause(r.Context()) {
		panic(http.ErrAbortHandler) // the client or the lab went away: no answer at all
	}
	if status := p.refuse(r); status != 0 {
		proxyError(w, status, "the request is not for a name this rule publishes")
		return
	}
	if p.rules.intercept(w, r) {
		return
	}
	be := p.pick(w, r)
	p.rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), backendKey{}, be)))
}

// refuse keeps the node from being an open proxy: CONNECT, and
// absolute-form URIs to other hosts, are never forwarded.
func (p *proxyNode) refuse(r *http.Request) int {
	switch {
	case r.Method == http.MethodConnect:
		return http.StatusMethodNotAllowed
	case r.URL.IsAbs() || r.URL.Host != "":
		if !p.public[requestHost(r.URL.Host)] {
			return http.StatusForbidden
		}
	case !strings.HasPrefix(r.RequestURI, "/"):
		return http.StatusBadRequest
	case !p.public[requestHost(r.Host)]:
		return http.StatusMisdirectedRequest // a Host the rule does not publish: never forwarded
	}
	return 0
}

// pick chooses the front end and, in cookie mode, sets MS-WSMAN on every
// response whose request did not carry it.
func (p *proxyNode) pick(w http.ResponseWriter, r *http.Request) backend {
	switch p.mode {
	case lbCookie:
		if c, err := r.Cookie(WSMANCookie); err == nil {
			for _, be := range p.backends {
				if be.id == c.Value {
					return be
				}
			}
		}
		be := p.next()
		if p.setCookieNow(r.Context()) {
			w.Header().Add("Set-Cookie", p.cookie.header(be.id))
		}
		return be
	case lbRoundRobin:
		return p.perConnection(r.Context())
	case lbPerRequest:
		return p.next()
	}
	return p.backends[sourceHash(r.RemoteAddr)%uint32(len(p.backends))]
}

func (p *proxyNode) next() backend {
	return p.backends[(p.rr.Add(1)-1)%uint64(len(p.backends))]
}

// sourceHash hashes the client's IP (not its port), so that every
// connection from one address lands on the same place.
func sourceHash(remote string) uint32 {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	h := fnv.New32a()
	h.Write([]byte(host))
	return h.Sum32()
}

func (p *proxyNode) rewrite(pr *httputil.ProxyRequest) {
	be := pr.In.Context().Value(backendKey{}).(backend)
	pr.SetURL(&url.URL{Scheme: "https", Host: be.addr})
	pr.Out.Host = p.forwardHost(pr.In)
	pr.SetXForwarded()
}

// forwardHost is the Host the front ends see.
func (p *proxyNode) forwardHost(in *http.Request) string {
	if p.backendHost != "" {
		return p.backendHost
	}
	return in.Host
}

func (p *proxyNode) modifyResponse(resp *http.Response) error {
	resp.Header.Add("Via", "1.1 "+p.name)
	if p.hardened {
		stripBranding(resp.Header)
	}
	return nil
}

// badGateway is the proxy's answer when no front end answered.
func badGateway(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		return // the client or the lab went away
	}
	if isCertError(err) { // TMG's answer when the backend's certificate is wrong
		proxyError(w, http.StatusInternalServerError, "The target principal name is incorrect. (-2146893022)")
		return
	}
	proxyError(w, http.StatusBadGateway, "the front end did not answer: "+err.Error())
}

func proxyError(w http.ResponseWriter, status int, why string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<html><head><title>Error %d</title></head><body><h1>Error Code: %d %s</h1><p>%s</p></body></html>\n",
		status, status, http.StatusText(status), html.EscapeString(why))
}

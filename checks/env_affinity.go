package checks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/probe"
)

// identityPath is the Autodiscover user resource: its 401 carries
// X-MS-Server-Fqdn, the answering front end's name (learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements).
const identityPath = "/Autodiscover/AutodiscoverService.svc/root/oauth/user"

// identityMaxBody caps what an identity request reads: a 401 page.
const identityMaxBody = 64 << 10

// keepAliveRequests is how many requests share one connection in the
// per-request probe.
const keepAliveRequests = 6

// affinityRun is one run of the affinity probe against one web services
// name. The probe opens fresh connections on purpose, so its connections
// are never memoised one by one; the run as a whole is one fact about the
// balancer, computed once and shared by the affinity checks.
type affinityRun struct {
	Target   string // the external web services FQDN
	Via      string // "address 203.0.113.10"
	Addr     string // host:port dialled
	Sources  []string
	Plain    []probe.Visit // new connections, no cookie jar
	Jar      []probe.Visit // new connections carrying the cookies they were given
	OneConn  []probe.Visit // several requests over one keep-alive connection
	Backends []backendIdentity
	// OutOfTime: the probe's own limit ended it before it finished (at a
	// low --concurrency its connections go one at a time).
	OutOfTime bool
}

// backendIdentity is what a front end, asked directly, calls itself.
type backendIdentity struct {
	Addr, Identity string
	Err            error
}

// affinityFor returns the run for ws, or the result that says why there is
// none (its name does not resolve, or the check's time ran out).
func (e *Env) affinityFor(ctx context.Context, ws config.WebService) (*affinityRun, *Result) {
	addrs, err := e.Addresses(ctx, ws.External)
	if err != nil {
		return nil, &Result{Target: ws.External, Status: Error, Message: e.Unfinished(ctx)}
	}
	if len(addrs) == 0 {
		r := skipFor("dns.resolves", ws.External, ws.External)
		return nil, &r
	}
	// A client uses one address of the name; the pinned one (one per
	// family, env_addrs.go), else the first (sorted), stands for it.
	ip := pick(ctx, ws.External, addrs)
	addr := net.JoinHostPort(ip, fmt.Sprint(e.Dep.ReverseProxy.Port))
	// The probe is many connections in rounds; a check's clock stops while
	// it waits, since the probe's own limit (a probe's per round) bounds it.
	var v any
	whilePaused(ctx, func() {
		v, err = e.memo.getFor(ctx, "affinity|"+ws.External+"|"+addr, e.affinityRounds(), func(ctx context.Context) (any, error) {
			return e.runAffinity(ctx, ws, addr, e.via(ip)), nil
		})
	})
	if err != nil {
		return nil, &Result{Target: ws.External, Via: e.via(ip), Status: Error, Message: e.Unfinished(ctx)}
	}
	return v.(*affinityRun), nil
}

// runAffinity makes the probe's connections. It runs inside the memo, so
// it calls the probes directly: a memoised call from here could wait for
// a slot this run holds.
func (e *Env) runAffinity(ctx context.Context, ws config.WebService, addr, via string) *affinityRun {
	a := e.Dep.Affinity
	plan := probe.Plan{
		Dial:        probe.DialSpec{Addr: addr, SNI: ws.External},
		Request:     e.identityRequest(ws.External),
		Connections: a.Connections,
		Sources:     a.SourceAddresses,
		Workers:     e.affinityWorkers(a.Connections),
	}
	run := &affinityRun{Target: ws.External, Via: via, Addr: addr, Sources: a.SourceAddresses}
	// The front ends are asked directly, not through the balancer, so
	// asking them alongside the proxy's connections changes no answer.
	backends := make(chan []backendIdentity, 1)
	go func() { backends <- e.backendIdentities(ctx, ws) }()
	run.Plain = e.src.Connections(ctx, plan)
	plan.Jar = true
	run.Jar = e.src.Connections(ctx, plan)
	run.OneConn = e.src.KeepAlive(ctx, plan, keepAliveRequests)
	run.Backends = <-backends
	run.OutOfTime = errors.Is(ctx.Err(), context.DeadlineExceeded) && e.runCtx.Err() == nil
	return run
}

// affinityRounds is how many rounds of connections the probe makes, in
// units of the three (plain, cookies, keep-alive) of a probe whose phases
// each go at once: its limit grows with them, so that a low --concurrency
// or many affinity.connections make the probe longer, not cut short.
func (e *Env) affinityRounds() int {
	n := e.Dep.Affinity.Connections
	w := e.affinityWorkers(n)
	rounds := 2*((n+w-1)/w) + 1
	return (rounds + 2) / 3
}

// smallBurst is the largest probe that opens all its connections at once:
// about what a few browsers open to one site, so no burst a proxy would
// take for an attack, and each batch of connections costs one round trip
// instead of connections/DefaultWorkers of them.
const smallBurst = 24

// affinityWorkers is how many of n connections are in flight at once,
// never more than the run's concurrency (--concurrency 1 runs one).
func (e *Env) affinityWorkers(n int) int {
	w := probe.DefaultWorkers
	if n <= smallBurst {
		w = n
	}
	return max(1, min(w, cap(e.memo.sem)))
}

// identityRequest asks host for the resource that names its front end.
func (e *Env) identityRequest(host string) probe.Request {
	return probe.Request{Host: e.Dep.HTTPSAuthority(host), Path: identityPath, MaxBody: identityMaxBody}
}

// backendIdentities asks each configured front end directly who it is:
// several different answers prove there is something to balance. The
// front ends' certificate is not judged here (the identity is the fact).
func (e *Env) backendIdentities(ctx context.Context, ws config.WebService) []backendIdentity {
	return inParallel(len(ws.Backends), func(i int) backendIdentity {
		r := e.identityRequest(ws.External)
		r.Addr, r.SNI = ws.Backends[i], ws.External
		resp, err := e.src.Fetch(ctx, r)
		if err != nil {
			return backendIdentity{Addr: r.Addr, Err: err}
		}
		return backendIdentity{Addr: r.Addr, Identity: e.identity(resp.Header)}
	})
}

// carriedIdentity is the front end named by the identity cookie a request
// carried, "" without one. A balancer that inserts its persistence cookie
// sends a request carrying it to the server it names, and inserts a new
// one when it cannot; so an answer that sets none was served there.
func (e *Env) carriedIdentity(cookieLine string) string {
	name := e.Dep.Affinity.IdentityCookie
	if name == "" || cookieLine == "" {
		return ""
	}
	cks, err := http.ParseCookie(cookieLine)
	if err != nil {
		return ""
	}
	for _, ck := range cks {
		if ck.Name == name && ck.Value != "" {
			return name + "=" + ck.Value
		}
	}
	return ""
}

// sameKind: two front-end names come from the same identity (both from
// the identity cookie, "NAME=value", or both from the header). A front
// end asked directly names itself by header even where the proxy strips
// it and the cookie names the front end: those names cannot be matched.
func sameKind(a, b string) bool {
	return strings.Contains(a, "=") == strings.Contains(b, "=")
}

// identity is the front end a response names: the identity header, else
// the value of the identity cookie it sets; "" when it names none.
func (e *Env) identity(h http.Header) string {
	if v := strings.TrimSpace(h.Get(e.Dep.Affinity.IdentityHeader)); v != "" {
		return strings.ToLower(v)
	}
	name := e.Dep.Affinity.IdentityCookie
	if name == "" {
		return ""
	}
	for _, line := range h.Values("Set-Cookie") {
		if ck, err := http.ParseSetCookie(line); err == nil && ck.Name == name && ck.Value != "" {
			return name + "=" + ck.Value
		}
	}
	return ""
}

package checks

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/probe"
)

// httpReachable: each published URL answers over HTTPS, on every address
// and node, with a certificate that verifies.
func httpReachable(ctx context.Context, e *Env) []Result {
	var out []Result
	for _, p := range e.Dep.PublishedURLs() {
		if e.Dep.OverHTTPOnly(p.Host) {
			continue // not published over HTTPS: http.lyncdiscover asks it over HTTP
		}
		out = append(out, e.reachable(ctx, p)...)
	}
	return out
}

func (e *Env) reachable(ctx context.Context, p config.Published) []Result {
	addrs, err := e.Addresses(ctx, p.Host)
	if err != nil {
		return []Result{{Target: p.URL, Status: Error, Message: e.Unfinished(ctx)}}
	}
	targets := e.ConnectTargets(addrs, e.Dep.ReverseProxy.Port)
	if len(addrs) == 0 {
		return append([]Result{skipFor("dns.resolves", p.URL, p.Host)}, e.probeAll(ctx, p, targets)...)
	}
	return e.probeAll(ctx, p, targets)
}

// skipFor is the cascade result: a prerequisite failed for this target.
func skipFor(prereq, target, host string) Result {
	return Result{Target: target, Status: Skip,
		Message: fmt.Sprintf("depends on %s, which failed for %s", prereq, host)}
}

// probeAll probes every target at once; results keep the targets' order.
func (e *Env) probeAll(ctx context.Context, p config.Published, targets []Target) []Result {
	return inParallel(len(targets), func(i int) Result { return e.reachableVia(ctx, p, targets[i]) })
}

func (e *Env) reachableVia(ctx context.Context, p config.Published, t Target) Result {
	r := Result{Target: p.URL, Via: t.Via, Evidence: map[string]any{"connect": t.Addr}}
	req := e.publicRequest(p, t.Addr)
	resp, err := e.Fetch(ctx, req)
	if err != nil {
		return e.fetchFailed(ctx, r, err)
	}
	r.Duration = resp.Timings.Total
	r.Evidence["path"] = req.Path
	r.Evidence["status"] = resp.Status
	r.Evidence["server"] = resp.Header.Get("Server")
	if verr := probe.VerifyChain(resp.TLS.Chain, p.Host, e.trust(), e.Now()); verr != nil {
		if trustStoreMissing(e.systemRoots(), verr) && e.Dep.TLS.CAFile == "" {
			r.Status, r.Message = Error, "cannot verify the certificate for "+p.Host+": "+noTrustStore
			return r
		}
		r.Status = Fail
		r.Message = "the certificate does not verify for " + p.Host + ": " + verr.Error()
		r.Remedy = "Install a certificate from a trusted CA that covers " + p.Host + ", with its intermediate, on the reverse proxy (the cert checks give the detail)."
		return r
	}
	if resp.Status == http.StatusBadGateway || resp.Status == http.StatusServiceUnavailable || resp.Status == http.StatusGatewayTimeout {
		r.Status = Fail
		r.Message = fmt.Sprintf("the reverse proxy answered %d %s: it could not reach the front ends", resp.Status, http.StatusText(resp.Status))
		r.Remedy = "Check the proxy's rule for " + p.Host + ": the bridging port (4443), the front ends' address, and that the proxy trusts their certificate."
		return r
	}
	if resp.Truncated {
		r.Status = Error
		r.Message = fmt.Sprintf("answered %d but the body did not end within %d KB, where lyncprobe stops reading: an endless or oversized page", resp.Status, len(resp.Body)>>10)
		return r
	}
	r.Status = Pass
	r.Message = fmt.Sprintf("answered %d over %s", resp.Status, probe.TLSVersionName(resp.TLS.Version))
	return r
}

// fetchFailed words a request that got no HTTP answer.
func (e *Env) fetchFailed(ctx context.Context, r Result, err error) Result {
	r.Evidence["error"] = err.Error()
	if msg := e.Unfinished(ctx); msg != "" {
		r.Status, r.Message = Error, msg
		if cause := probe.Explain(err); cause != string(probe.KindOf(err)) {
			r.Message += " (" + cause + ")"
		}
		return r
	}
	r.Status = Fail
	r.Message = fmt.Sprintf("no HTTPS answer from %s: %s", r.Evidence["connect"], probe.Explain(err))
	r.Remedy = fmt.Sprintf("Check that the reverse proxy listens on port %d for this name and that a firewall lets HTTPS through.", e.Dep.ReverseProxy.Port)
	return r
}

// autodiscoverRoot is what Microsoft's load-balancer health monitor asks of
// the external web services name: it must answer 200 (learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements).
const autodiscoverRoot = "/Autodiscover/AutodiscoverService.svc/root"

// publicRequest is what a browser outside sends for p, aimed at addr.
func (e *Env) publicRequest(p config.Published, addr string) probe.Request {
	path := "/"
	if u, err := url.Parse(p.URL); err == nil && u.EscapedPath() != "" {
		path = u.EscapedPath()
	}
	if p.Role == config.RoleWebExt && path == "/" {
		path = autodiscoverRoot
	}
	return probe.Request{Addr: addr, SNI: p.Host, Host: e.Dep.HTTPSAuthority(p.Host), Path: path}
}

package checks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/lyncprobe/lyncprobe/probe"
)

// Autodiscover over plain HTTP. Microsoft lets the first Autodiscover
// request go over HTTP (the proxy's port 80 bridged to the front ends'
// 8080), so that the certificate needs no lyncdiscover name and a
// lyncdiscover CNAME into another domain still works: "This approach is
// supported, but we do not recommend it" (mobilityHTTPSource).

const mobilityHTTPSource = "https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-technical-requirements-for-mobility"

// httpOnlyCost is the one result that says what lyncdiscover_http_only
// costs; none without it.
func (e *Env) httpOnlyCost() []Result {
	var names []string
	for _, n := range e.Dep.LyncdiscoverNames() {
		if e.Dep.OverHTTPOnly(n) {
			names = append(names, strings.ToLower(n))
		}
	}
	if len(names) == 0 {
		return nil
	}
	return []Result{{
		Target: "http://" + names[0], Status: Info,
		Message: fmt.Sprintf("%s published over HTTP only (lyncdiscover_http_only): the certificate needs no lyncdiscover name, "+
			"but the first Autodiscover request and its answer travel unencrypted, so anyone on the path can read them or send clients elsewhere, "+
			"and clients try HTTPS first and fall back to HTTP. Microsoft supports this but does not recommend it (%s)",
			strings.Join(names, ", ")+map[bool]string{true: " is", false: " are"}[len(names) == 1], mobilityHTTPSource),
		Remedy:   "Add every lyncdiscover.<sipdomain> name to the reverse proxy's certificate and publish it over HTTPS, as Microsoft recommends; keep HTTP published as well if a lyncdiscover CNAME points into another domain.",
		Evidence: map[string]any{"names": names, "source": mobilityHTTPSource},
	}}
}

// plainHTTPVerdict judges what only the HTTP request shows: nothing
// answering on the published HTTP port, or port 80 sending clients to
// HTTPS where they need HTTP. done is false when the usual judgement goes on.
func (e *Env) plainHTTPVerdict(ctx context.Context, target, host string, req probe.Request, first probe.Hop) (Result, bool) {
	r := Result{Target: target, Via: e.via(addrHost(req.Addr)), Evidence: map[string]any{"connect": req.Addr}}
	needs := e.httpNeededFor(ctx, host)
	if first.Err != nil {
		if e.Unfinished(ctx) != "" || errors.Is(first.Err, errNotPublic) {
			return Result{}, false
		}
		r.Status, r.Message = Warn, e.nothingOnHTTP(req.Addr, first.Err)
		r.Remedy = fmt.Sprintf("Publish HTTP on port %d of the reverse proxy for %s, bridged to the front ends' port 8080; if the proxy deliberately does not publish HTTP, set reverse_proxy.http_port: 0.",
			e.Dep.ReverseProxy.HTTPPublishedPort(), host)
		if needs != "" {
			r.Status, r.Message = Fail, r.Message+"; "+needs
		}
		r.Evidence["error"] = first.Err.Error()
		return r, true
	}
	to := redirectTarget(first.Response)
	if needs == "" || !strings.HasPrefix(strings.ToLower(to), "https:") {
		return Result{}, false
	}
	r.Status = Fail
	r.Message = fmt.Sprintf("port %d answers %d and redirects to %s: the HTTP fallback is gone, and %s",
		e.Dep.ReverseProxy.HTTPPublishedPort(), first.Response.Status, to, needs)
	r.Remedy = fmt.Sprintf("Publish http://%s/ to the front ends' port 8080 unchanged (no redirect to HTTPS), so that the first Autodiscover request can complete over HTTP (%s).", host, mobilityHTTPSource)
	r.Evidence["location"] = to
	return r, true
}

// httpNeededFor says why host's Autodiscover needs plain HTTP: it is
// published over HTTP only, or it is a CNAME into another domain, which
// mobile clients accept only over HTTP. "" when neither.
func (e *Env) httpNeededFor(ctx context.Context, host string) string {
	if e.Dep.OverHTTPOnly(host) {
		return "the certificate leaves the name out (lyncdiscover_http_only), so clients can discover only over HTTP"
	}
	dom := e.discoverDomain(host)
	for _, l := range e.LookupHost(ctx, host) {
		chain := dnsChainOf(l)
		if i := slices.IndexFunc(chain, func(n string) bool { return !dnsInDomain(n, dom) }); i >= 0 && !dnsMicrosoftOnline(chain[i]) {
			return fmt.Sprintf("%s is a CNAME to %s, outside %s, which mobile clients accept only over HTTP", host, chain[i], dom)
		}
	}
	return ""
}

// nothingOnHTTP words a failed plain-HTTP request to the published port.
func (e *Env) nothingOnHTTP(addr string, err error) string {
	port := e.Dep.ReverseProxy.HTTPPublishedPort()
	key := fmt.Sprintf("reverse_proxy.http_port is %d", port)
	if e.Dep.Line("reverse_proxy.http_port") == 0 {
		key += " (the default when the key is left out)"
	}
	return fmt.Sprintf("nothing answers over HTTP on port %d at %s (%s), although %s", port, addrHost(addr), probe.KindOf(err), key)
}

// redirectTarget is a 3xx answer's Location, "" for any other answer.
func redirectTarget(resp *probe.Response) string {
	if resp == nil || resp.Status < 300 || resp.Status > 399 {
		return ""
	}
	return resp.Header.Get("Location")
}

func addrHost(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

// ocdiscwsRoot is [MS-OCDISCWS]'s Root resource: over HTTP the answer is
// 200 with a single Redirect link.
const ocdiscwsRoot = "https://learn.microsoft.com/en-us/openspecs/office_protocols/ms-ocdiscws/70b7c616-43c4-4472-aee3-3b1f60617180"

// judgeHTTPDiscoverDoc: a name discovered over HTTP only must answer with
// the Redirect link that takes the client on to HTTPS; msg is "" when it does.
func judgeHTTPDiscoverDoc(doc discoverDoc) (msg, remedy string) {
	if doc.Links["redirect"] != "" {
		return "", ""
	}
	return fmt.Sprintf("over HTTP the Autodiscover document must carry a single Redirect link ([MS-OCDISCWS] Root, %s); it has: %s", ocdiscwsRoot, strings.Join(doc.rels(), ", ")),
		"Publish the lyncdiscover name over HTTP to the front ends' port 8080 (their HTTP Autodiscover site), not to a site that answers the HTTPS document."
}

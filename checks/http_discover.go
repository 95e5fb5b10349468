package checks

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/lyncprobe/lyncprobe/probe"
)

// httpLyncdiscover: each lyncdiscover name returns the Autodiscover
// document, its links are reachable from outside, and its user link
// challenges with MsRtcOAuth (learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements).
func httpLyncdiscover(ctx context.Context, e *Env) []Result {
	type target struct{ scheme, host string }
	var ts []target
	for _, n := range e.Dep.LyncdiscoverNames() {
		if !e.Dep.OverHTTPOnly(n) {
			ts = append(ts, target{"https", strings.ToLower(n)})
		}
		if e.Dep.ReverseProxy.HTTPPublishedPort() != 0 {
			ts = append(ts, target{"http", strings.ToLower(n)})
		}
	}
	return append(e.httpOnlyCost(), each(len(ts), func(i int) []Result {
		return e.onEveryAddress(ctx, ts[i].host, false, func(ctx context.Context) Result { return e.lyncdiscover(ctx, ts[i].scheme, ts[i].host) })
	})...)
}

// discoverRequest is the client's first request: / on the name, no
// Accept header (Microsoft's health-monitor rule, learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements).
func (e *Env) discoverRequest(ctx context.Context, scheme, host string) (probe.Request, bool) {
	addrs, _ := e.Addresses(ctx, host)
	if len(addrs) == 0 {
		return probe.Request{}, false
	}
	addr := pick(ctx, host, addrs)
	if scheme == "http" {
		port := e.Dep.ReverseProxy.HTTPPublishedPort()
		authority := host
		if port != 80 {
			authority = net.JoinHostPort(host, strconv.Itoa(port))
		}
		return probe.Request{Scheme: "http", Addr: net.JoinHostPort(addr, strconv.Itoa(port)), Host: authority, Path: "/"}, true
	}
	return e.pageRequest(net.JoinHostPort(addr, strconv.Itoa(e.Dep.ReverseProxy.Port)), host, "/"), true
}

func (e *Env) lyncdiscover(ctx context.Context, scheme, host string) Result {
	target := scheme + "://" + host
	req, ok := e.discoverRequest(ctx, scheme, host)
	if !ok {
		return e.unreached(ctx, target, host, &probe.Error{Op: "dns", Kind: probe.KindOther, Err: errNotPublic})
	}
	hops, stop := e.follow(ctx, req)
	if scheme == "http" {
		if r, done := e.plainHTTPVerdict(ctx, target, host, req, hops[0]); done {
			return r
		}
	}
	if hops[0].Err != nil {
		return e.unreached(ctx, target, host, hops[0].Err)
	}
	r := Result{Target: target, Evidence: map[string]any{"hops": hopEvidence(hops)}}
	doc, msg, remedy := judgeDiscoverChain(host, hops, stop)
	if msg == "" && scheme == "http" && e.Dep.OverHTTPOnly(host) {
		msg, remedy = judgeHTTPDiscoverDoc(doc)
	}
	if msg == "" {
		msg, remedy = e.judgeDiscoverLinks(ctx, host, doc, r.Evidence)
	}
	if m := e.Unfinished(ctx); m != "" {
		r.Status, r.Message = Error, m
		return r
	}
	if remedy != "" {
		r.Status, r.Message, r.Remedy = Fail, msg, remedy
		return r
	}
	r.Status, r.Message = Pass, msg
	return r
}

// judgeDiscoverChain judges the way to the document and the document
// itself; msg is "" when both are right.
func judgeDiscoverChain(host string, hops []probe.Hop, stop error) (doc discoverDoc, msg, remedy string) {
	if sign := chainLogin(hops); sign != "" {
		return doc, "the reverse proxy answers with its own login, " + sign + ": mobile clients cannot discover the service", passThroughRemedy
	}
	for _, h := range hops[1:] {
		if to := hostOf(h.URL); !sameDomain(host, to) {
			return doc, fmt.Sprintf("redirects to %s, another domain: clients give up on a cross-domain redirect (Microsoft UCWA: Root URL)", h.URL),
				"Answer lyncdiscover." + parentDomain(host) + " with the Autodiscover document itself: publish the name to the pool's external web site (4443) instead of redirecting it."
		}
	}
	last := hops[len(hops)-1]
	switch {
	case stop != nil:
		return doc, fmt.Sprintf("the redirects do not end (%v) at %s", stop, last.URL), discoverPublishRemedy(host)
	case last.Err != nil:
		return doc, fmt.Sprintf("redirects to %s, which does not answer: %v", last.URL, last.Err), discoverPublishRemedy(host)
	}
	a := readAnswer(last.Response)
	if a.Status != http.StatusOK {
		return doc, discoverStatusMessage(a), discoverRemedyFor(a, host)
	}
	doc, err := parseDiscover(a)
	switch {
	case err != nil && a.HTML:
		return doc, fmt.Sprintf("answers %s instead of the Autodiscover document", a.describe()), discoverRemedyFor(a, host)
	case err != nil:
		return doc, fmt.Sprintf("answers %s instead of the Autodiscover document (%s)", a.describe(),
			strings.TrimPrefix(err.Error(), errNotDiscover.Error()+": ")), discoverRemedyFor(a, host)
	}
	return doc, "", ""
}

func discoverStatusMessage(a answer) string {
	switch {
	case a.Status == http.StatusNotFound && a.frontEndSign() == "":
		return "answers 404 from the reverse proxy itself: the proxy does not publish this name"
	case a.Status == http.StatusNotFound:
		return "answers IIS 404 from the front end: it does not serve the Autodiscover root under this Host"
	}
	return fmt.Sprintf("answers %s instead of the Autodiscover document", a.describe())
}

// discoverRemedyFor: a blank page or a front end's 404 is the Host header
// (IIS routes the lyncdiscover root by Host); anything else is publishing.
func discoverRemedyFor(a answer, host string) string {
	if a.Blank() || (a.Status == http.StatusNotFound && a.frontEndSign() != "") {
		return "The front end routes the lyncdiscover root by the Host header (see http.host-forwarding). " + hostForwardRemedy
	}
	return discoverPublishRemedy(host)
}

func discoverPublishRemedy(host string) string {
	return fmt.Sprintf("Publish %s on the reverse proxy to the pool's external web site (4443), unchanged (Microsoft: Lync Server 2013 reverse proxy configuration requirements; Microsoft UCWA: Root URL): "+
		"TMG: add it to the rule's Public Name tab; nginx: server_name; Apache: ServerAlias; IIS ARR: the URL Rewrite {HTTP_HOST} condition; "+
		"HAProxy: the Host ACL of the frontend; Web Application Proxy: a pass-through application for https://%s/. The certificate must cover it.", host, host)
}

// judgeDiscoverLinks checks every link of the document and follows the
// one a client follows to its MsRtcOAuth challenge.
func (e *Env) judgeDiscoverLinks(ctx context.Context, host string, doc discoverDoc, ev map[string]any) (msg, remedy string) {
	links := map[string]string{}
	for _, rel := range doc.rels() {
		links[rel] = doc.Links[rel]
	}
	ev["format"], ev["links"] = doc.Format, links
	rel, href := doc.next()
	if rel == "" {
		return fmt.Sprintf("the Autodiscover document has neither a user nor a redirect link (it has: %s)", strings.Join(doc.rels(), ", ")), discoverPublishRemedy(host)
	}
	e.prefetchLinks(ctx, doc)
	for _, r := range doc.rels() {
		if why := e.unpublished(ctx, hostOf(doc.Links[r])); why != "" {
			return fmt.Sprintf("the %s link points at %s, %s: clients outside cannot follow it", r, doc.Links[r], why), leakRemedy
		}
		if m := e.linkAnswers(ctx, r, doc.Links[r]); m != "" {
			return m, "Publish every path of the pool's external web site (/*) on the reverse proxy; the Autodiscover links point into it (Microsoft: Lync Server 2013 reverse proxy configuration requirements)."
		}
	}
	if rel == "redirect" {
		return e.followRedirectDoc(ctx, href)
	}
	return e.judgeUserLink(ctx, doc.Format, href)
}

// linkAnswers is "" when the link gets an answer a client can use.
func (e *Env) linkAnswers(ctx context.Context, rel, href string) string {
	resp, err := e.fetchURL(ctx, href, nil)
	if err != nil {
		return fmt.Sprintf("the %s link %s does not answer: %s", rel, href, probe.KindOf(err))
	}
	a := readAnswer(resp)
	if a.Status == http.StatusNotFound || (a.Status >= 400 && a.frontEndSign() == "") {
		return fmt.Sprintf("the %s link %s answers %s", rel, href, a.describe())
	}
	return ""
}

// followRedirectDoc follows a redirect link (hybrid topologies) once: it
// must give a document with a user link.
func (e *Env) followRedirectDoc(ctx context.Context, href string) (string, string) {
	resp, err := e.fetchURL(ctx, href, nil)
	if err != nil {
		return fmt.Sprintf("the redirect link %s does not answer: %s", href, probe.KindOf(err)), discoverPublishRemedy(hostOf(href))
	}
	doc, err := parseDiscover(readAnswer(resp))
	if err != nil || doc.Links["user"] == "" {
		return fmt.Sprintf("the redirect link %s does not lead to a document with a user link (%v)", href, err), discoverPublishRemedy(hostOf(href))
	}
	return e.judgeUserLink(ctx, doc.Format, doc.Links["user"])
}

// judgeUserLink: an anonymous GET of the user resource must be refused
// with 401 and an MsRtcOAuth challenge that names the web ticket service.
func (e *Env) judgeUserLink(ctx context.Context, format, href string) (string, string) {
	resp, err := e.fetchURL(ctx, href, nil)
	if err != nil {
		return fmt.Sprintf("the user link %s does not answer: %s", href, probe.KindOf(err)), discoverPublishRemedy(hostOf(href))
	}
	a := readAnswer(resp)
	if a.Status != http.StatusUnauthorized || !challenge(a.Header, "MsRtcOAuth") {
		return fmt.Sprintf("the user link %s answers %s, not 401 with an MsRtcOAuth challenge", href, a.describe()),
			"Pass the Autodiscover user resource through to the front ends unchanged, with no pre-authentication and no rewrite of WWW-Authenticate. " + passThroughRemedy
	}
	return fmt.Sprintf("returns the Autodiscover document (%s); the user link answers 401 with an MsRtcOAuth challenge", strings.ToUpper(format)), ""
}

// sameDomain: to is host's parent domain or below it.
func sameDomain(host, to string) bool {
	dom := parentDomain(host)
	to = strings.ToLower(to)
	return to == dom || strings.HasSuffix(to, "."+dom)
}

func parentDomain(host string) string {
	_, dom, ok := strings.Cut(strings.ToLower(host), ".")
	if !ok {
		return host
	}
	return dom
}

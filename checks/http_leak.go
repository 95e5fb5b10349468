package checks

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"

	"github.com/lyncprobe/lyncprobe/probe"
)

// internalSuffixes are name endings that never resolve on the Internet.
var internalSuffixes = []string{".local", ".lan", ".corp", ".internal", ".intranet", ".localdomain", ".home.arpa"}

// unpublished says why clients outside cannot follow a link to host, ""
// when they can: the name is published, or resolves in the public view.
func (e *Env) unpublished(ctx context.Context, host string) string {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "" || publishedHost(e.Dep, host) {
		return ""
	}
	for _, ws := range e.Dep.WebServices {
		if strings.EqualFold(ws.Internal, host) {
			return "the internal web services name"
		}
	}
	if ip := net.ParseIP(host); ip != nil {
		if ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() {
			return "a private address"
		}
		return ""
	}
	for _, s := range internalSuffixes {
		if strings.HasSuffix(host, s) {
			return "an internal-only name (" + s + ")"
		}
	}
	if addrs, err := e.Addresses(ctx, host); err == nil && len(addrs) == 0 {
		return "a name that does not resolve in public DNS"
	}
	return ""
}

// leak is one link clients outside cannot follow.
type leak struct {
	Where, URL, Why string
}

func (l leak) String() string { return fmt.Sprintf("%s %s (%s)", l.Where, l.URL, l.Why) }

// leaks judges every absolute link of a fetch: each hop's Location, the
// page's links, the Autodiscover document's hrefs.
func (e *Env) leaks(ctx context.Context, hops []probe.Hop) (checked int, out []leak) {
	seen := map[string]bool{}
	judge := func(where, base, ref string) {
		u, err := url.Parse(absolute(base, ref))
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || seen[where+u.String()] {
			return
		}
		seen[where+u.String()] = true
		checked++
		if why := e.unpublished(ctx, u.Hostname()); why != "" {
			out = append(out, leak{Where: where, URL: u.String(), Why: why})
		}
	}
	for _, h := range hops {
		if h.Response != nil && h.Response.Header.Get("Location") != "" {
			judge("a redirect to", h.URL, h.Response.Header.Get("Location"))
		}
	}
	last, hop := lastAnswer(hops)
	for _, l := range last.Links {
		judge("a link in the page to", hop.URL, l)
	}
	if doc, err := parseDiscover(last); err == nil {
		for _, rel := range doc.rels() {
			judge("the Autodiscover "+rel+" link", hop.URL, doc.Links[rel])
		}
	}
	return checked, out
}

// httpInternalNameLeak: a redirect, an Autodiscover link or a page link
// that points at a name clients outside cannot resolve.
func httpInternalNameLeak(ctx context.Context, e *Env) []Result {
	pgs := append(e.pages(), e.autodiscoverPages()...)
	return each(len(pgs), func(i int) []Result {
		return e.onEveryAddress(ctx, pgs[i].Host, false, func(ctx context.Context) Result { return e.nameLeak(ctx, pgs[i]) })
	})
}

func (e *Env) nameLeak(ctx context.Context, p page) Result {
	hops, skip := e.followPage(ctx, p.Target, p.Host, p.Path)
	if skip != nil {
		return *skip
	}
	checked, leaks := e.leaks(ctx, hops)
	r := Result{Target: p.Target, Evidence: map[string]any{"hops": hopEvidence(hops), "links_checked": checked}}
	if msg := e.Unfinished(ctx); msg != "" {
		r.Status, r.Message = Error, msg
		return r
	}
	if len(leaks) == 0 {
		r.Status = Pass
		switch checked {
		case 0:
			r.Message = "no link or redirect to an absolute URL: nothing points elsewhere"
		case 1:
			r.Message = "1 link checked: on a name clients outside can reach"
		default:
			r.Message = fmt.Sprintf("%d links and redirects checked, all on names clients outside can reach", checked)
		}
		return r
	}
	var names, lines []string
	for _, l := range leaks {
		names = append(names, hostOf(l.URL))
		lines = append(lines, l.String())
	}
	sort.Strings(names)
	r.Evidence["leaks"] = lines
	r.Status = Fail
	more := ""
	if len(lines) > 1 {
		more = fmt.Sprintf(", and %d more", len(lines)-1)
	}
	r.Message = fmt.Sprintf("points clients at %s, which they cannot reach from outside: %s%s",
		strings.Join(slicesCompact(names), ", "), lines[0], more)
	r.Remedy = leakRemedy
	return r
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Hostname()
}

func slicesCompact(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

const leakRemedy = "The front ends build their links from the pool's external web services FQDN: in Topology Builder set it to the published name (Edit Properties → Web services → External web services FQDN) and publish the topology. " +
	"For a redirect the proxy passes on unchanged, translate it on the way out: TMG link translation; nginx proxy_redirect; Apache ProxyPassReverse; " +
	"IIS ARR reverseRewriteHostInResponseHeaders=\"true\"; HAProxy http-response replace-header Location; Web Application Proxy keeps response-header translation on (no -DisableTranslateUrlInResponseHeaders)."

package checks

import (
	"context"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/probe"
)

// Kinds of page the HTTP module fetches.
const (
	kindMeet         = "meet"
	kindDialin       = "dialin"
	kindLWA          = "lwa"
	kindLyncdiscover = "lyncdiscover"
	kindAutodiscover = "autodiscover" // the Autodiscover root on a web services name
	kindPath         = "path"         // a web services path http.paths probes
)

// syntheticJoin is the join path lyncprobe asks under a meet simple URL
// when no meeting_url is configured: a correctly published deployment
// renders the join page even for an unknown conference, so the answer
// separates "page" from "blank".
const syntheticJoin = "/lyncprobe/LYNCPROBE1"

// page is one URL the HTTP module fetches through the published name.
type page struct {
	Kind   string
	Host   string // published host, lower case
	Target string // the result's target: the URL as a person would use it
	Path   string // path and query to request
	Pool   int    // index of the web services pool that serves it
}

// pages lists what is fetched, in a stable order: meet (meeting_url, or a
// synthetic join URL under each meet URL), dial-in, Lync Web App on each
// web services name, lyncdiscover on each lyncdiscover name.
func (e *Env) pages() []page {
	d := e.Dep
	var out []page
	for _, m := range d.SimpleURLs.Meet {
		out = append(out, e.meetPage(m))
	}
	if d.SimpleURLs.Dialin != "" {
		host, path := splitURL(d.SimpleURLs.Dialin)
		out = append(out, page{Kind: kindDialin, Host: host, Target: d.SimpleURLs.Dialin, Path: path, Pool: e.poolFor(host)})
	}
	for i, ws := range d.WebServices {
		host := strings.ToLower(ws.External)
		out = append(out, page{Kind: kindLWA, Host: host, Target: "https://" + host + lwaPath(d.Version), Path: lwaPath(d.Version), Pool: i})
	}
	for _, n := range d.LyncdiscoverNames() {
		host := strings.ToLower(n)
		if d.OverHTTPOnly(host) {
			continue // no HTTPS page to fetch
		}
		out = append(out, page{Kind: kindLyncdiscover, Host: host, Target: "https://" + host, Path: "/", Pool: e.poolFor(host)})
	}
	return out
}

// autodiscoverPages is the Autodiscover root on each web services name.
func (e *Env) autodiscoverPages() []page {
	var out []page
	for i, ws := range e.Dep.WebServices {
		host := strings.ToLower(ws.External)
		out = append(out, page{Kind: kindAutodiscover, Host: host, Target: "https://" + host + autodiscoverRoot, Path: autodiscoverRoot, Pool: i})
	}
	return out
}

// pathPages are the web services paths http.paths probes, on each web
// services name, in its order.
func (e *Env) pathPages() []page {
	var out []page
	for i, ws := range e.Dep.WebServices {
		host := strings.ToLower(ws.External)
		for _, p := range pathsFor(e.Dep.Version) {
			out = append(out, page{Kind: kindPath, Host: host, Target: "https://" + host + p, Path: p, Pool: i})
		}
	}
	return out
}

func (e *Env) meetPage(meet string) page {
	host, path := splitURL(meet)
	p := page{Kind: kindMeet, Host: host, Pool: e.poolFor(host)}
	if mu := e.Dep.MeetingURL; mu != "" {
		mh, mp := splitURL(mu)
		if mh == host && strings.HasPrefix(strings.ToLower(mp), strings.ToLower(strings.TrimRight(path, "/"))+"/") {
			p.Target, p.Path = mu, mp
			return p
		}
	}
	p.Path = strings.TrimRight(path, "/") + syntheticJoin
	p.Target = "https://" + host + p.Path
	return p
}

// lwaPath is the Lync Web App client page: /Reach/Client/… in Lync 2010,
// /lwa from Lync 2013 on.
func lwaPath(version string) string {
	if version == "lync2010" {
		return "/Reach/Client/WebPages/ReachJoin.aspx"
	}
	return "/lwa/WebPages/LwaClient.aspx"
}

// poolFor is the pool that serves a host: the one whose external name it
// is (path-style simple URLs), else the first pool with backends (the
// pool the simple URLs are published to), else the first.
func (e *Env) poolFor(host string) int {
	first := -1
	for i, ws := range e.Dep.WebServices {
		if strings.EqualFold(ws.External, host) {
			return i
		}
		if first < 0 && len(ws.Backends) > 0 {
			first = i
		}
	}
	return max(first, 0)
}

// splitURL is an URL's lower-case host and its escaped path ("/" if none).
func splitURL(raw string) (host, path string) {
	u, err := url.Parse(raw)
	if err != nil {
		return config.HostOf(raw), "/"
	}
	path = u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	return config.HostOf(raw), path
}

// publicAddr is where a client outside connects for host: the pinned
// address (env_addrs.go), else the first the public resolvers give, on the
// published port. ok is false when the name does not resolve
// (dns.resolves reports it).
func (e *Env) publicAddr(ctx context.Context, host string) (addr string, ok bool) {
	addrs, _ := e.Addresses(ctx, host)
	if len(addrs) == 0 {
		return "", false
	}
	return net.JoinHostPort(pick(ctx, host, addrs), strconv.Itoa(e.Dep.ReverseProxy.Port)), true
}

// pageRequest is what a browser outside sends for path on host, aimed at addr.
func (e *Env) pageRequest(addr, host, path string) probe.Request {
	return probe.Request{Addr: addr, SNI: host, Host: e.Dep.HTTPSAuthority(host), Path: path}
}

// fetched is one request's answer, or why there is none.
type fetched struct {
	Req    probe.Request
	Answer answer
	Resp   *probe.Response
	Skip   *Result // set when there is no answer to judge
}

// fetchPage fetches path on host through the published name, first hop
// only. Without an answer, Skip holds the cascade (or error) result.
func (e *Env) fetchPage(ctx context.Context, target, host, path string) fetched {
	addr, ok := e.publicAddr(ctx, host)
	if !ok {
		return e.noAnswer(ctx, target, host, &probe.Error{Op: "dns", Kind: probe.KindOther, Err: errNotPublic})
	}
	req := e.pageRequest(addr, host, path)
	resp, err := e.Fetch(ctx, req)
	if err != nil {
		return e.noAnswer(ctx, target, host, err)
	}
	return fetched{Req: req, Resp: resp, Answer: readAnswer(resp)}
}

func (e *Env) noAnswer(ctx context.Context, target, host string, err error) fetched {
	r := e.unreached(ctx, target, host, err)
	return fetched{Skip: &r}
}

// followPage fetches path on host through the published name and follows
// its redirects; the last hop is what a browser shows.
func (e *Env) followPage(ctx context.Context, target, host, path string) ([]probe.Hop, *Result) {
	addr, ok := e.publicAddr(ctx, host)
	if !ok {
		r := e.unreached(ctx, target, host, &probe.Error{Op: "dns", Kind: probe.KindOther, Err: errNotPublic})
		return nil, &r
	}
	hops, _ := e.follow(ctx, e.pageRequest(addr, host, path))
	if hops[0].Err != nil {
		r := e.unreached(ctx, target, host, hops[0].Err)
		return nil, &r
	}
	return hops, nil
}

// lastAnswer is the last hop that got an answer.
func lastAnswer(hops []probe.Hop) (answer, probe.Hop) {
	for i := len(hops) - 1; i >= 0; i-- {
		if hops[i].Response != nil {
			return readAnswer(hops[i].Response), hops[i]
		}
	}
	return answer{}, probe.Hop{}
}

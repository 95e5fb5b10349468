package probe

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultMaxHops bounds a redirect chain: a browser gives up after about
// twenty, but a published Lync URL that needs more than a few is already
// a finding.
const DefaultMaxHops = 5

// Errors that end a chain before its last answer.
var (
	ErrTooManyRedirects = errors.New("too many redirects")
	ErrRedirectLoop     = errors.New("redirect loop")
	ErrRedirectScheme   = errors.New("redirect to a scheme other than http or https")
)

// Hop is one request of a redirect chain and what came back.
type Hop struct {
	URL      string    // the URL as a browser would show it
	Request  Request   // exactly what was sent
	Response *Response // nil when Err is set
	Err      error
}

// Chain follows redirects one hop at a time, each hop a request of its own
// on a fresh connection, so that every hop is recorded.
type Chain struct {
	MaxHops int // default DefaultMaxHops
	// Connect says where to connect for a hop whose host differs from the
	// previous hop's: an address host:port. The caller resolves the name
	// (through its own, memoised, DNS); the time it takes is the hop's DNS
	// phase.
	Connect func(ctx context.Context, u *url.URL) (string, error)
	// Fetch sends one request; default Fetch.
	Fetch func(ctx context.Context, r Request) (*Response, error)
}

// Follow sends first, then follows each redirect. It returns every hop and,
// when the chain was cut short (limit, loop, a scheme it cannot follow), why.
// A hop that got no answer ends the chain with its Err set.
func (c Chain) Follow(ctx context.Context, first Request) ([]Hop, error) {
	fetch, max := c.Fetch, c.MaxHops
	if fetch == nil {
		fetch = Fetch
	}
	if max <= 0 {
		max = DefaultMaxHops
	}
	req, dns := first, time.Duration(0)
	seen := map[string]bool{}
	var hops []Hop
	for {
		u := requestURL(req)
		seen[u.String()] = true
		hop := Hop{URL: u.String(), Request: req}
		hop.Response, hop.Err = fetch(ctx, req)
		if hop.Response != nil && dns > 0 {
			withDNS := *hop.Response // the response may be shared: copy, never mutate
			withDNS.Timings.DNS = dns
			hop.Response = &withDNS
		}
		hops = append(hops, hop)
		loc := redirectTarget(hop, u)
		if loc == nil {
			return hops, nil
		}
		switch {
		case loc.Scheme != "http" && loc.Scheme != "https":
			return hops, ErrRedirectScheme
		case seen[loc.String()]:
			return hops, ErrRedirectLoop
		case len(hops) >= max:
			return hops, ErrTooManyRedirects
		}
		var err error
		req, dns, err = c.next(ctx, req, u, loc, hop.Response.Status)
		if err != nil {
			hops = append(hops, Hop{URL: loc.String(), Err: err})
			return hops, nil
		}
	}
}

// next builds the request for loc. It stays on the previous connect
// address while the host and port stay the same (a node or address under
// test keeps being the one tested), and asks Connect otherwise.
func (c Chain) next(ctx context.Context, prev Request, prevURL, loc *url.URL, status int) (Request, time.Duration, error) {
	r := Request{Scheme: loc.Scheme, Addr: prev.Addr, Host: loc.Host, Path: loc.RequestURI(),
		Header: prev.Header, MaxBody: prev.MaxBody, Method: prev.Method}
	if status != http.StatusTemporaryRedirect && status != http.StatusPermanentRedirect {
		r.Method = "" // 301/302/303: the browser follows with GET
	}
	if loc.Scheme == "https" {
		r.SNI = loc.Hostname()
	}
	if sameOrigin(prevURL, loc) {
		r.SNI = prev.SNI
		return r, 0, nil
	}
	if c.Connect == nil {
		return r, 0, &Error{Op: "http", Kind: KindOther, Err: errors.New("no way to resolve " + loc.Hostname())}
	}
	start := time.Now()
	addr, err := c.Connect(ctx, loc)
	if err != nil {
		return r, 0, err
	}
	r.Addr = addr
	return r, time.Since(start), nil
}

// redirectTarget is the absolute URL a 3xx answer points at, nil when the
// hop is not a redirect.
func redirectTarget(h Hop, base *url.URL) *url.URL {
	if h.Response == nil || h.Response.Status < 300 || h.Response.Status > 399 {
		return nil
	}
	raw := h.Response.Header.Get("Location")
	if raw == "" {
		return nil
	}
	loc, err := base.Parse(raw)
	if err != nil {
		return nil
	}
	loc.Fragment = ""
	return loc
}

// requestURL is what a browser's address bar shows for r.
func requestURL(r Request) *url.URL {
	u, err := url.Parse(r.scheme() + "://" + r.Host + r.path())
	if err != nil {
		return &url.URL{Scheme: r.scheme(), Host: r.Host, Path: r.path()}
	}
	return u
}

func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(hostPort(a), hostPort(b))
}

// hostPort is the URL's host with its port made explicit.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "443"
		if u.Scheme == "http" {
			port = "80"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

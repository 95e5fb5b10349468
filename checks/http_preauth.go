package checks

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/lyncprobe/lyncprobe/probe"
)

// loginMarks are path or host fragments of the login pages reverse
// proxies send clients to: AD FS (WAP pre-authentication), TMG forms-based
// authentication, Azure AD, F5 APM, NetScaler Gateway. The generic words
// count only on a redirect no front end wrote.
var loginMarks = []struct {
	mark, what string
	generic    bool
}{
	{"/adfs/ls", "AD FS sign-in (Web Application Proxy pre-authentication)", false},
	{"/adfs/oauth2", "AD FS sign-in (Web Application Proxy pre-authentication)", false},
	{"cookieauth.dll", "TMG forms-based authentication", false},
	{"login.microsoftonline.com", "Azure AD sign-in", false},
	{"/my.policy", "F5 APM logon", false},
	{"/vpn/index.html", "NetScaler Gateway logon", false},
	{"wsignin1.0", "WS-Federation sign-in", false},
	{"/login", "a login page", true},
	{"/logon", "a logon page", true},
	{"/signin", "a sign-in page", true},
}

// loginSign names the pre-authentication an answer shows, "" for none: a
// redirect to a login page, a forms page with a password field, or a
// Basic challenge the front ends never send.
func loginSign(a answer, base string) string {
	if loc := a.location(base); loc != nil {
		s := strings.ToLower(loc.Host + loc.Path + "?" + loc.RawQuery)
		for _, m := range loginMarks {
			if strings.Contains(s, m.mark) && (!m.generic || a.frontEndSign() == "") {
				return fmt.Sprintf("a redirect to %s at %s", m.what, a.Header.Get("Location"))
			}
		}
	}
	switch {
	case a.HTML && a.Password:
		return fmt.Sprintf("a login form (%q, %d)", a.Title, a.Status)
	case a.Status == http.StatusUnauthorized && challenge(a.Header, "Basic") && a.frontEndSign() == "":
		return "a Basic authentication challenge from the proxy"
	}
	return ""
}

// chainLogin is the login a redirect chain shows, "" for none.
func chainLogin(hops []probe.Hop) string {
	for _, h := range hops {
		if h.Response == nil {
			continue
		}
		if s := loginSign(readAnswer(h.Response), h.URL); s != "" {
			return s
		}
	}
	return ""
}

// httpPreauth: the proxy must pass Lync/SfB requests through; clients
// (desktop, mobile, Lync Web App) cannot get past a proxy's login page.
func httpPreauth(ctx context.Context, e *Env) []Result {
	pgs := append(e.pages(), e.autodiscoverPages()...)
	return each(len(pgs), func(i int) []Result { return []Result{e.preauth(ctx, pgs[i])} })
}

func (e *Env) preauth(ctx context.Context, p page) Result {
	hops, skip := e.followPage(ctx, p.Target, p.Host, p.Path)
	if skip != nil {
		return *skip
	}
	last, hop := lastAnswer(hops)
	r := Result{Target: p.Target, Evidence: map[string]any{"hops": hopEvidence(hops), "final": last.evidence()}}
	if sign := chainLogin(hops); sign != "" {
		r.Status = Fail
		r.Message = "the reverse proxy answers with its own login, " + sign + ", instead of passing the request through to the front ends"
		r.Remedy = passThroughRemedy
		return r
	}
	r.Status = Pass
	r.Message = "passed through to the front ends without pre-authentication: " + last.describe()
	if len(hops) > 1 {
		r.Message += " at " + hop.URL
	}
	return r
}

// hopEvidence lists a chain's hops for a result: URL, status, Location.
func hopEvidence(hops []probe.Hop) []map[string]any {
	var out []map[string]any
	for _, h := range hops {
		m := map[string]any{"url": h.URL, "connect": h.Request.Addr}
		if h.Response != nil {
			m["status"] = h.Response.Status
			if loc := h.Response.Header.Get("Location"); loc != "" {
				m["location"] = loc
			}
			if h.Response.Timings.DNS > 0 {
				m["dns_ms"] = h.Response.Timings.DNS.Milliseconds()
			}
		}
		if h.Err != nil {
			m["error"] = h.Err.Error()
		}
		out = append(out, m)
	}
	return out
}

// absolute resolves ref against base; "" when either does not parse.
func absolute(base, ref string) string {
	b, err := url.Parse(base)
	if err != nil {
		return ""
	}
	u, err := b.Parse(ref)
	if err != nil {
		return ""
	}
	return u.String()
}

// blockedBy is the skip message when the proxy's own answer hides the
// front ends (its login, or a 5xx it wrote itself), "" otherwise.
func blockedBy(a answer, url string) string {
	if login := loginSign(a, url); login != "" {
		return "depends on http.preauth: the proxy answers with its own login, " + login
	}
	if a.Status >= 500 && a.frontEndSign() == "" {
		return fmt.Sprintf("cannot tell: the reverse proxy answers %d %s itself, it could not complete the request to a front end (see http.reachable and http.backend-tls)",
			a.Status, http.StatusText(a.Status))
	}
	return ""
}

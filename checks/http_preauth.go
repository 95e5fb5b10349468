package checks

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
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
// redirect to a login page or a login host, a forms page with a password
// field, or a Basic challenge the front ends never send.
func loginSign(a answer, base string) string {
	if loc := a.location(base); loc != nil {
		s := strings.ToLower(loc.Host + loc.Path + "?" + loc.RawQuery)
		for _, m := range loginMarks {
			if strings.Contains(s, m.mark) && !m.generic {
				return fmt.Sprintf("a redirect to %s at %s", m.what, a.Header.Get("Location"))
			}
		}
		if a.frontEndSign() != "" {
			return "" // a front end's own redirect: the generic words prove nothing
		}
		if loginHost(loc.Hostname()) {
			return fmt.Sprintf("a redirect to the login host %s (%s)", loc.Hostname(), a.Header.Get("Location"))
		}
		for _, m := range loginMarks {
			if strings.Contains(s, m.mark) {
				return fmt.Sprintf("a redirect to %s at %s", m.what, a.Header.Get("Location"))
			}
		}
	}
	switch {
	case a.HTML && a.Password:
		return fmt.Sprintf("a login form (%q, %d)", a.Title, a.Status)
	case a.Status == http.StatusUnauthorized && challenge(a.Header, "Basic") && a.frontEndSign() == "":
		if realm := basicRealm(a.Header); realm != "" {
			return fmt.Sprintf("a Basic authentication challenge from the proxy (realm %q)", realm)
		}
		return "a Basic authentication challenge from the proxy"
	}
	return ""
}

// loginHostLabels are first labels of the hosts identity providers and
// access gateways sign users in on (sso.contoso.com, adfs.contoso.com).
var loginHostLabels = []string{"login", "logon", "signin", "sso", "sts", "adfs", "fs", "idp", "auth", "access"}

// loginHost reports whether host's first label names a sign-in host.
func loginHost(host string) bool {
	first, _, _ := strings.Cut(strings.ToLower(host), ".")
	return slices.Contains(loginHostLabels, first)
}

// basicRealm is the realm of a Basic challenge, "" when none is given.
func basicRealm(h http.Header) string {
	for _, v := range h.Values("WWW-Authenticate") {
		f := strings.Fields(v)
		if len(f) < 2 || !strings.EqualFold(f[0], "Basic") {
			continue
		}
		_, realm, ok := strings.Cut(strings.Join(f[1:], " "), "realm=")
		if ok {
			realm, _, _ = strings.Cut(strings.TrimPrefix(realm, `"`), `"`)
			return realm
		}
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
// Every page and every web services path http.paths probes is judged: a
// proxy may pre-authenticate some paths and let the meeting pages through.
func httpPreauth(ctx context.Context, e *Env) []Result {
	pgs := append(e.pages(), e.pathPages()...)
	return each(len(pgs), func(i int) []Result { return []Result{e.preauth(ctx, pgs[i])} })
}

func (e *Env) preauth(ctx context.Context, p page) Result {
	hops, skip := e.followPage(ctx, p.Target, p.Host, p.Path)
	if skip != nil {
		return *skip
	}
	last, hop := lastAnswer(hops)
	r := Result{Target: p.Target, Evidence: map[string]any{"hops": hopEvidence(hops), "final": last.evidence()}}
	if sign := preauthSign(p, hops); sign != "" {
		r.Status = Fail
		r.Message = fmt.Sprintf("the reverse proxy pre-authenticates %s: it answers with %s instead of passing the request through to the front ends; %s",
			pageName(p), sign, breaksFor(p))
		r.Evidence["asked_for"] = sign
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

// preauthSign is the pre-authentication a chain shows: a login anywhere
// in it, or a Windows challenge on a path the front ends serve without
// one (where only the proxy can have asked).
func preauthSign(p page, hops []probe.Hop) string {
	if sign := chainLogin(hops); sign != "" {
		return sign
	}
	if hops[0].Response == nil {
		return ""
	}
	a := readAnswer(hops[0].Response)
	if a.Status != http.StatusUnauthorized || challenge(a.Header, "MsRtcOAuth") {
		return ""
	}
	if schemes := windowsSchemes(a.Header); schemes != "" && anonymousAtFrontEnd(p) {
		return fmt.Sprintf("a %s challenge, which the front ends never send for %s (they serve it without authentication%s)",
			schemes, pageName(p), ucwaNote(p))
	}
	return ""
}

// windowsSchemes is "NTLM/Negotiate", "NTLM" or "" for a header's challenges.
func windowsSchemes(h http.Header) string {
	var out []string
	for _, s := range []string{"NTLM", "Negotiate"} {
		if challenge(h, s) {
			out = append(out, s)
		}
	}
	return strings.Join(out, "/")
}

// anonymousAtFrontEnd: the front ends answer these without asking for
// Windows authentication (the meeting and dial-in pages, Lync Web App,
// Autodiscover and lyncdiscover); UCWA asks with MsRtcOAuth, never with
// a Windows challenge alone.
func anonymousAtFrontEnd(p page) bool {
	if p.Kind != kindPath {
		return true
	}
	switch strings.ToLower(firstSegment(p.Path)) {
	case "/meet", "/dialin", "/autodiscover", "/lwa", "/ucwa":
		return true
	}
	return false
}

func ucwaNote(p page) string {
	if strings.EqualFold(firstSegment(p.Path), "/ucwa") {
		return "; UCWA asks with an MsRtcOAuth challenge"
	}
	return ""
}

// pageName is how a message names the page: its path, or the name for a root.
func pageName(p page) string {
	if p.Path == "/" {
		return "https://" + p.Host + "/"
	}
	return p.Path
}

// breaksFor says what external users lose when the proxy stops p.
func breaksFor(p page) string {
	switch p.Kind {
	case kindMeet:
		return "external users cannot join meetings"
	case kindDialin:
		return "external users cannot open the dial-in conferencing page (numbers, PIN)"
	case kindLWA:
		return "Lync Web App cannot load, so users without the client cannot join meetings"
	case kindLyncdiscover, kindAutodiscover:
		return "mobile and desktop clients cannot discover their pool: mobile sign-in fails"
	}
	switch strings.ToLower(firstSegment(p.Path)) {
	case "/abs":
		return "external clients cannot download the address book"
	case "/groupexpansion":
		return "external clients cannot expand distribution lists"
	case "/certprov":
		return "external clients cannot get a client certificate, so certificate sign-in (and phones signing in with PIN) fails"
	case "/webticket":
		return "clients cannot get a web ticket: Lync Web App, mobile sign-in and the other web services fail"
	case "/autodiscover":
		return "mobile and desktop clients cannot discover their pool: mobile sign-in fails"
	case "/ucwa":
		return "mobile clients (Lync 2013 and later) and Lync Web App cannot sign in"
	case "/mcx":
		return "Lync 2010 mobile clients cannot sign in"
	case "/meet", "/reach", "/lwa":
		return "external users cannot join meetings through Lync Web App"
	case "/dialin":
		return "external users cannot open the dial-in conferencing page"
	}
	return "this web service fails for external clients"
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

package lab

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// The HTTP module's parts of the lab: the front ends' internal web site,
// the proxy's publishing rules (which names and paths it publishes, its
// pre-authentication), the Office Web Apps host, and how the HTTP faults
// bend them.

// labHTTP is what the HTTP parts add to a running lab.
type labHTTP struct {
	internal []string // fe01's and fe02's internal web site (443 in production)
	owa      *owaSite // nil unless Options.OWA
}

// startHTTPParts starts the internal web sites (always: a front end has
// both) and the Office Web Apps host (when asked), before the proxies,
// which need their addresses.
func (l *Lab) startHTTPParts() error {
	s := &site{version: l.Version, port: l.Port}
	cfg := serverTLS(l.pki.frontEnd)
	for i := range l.fes {
		ln, err := l.listenHTTPPart()
		if err != nil {
			return err
		}
		fe := newInternalSite(fmt.Sprintf("fe%02d", i+1), s)
		l.httpx.internal = append(l.httpx.internal, ln.Addr().String())
		l.serve(l.newHTTPServer(fe), tls.NewListener(ln, cfg))
	}
	if l.opts.OWA {
		return l.startOWA()
	}
	return nil
}

func (l *Lab) listenHTTPPart() (net.Listener, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(l.opts.Addr, "0"))
	if err != nil {
		return nil, err
	}
	l.closers = append(l.closers, ln)
	return ln, nil
}

// bendFrontEnd applies the HTTP faults that live in a front end.
func (l *Lab) bendFrontEnd(fe *frontEnd) {
	fe.foreignHost404 = l.faults.hasArg("no-host-forward", "404")
	fe.internalLinks = l.faults.has("internal-links")
}

// bendProxy applies the HTTP faults that live in proxy node i, and the
// Office Web Apps rule when the lab has the host.
func (l *Lab) bendProxy(i int, p *proxyNode) {
	fs := l.faults
	if fs.has("no-host-forward") || (fs.has("node-no-host-forward") && i == 1) {
		p.backendHost = PoolFQDN // TMG's "internal site name", sent instead of the client's Host
	}
	if fs.has("bridge-internal") {
		p.backends = append([]backend(nil), p.backends...)
		for j := range p.backends {
			p.backends[j].addr = l.httpx.internal[j]
		}
	}
	p.rules = proxyRules{paths: fs["unpublished-path"], preauth: fs.has("preauth"), hosts: map[string]http.Handler{}}
	if fs.has("partial-preauth") {
		p.rules.basic = partialBasicPaths
		p.rules.login = partialLoginPaths
	}
	if fs.has("lyncdiscover-404") {
		p.rules.hosts[DiscoverHost] = http.HandlerFunc(notPublished)
	}
	if l.httpx.owa != nil {
		p.public[OWAHost] = true
		p.rules.hosts[OWAHost] = l.httpx.owa.proxy
		if fs.has("owa-unpublished") {
			p.rules.hosts[OWAHost] = http.HandlerFunc(notPublished)
		}
	}
}

// publishedNames are the names the proxy publishes and its certificate
// covers: the fixed ones, plus Office Web Apps under --lab-owa.
func (l *Lab) publishedNames() []string {
	if l.opts.OWA {
		return append(append([]string(nil), publishedHosts...), OWAHost)
	}
	return publishedHosts
}

// extraZoneHosts are the zone's hosts beyond hostLabels.
func (l *Lab) extraZoneHosts() []string {
	if l.opts.OWA {
		return []string{OWAHost}
	}
	return nil
}

// impliedOWA reports whether a switched-on fault needs the Office Web
// Apps host.
func (fs faultSet) impliedOWA() bool {
	for _, f := range Faults {
		if f.OWA && fs.has(f.Name) {
			return true
		}
	}
	return false
}

// proxyRules are a node's publishing rules beyond "forward to the pool":
// names handled otherwise (not published, or another farm), path prefixes
// it does not publish, and TMG forms-based pre-authentication.
type proxyRules struct {
	hosts   map[string]http.Handler
	paths   []string // lower-case prefixes answered 404 by the proxy itself
	preauth bool
	// basic and login are the prefixes the proxy pre-authenticates with a
	// Basic challenge and with a redirect to a login host (partial-preauth).
	basic, login []string
}

// The paths partial-preauth pre-authenticates: the meeting pages still
// pass through, as with an access policy written for some paths only.
var (
	partialBasicPaths = []string{"/abs", "/certprov"}
	partialLoginPaths = []string{"/groupexpansion"}
)

// LoginHost is where partial-preauth sends clients to sign in (it is not
// in the lab's DNS: the redirect itself is the evidence).
const LoginHost = "sso." + Domain

// intercept answers r itself when a rule says so; false passes it on.
func (pr proxyRules) intercept(w http.ResponseWriter, r *http.Request) bool {
	if h := pr.hosts[requestHost(r.Host)]; h != nil {
		h.ServeHTTP(w, r)
		return true
	}
	path := normPath(r.URL.Path)
	for _, p := range pr.paths {
		if underDir(path, strings.TrimRight(p, "/")) {
			proxyError(w, http.StatusNotFound, "The requested URL was not found: no publishing rule covers this path.")
			return true
		}
	}
	if pr.preauth {
		tmgLogon(w, r)
		return true
	}
	return pr.partialPreauth(w, r, path)
}

// partialPreauth answers the paths of partial-preauth: a Basic challenge
// (nginx auth_basic) or a redirect to the login host (an access gateway).
func (pr proxyRules) partialPreauth(w http.ResponseWriter, r *http.Request, path string) bool {
	for _, p := range pr.basic {
		if underDir(path, p) {
			w.Header().Set("WWW-Authenticate", `Basic realm="Contoso staff"`)
			proxyError(w, http.StatusUnauthorized, "Authorization Required")
			return true
		}
	}
	for _, p := range pr.login {
		if underDir(path, p) {
			back := url.QueryEscape("https://" + r.Host + r.URL.RequestURI())
			w.Header().Set("Location", "https://"+LoginHost+"/idp/signin?return="+back)
			w.WriteHeader(http.StatusFound)
			return true
		}
	}
	return false
}

func notPublished(w http.ResponseWriter, _ *http.Request) {
	proxyError(w, http.StatusNotFound, "The requested URL was not found: no publishing rule listens for this name.")
}

// tmgLogon is TMG forms-based authentication: every request without a
// session goes to CookieAuth.dll's logon form. The lab has no users, so
// nobody ever gets past it.
func tmgLogon(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(strings.ToLower(r.URL.Path), "/cookieauth.dll") {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, tmgLogonHTML)
		return
	}
	curl := strings.ReplaceAll(r.URL.EscapedPath(), "/", "Z2F")
	w.Header().Set("Location", "https://"+r.Host+"/CookieAuth.dll?GetLogon?curl="+url.QueryEscape(curl)+"&reason=0&formdir=3")
	w.WriteHeader(http.StatusFound)
}

const tmgLogonHTML = `<!DOCTYPE html>
<html><head><title>Microsoft Forefront TMG</title></head>
<body><h1>Microsoft Forefront Threat Management Gateway</h1>
<form method="post" action="/CookieAuth.dll?Logon">
<p>Domain\user name: <input name="username"></p>
<p>Password: <input type="password" name="password"></p>
<p><input type="submit" value="Log On"></p>
</form></body></html>
`

// isCertError reports whether a proxy's backend request failed on the
// front end's certificate, which TMG answers with a 500.
func isCertError(err error) bool {
	var verr *tls.CertificateVerificationError
	var host x509.HostnameError
	return errors.As(err, &verr) || errors.As(err, &host)
}

// newInternalSite is a front end's internal web site: everything the
// external site serves, plus the Control Panel and remote PowerShell,
// both behind Windows authentication.
func newInternalSite(id string, s *site) *frontEnd {
	f := newFrontEnd(id, s)
	admin := route{func(_, path string) bool { return underDir(path, "/cscp") || underDir(path, "/ocspowershell") }, windowsChallenge}
	f.routes = append([]route{admin}, f.routes...)
	return f
}

// linkBase is the base of the URLs the front end advertises: the
// external web services URL, or the internal pool's under internal-links
// (a topology whose external web services FQDN was left at the pool name).
func (f *frontEnd) linkBase() string {
	if f.internalLinks {
		return "https://" + PoolFQDN
	}
	return f.site.baseURL()
}

// bendFrontEndLeaf: backend-cert-mismatch drops the pool name and keeps
// the servers' own names, a certificate requested server by server.
func (l *Lab) bendFrontEndLeaf(s leafSpec) leafSpec {
	if l.faults.has("backend-cert-mismatch") {
		s.CN = frontEndFQDN("fe01")
		s.DNS = []string{frontEndFQDN("fe01"), frontEndFQDN("fe02")}
	}
	return s
}

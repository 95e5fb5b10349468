package lab

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// JoinCookie is the join-session cookie a front end sets on a meeting join
// page. Only the front end that issued it knows the session, so the
// follow-up request (the web app client) fails on any other front end:
// the split join of the classic TMG set-up.
const JoinCookie = "LabJoinSession"

// maxSessions bounds the sessions a front end remembers, and sessionTTL
// how long it remembers one: a join's follow-ups come within seconds.
// Past either, the oldest sessions are forgotten first, so a standing lab
// that has served thousands of joins still knows the one under way (it
// used to forget every session at once past 4,096, and the join of the
// next deployment then failed with "session not found"), and a client
// that floods join pages only makes it forget old ones.
const (
	maxSessions = 4096
	sessionTTL  = 10 * time.Minute
)

// sessionBook is a front end's join sessions, oldest first.
type sessionBook struct {
	born  map[string]time.Time
	order []string // ids by age; an id of order may already be gone from born
}

// add remembers id, born at now, forgetting the sessions past their age
// and, past maxSessions, the oldest.
func (b *sessionBook) add(id string, now time.Time) {
	if b.born == nil {
		b.born = map[string]time.Time{}
	}
	for len(b.order) > 0 {
		old := b.order[0]
		if len(b.born) < maxSessions && now.Sub(b.born[old]) < sessionTTL {
			break
		}
		delete(b.born, old)
		b.order = b.order[1:]
	}
	if len(b.order) == 0 {
		b.order = nil // let the backing array go
	}
	b.born[id] = now
	b.order = append(b.order, id)
}

func (b *sessionBook) knows(id string, now time.Time) bool {
	t, ok := b.born[id]
	return ok && now.Sub(t) < sessionTTL
}

// site is what every front end of the pool shares.
type site struct {
	version string
	port    int // the published HTTPS port, which the server puts in its links
}

// baseURL is the external web services URL as clients must use it.
func (s *site) baseURL() string {
	if s.port == 0 || s.port == 443 {
		return "https://" + ExternalWeb
	}
	return "https://" + ExternalWeb + ":" + strconv.Itoa(s.port)
}

// lwaPath is the Lync Web App client page: /lwa from Lync 2013 on,
// /Reach/Client/… in Lync 2010.
func (s *site) lwaPath() string {
	if s.version == "lync2010" {
		return "/Reach/Client/WebPages/ReachJoin.aspx"
	}
	return "/lwa/WebPages/LwaClient.aspx"
}

// frontEnd emulates one Front End server's External IIS site (4443).
type frontEnd struct {
	id   string // "fe01"
	fqdn string // "fe01.pool01.contoso.local"
	site *site

	// foreignHost404 makes meet and dial-in paths under a Host the site
	// does not know answer IIS 404 instead of a blank 200 (both are seen
	// when a proxy forwards the pool name instead of the original Host).
	foreignHost404 bool
	// internalLinks makes the Autodiscover document link to the internal
	// pool name (internal-links; linkBase in httpfaults.go).
	internalLinks bool

	mu       sync.Mutex
	sessions sessionBook
	routes   []route
	served   atomic.Int64 // requests answered (the smuggling tests count them)
}

func newFrontEnd(id string, s *site) *frontEnd {
	f := &frontEnd{id: id, fqdn: frontEndFQDN(id), site: s}
	f.routes = f.routeTable()
	return f
}

// route is one rule of the site; match sees the Host without port and
// the path, both lower case, the path without a trailing slash.
type route struct {
	match func(host, path string) bool
	serve http.HandlerFunc
}

func (f *frontEnd) routeTable() []route {
	const ad = "/autodiscover/autodiscoverservice.svc/root"
	return []route{
		{isDiscoverRoot, f.discoverRoot},
		{pathIn(ad+"/oauth/user", ad+"/user", ad+"/domain"), f.oauthChallenge},
		{pathIn("/autodiscover/xframe/xframe.html"), xframe},
		{pathIn("/webticket/oauthtoken"), f.oauthToken},
		{pathIn(strings.ToLower(f.site.lwaPath())), f.lwaClient},
		{f.isUCWA, f.ucwaChallenge},
		{isWindowsAuthPath, windowsChallenge},
		{isMeetJoin, f.joinPage},
		{isMeetRoot, f.meetRoot},
		{isDialin, dialinPage},
		{isForeignSimpleURL, f.foreignHost},
	}
}

func (f *frontEnd) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.served.Add(1)
	w.Header().Set("Server", "Microsoft-IIS/10.0")
	w.Header().Set("X-Powered-By", "ASP.NET")
	host, path := requestHost(r.Host), normPath(r.URL.Path)
	for _, rt := range f.routes {
		if rt.match(host, path) {
			rt.serve(w, r)
			return
		}
	}
	iisNotFound(w)
}

// requestHost is the Host header without port, lower case, no final dot.
func requestHost(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

// normPath lower-cases the path (IIS paths are case-insensitive) and drops
// a trailing slash.
func normPath(p string) string {
	p = strings.ToLower(p)
	if len(p) > 1 {
		p = strings.TrimRight(p, "/")
	}
	if p == "" {
		return "/"
	}
	return p
}

func pathIn(paths ...string) func(string, string) bool {
	return func(_, path string) bool {
		for _, p := range paths {
			if path == p {
				return true
			}
		}
		return false
	}
}

// underDir reports whether path is dir or below it.
func underDir(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+"/")
}

// twoSegments matches /<user>/<conference>, the meet simple URL's path.
func twoSegments(path string) bool {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	return len(parts) == 2 && parts[0] != "" && parts[1] != ""
}

func isDiscoverRoot(host, path string) bool {
	return path == "/autodiscover/autodiscoverservice.svc/root" || (isDiscoverHost(host) && path == "/")
}

// isMeetHost and isDiscoverHost: the lab's names, or the same labels in
// another SIP domain of the deployment (meet.fabrikam.test): a pool
// serves every SIP domain's simple URLs and lyncdiscover.
func isMeetHost(host string) bool { return host == MeetHost || strings.HasPrefix(host, "meet.") }

func isDiscoverHost(host string) bool {
	return host == DiscoverHost || strings.HasPrefix(host, "lyncdiscover.")
}

// isUCWA: UCWA came with Lync 2013's mobility service.
func (f *frontEnd) isUCWA(_, path string) bool {
	return f.site.version != "lync2010" && underDir(path, "/ucwa")
}

// isWindowsAuthPath lists the virtual directories IIS protects with
// Windows authentication (Negotiate/NTLM).
func isWindowsAuthPath(_, path string) bool {
	for _, dir := range []string{"/reach", "/abs", "/groupexpansion", "/certprov", "/webticket", "/mcx"} {
		if underDir(path, dir) {
			return true
		}
	}
	return false
}

// isMeetJoin: host style (meet.contoso.test/alice/X) or path style on the
// external web services name (webext…/meet/alice/X).
func isMeetJoin(host, path string) bool {
	switch {
	case isMeetHost(host):
		return twoSegments(path)
	case host == ExternalWeb:
		return strings.HasPrefix(path, "/meet/") && twoSegments(strings.TrimPrefix(path, "/meet"))
	}
	return false
}

func isMeetRoot(host, path string) bool {
	return (isMeetHost(host) && path == "/") || (host == ExternalWeb && path == "/meet")
}

func isDialin(host, path string) bool {
	return (host == DialinHost && path == "/") || (host == ExternalWeb && underDir(path, "/dialin"))
}

// isForeignSimpleURL: a meet or dial-in path under a Host the site has no
// binding for, which is what arrives when the proxy does not forward the
// original Host.
func isForeignSimpleURL(host, path string) bool {
	if host == DialinHost || host == ExternalWeb || isMeetHost(host) || isDiscoverHost(host) {
		return false
	}
	return path == "/" || twoSegments(path) || underDir(path, "/meet") || underDir(path, "/dialin")
}

func (f *frontEnd) discoverRoot(w http.ResponseWriter, r *http.Request) {
	base := f.linkBase() + "/Autodiscover/AutodiscoverService.svc/root"
	if strings.Contains(strings.ToLower(r.Header.Get("Accept")), "application/vnd.microsoft.rtc.autodiscover+xml") {
		w.Header().Set("Content-Type", "application/vnd.microsoft.rtc.autodiscover+xml; v=1")
		fmt.Fprintf(w, discoverXML, base, base, base, base, f.linkBase())
		return
	}
	type link struct {
		Href string `json:"href"`
	}
	doc := map[string]map[string]link{"_links": {
		"self":   {base},
		"user":   {base + "/oauth/user"},
		"xframe": {f.linkBase() + "/Autodiscover/XFrame/XFrame.html"},
	}}
	body, _ := json.Marshal(doc)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(body)
}

// oauthChallenge is the 401 of the Autodiscover user resources; security
// tools read X-MS-Server-Fqdn from it to learn the internal name.
func (f *frontEnd) oauthChallenge(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("WWW-Authenticate", f.msRtcOAuth())
	w.Header().Set("X-MS-Server-Fqdn", f.fqdn)
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusUnauthorized)
}

func (f *frontEnd) msRtcOAuth() string {
	return `MsRtcOAuth href=` + f.site.baseURL() + `/WebTicket/oauthtoken,grant_type="urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password"`
}

// oauthToken wants a POSTed grant; the lab has no users to grant.
func (f *frontEnd) oauthToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		iisError(w, http.StatusMethodNotAllowed, "405 - HTTP verb used to access this page is not allowed.")
		return
	}
	w.Header().Set("X-MS-Server-Fqdn", f.fqdn)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprint(w, `{"error":"invalid_grant"}`)
}

func (f *frontEnd) ucwaChallenge(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-MS-Server-Fqdn", f.fqdn)
	w.Header().Add("WWW-Authenticate", f.msRtcOAuth())
	windowsChallenge(w, r)
}

// windowsChallenge is IIS Windows authentication's anonymous answer.
func windowsChallenge(w http.ResponseWriter, _ *http.Request) {
	w.Header().Add("WWW-Authenticate", "Negotiate")
	w.Header().Add("WWW-Authenticate", "NTLM")
	iisError(w, http.StatusUnauthorized, "401 - Unauthorized: Access is denied due to invalid credentials.")
}

// joinPage is the meeting join page; it opens a join session that only
// this front end knows.
func (f *frontEnd) joinPage(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	user, conf := parts[len(parts)-2], parts[len(parts)-1]
	id := f.newSession()
	http.SetCookie(w, &http.Cookie{Name: JoinCookie, Value: id, Path: "/", Secure: true, HttpOnly: true})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, joinHTML(f.site, user, conf))
}

func (f *frontEnd) newSession() string {
	b := make([]byte, 16)
	rand.Read(b)
	id := f.id + "-" + hex.EncodeToString(b)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sessions.add(id, time.Now())
	return id
}

func (f *frontEnd) knows(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sessions.knows(id, time.Now())
}

// lwaClient is the web app client page and the join's follow-up: a join
// session opened on another front end is unknown here.
func (f *frontEnd) lwaClient(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(JoinCookie); err == nil && !f.knows(c.Value) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, sessionNotFoundHTML(f.site))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, lwaHTML(f.site))
}

func (f *frontEnd) meetRoot(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, meetRootHTML(f.site))
}

func dialinPage(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, dialinHTML)
}

func xframe(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html")
	fmt.Fprint(w, xframeHTML)
}

// foreignHost is the classic TMG symptom: the page comes up blank.
func (f *frontEnd) foreignHost(w http.ResponseWriter, _ *http.Request) {
	if f.foreignHost404 {
		iisNotFound(w)
		return
	}
	w.Header().Set("Content-Type", "text/html")
	fmt.Fprint(w, blankHTML)
}

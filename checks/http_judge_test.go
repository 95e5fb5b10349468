package checks

import (
	"crypto/x509"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/internal/tlstest"
	"github.com/lyncprobe/lyncprobe/probe"
)

// Recorded answers, as the lab's front ends and proxy (and real IIS and
// TMG) give them.
func rec(status int, header map[string]string, body string) answer {
	h := http.Header{}
	for k, v := range header {
		h.Add(k, v)
	}
	return readAnswer(&probe.Response{Status: status, Header: h, Body: []byte(body)})
}

var iis = map[string]string{"Server": "Microsoft-IIS/10.0", "X-Powered-By": "ASP.NET", "Content-Type": "text/html; charset=utf-8"}

func withIIS(extra map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range iis {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

var (
	joinPage   = rec(200, iis, `<!DOCTYPE html><html><head><title>Join meeting</title></head><body><h1>Join meeting</h1><p>You are joining alice's meeting.</p><a href="/lwa/WebPages/LwaClient.aspx?meeting=x">Join</a></body></html>`)
	blankPage  = rec(200, iis, `<html><head></head><body></body></html>`)
	iis404     = rec(404, iis, `<html><head><title>404 - File or directory not found.</title></head><body><h2>404 - File or directory not found.</h2></body></html>`)
	proxy404   = rec(404, map[string]string{"Content-Type": "text/html"}, `<html><head><title>Error 404</title></head><body><h1>Error Code: 404 Not Found</h1></body></html>`)
	proxy500   = rec(500, map[string]string{"Content-Type": "text/html"}, `<html><head><title>Error 500</title></head><body>The target principal name is incorrect.</body></html>`)
	lwaPage    = rec(200, iis, `<html><head><title>Skype for Business Web App</title></head><body><h1>Skype for Business Web App</h1><form><input name="displayName"></form></body></html>`)
	windows401 = rec(401, withIIS(map[string]string{"WWW-Authenticate": "Negotiate"}), `<html><head><title>401 - Unauthorized</title></head><body>401</body></html>`)
	tmgLogon   = rec(302, map[string]string{"Location": "https://meet.contoso.test/CookieAuth.dll?GetLogon?curl=Z2F&reason=0&formdir=3"}, "")
	discover   = rec(200, map[string]string{"Server": "Microsoft-IIS/10.0", "Content-Type": "application/json; charset=utf-8"},
		`{"_links":{"self":{"href":"https://webext.contoso.test/Autodiscover/AutodiscoverService.svc/root"},"user":{"href":"https://webext.contoso.test/Autodiscover/AutodiscoverService.svc/root/oauth/user"}}}`)
)

func TestReadAnswerParsesHTML(t *testing.T) {
	page := rec(200, map[string]string{"Content-Type": "text/html"}, `<html><head><title> Sign
	in </title><script>var x = "not text";</script><style>p{}</style></head>
	<body><p>Hello <b>world</b></p><form action="https://sts.contoso.test/adfs/ls"><input type="password" name="p"><input type="submit" value="Go"></form>
	<a href="https://pool01.contoso.local/x">in</a><img src="/i.png"><meta http-equiv="refresh" content="0; url=https://next.test/"></body></html>`)
	if page.Title != "Sign in" || page.Text != "Hello world Go in" || !page.Password {
		t.Errorf("title %q text %q password %v", page.Title, page.Text, page.Password)
	}
	want := []string{"https://sts.contoso.test/adfs/ls", "https://pool01.contoso.local/x", "/i.png", "https://next.test/"}
	for _, w := range want {
		if !slices.Contains(page.Links, w) {
			t.Errorf("links %v lack %s", page.Links, w)
		}
	}
	for name, a := range map[string]answer{"blank": blankPage, "whitespace only": rec(200, iis, "<html><body>\n \t</body></html>"), "empty body": rec(200, nil, "")} {
		if !a.Blank() {
			t.Errorf("%s: not blank", name)
		}
	}
	for name, a := range map[string]answer{"join page": joinPage, "script app": rec(200, iis, `<html><body><script src="/app.js"></script></body></html>`),
		"404": iis404, "json": discover, "title only": rec(200, iis, `<title>x</title>`)} {
		if a.Blank() {
			t.Errorf("%s: blank", name)
		}
	}
}

func TestAlike(t *testing.T) {
	other := rec(200, iis, `<html><head><title>Join meeting</title></head><body><h1>Join meeting</h1><p>You are joining alice's meeting.</p><!-- session 42 --></body></html>`)
	if !alike(joinPage, other) {
		t.Error("the same page twice should be alike")
	}
	for name, b := range map[string]answer{"blank": blankPage, "404": iis404, "another page": lwaPage} {
		if alike(joinPage, b) {
			t.Errorf("join page alike %s", name)
		}
	}
}

func TestJudgeHostCompared(t *testing.T) {
	cases := []struct {
		name    string
		pub     answer
		fwd     answer
		foreign answer
		want    Status
		says    string
	}{
		{"forwarded", joinPage, joinPage, blankPage, Pass, "forwards the original Host header"},
		{"rewritten, blank", blankPage, joinPage, blankPage, Fail, "does not forward the original Host header"},
		{"rewritten, 404", iis404, joinPage, iis404, Fail, "does not forward the original Host header"},
		{"path ignores Host", lwaPage, lwaPage, lwaPage, Pass, "the same under any Host"},
		{"path ignores Host, proxy differs", proxy404, lwaPage, lwaPage, Skip, "other than the Host header"},
		{"neither", proxy404, joinPage, blankPage, Skip, "matches neither"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fwd, foreign := tc.fwd, tc.foreign
			v := judgeHost(hostFacts{Kind: kindMeet, Public: tc.pub, Forwarded: &fwd, Foreign: &foreign, PublicHost: "meet.contoso.test", ForeignHost: "pool01.contoso.local"})
			if v.Status != tc.want || !strings.Contains(v.Message, tc.says) || v.Confidence != confidenceCompared {
				t.Errorf("%s %q (%s)", v.Status, v.Message, v.Confidence)
			}
		})
	}
}

func TestJudgeHostInferred(t *testing.T) {
	leaky := rec(200, iis, `<html><head><title>Moved</title></head><body><a href="https://pool01.contoso.local/meet/">here</a></body></html>`)
	cases := []struct {
		name    string
		kind    string
		pub     answer
		control *answer
		want    Status
		sign    string
	}{
		{"blank while LWA works", kindMeet, blankPage, &lwaPage, Fail, "nothing visible"},
		{"front end 404 while LWA works", kindDialin, iis404, &lwaPage, Fail, "does not know the page"},
		{"internal name shows", kindMeet, leaky, &lwaPage, Fail, "pool01.contoso.local"},
		{"blank, web services down too", kindMeet, blankPage, &proxy404, Skip, ""},
		{"page renders", kindMeet, joinPage, &lwaPage, Pass, ""},
		{"proxy 404", kindMeet, proxy404, &lwaPage, Skip, ""},
		{"LWA itself", kindLWA, lwaPage, nil, Pass, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := judgeHost(hostFacts{Kind: tc.kind, Public: tc.pub, Control: tc.control, Internal: []string{"pool01.contoso.local"}})
			if v.Status != tc.want || v.Confidence != confidenceInferred {
				t.Fatalf("%s %q (%s)", v.Status, v.Message, v.Confidence)
			}
			if tc.want == Fail && (!strings.Contains(v.Message, "does not forward the original Host header") || !strings.Contains(strings.Join(v.Signs, "; "), tc.sign)) {
				t.Errorf("%q, signs %v; want the diagnosis and %q", v.Message, v.Signs, tc.sign)
			}
		})
	}
}

func TestJudgeBlank(t *testing.T) {
	cases := []struct {
		a     answer
		login string
		want  Status
	}{
		{blankPage, "", Fail},
		{joinPage, "", Pass},
		{iis404, "", Info},
		{lwaPage, "a login form", Skip},
	}
	for _, tc := range cases {
		if got, msg := judgeBlank(tc.a, tc.login); got != tc.want {
			t.Errorf("%s: %s %q, want %s", tc.a.describe(), got, msg, tc.want)
		}
	}
}

func TestLoginSign(t *testing.T) {
	signs := map[string]answer{
		"TMG forms-based authentication": tmgLogon,
		"AD FS":                          rec(302, map[string]string{"Location": "https://sts.contoso.com/adfs/ls/?wa=wsignin1.0"}, ""),
		"login form":                     rec(200, map[string]string{"Content-Type": "text/html"}, `<title>Sign in</title><form><input type="password"></form>`),
		"Basic":                          rec(401, map[string]string{"WWW-Authenticate": `Basic realm="webext"`}, ""),
		"a login page":                   rec(302, map[string]string{"Location": "/login?return=/meet"}, ""),
	}
	for want, a := range signs {
		if got := loginSign(a, "https://meet.contoso.test/"); !strings.Contains(strings.ToLower(got), strings.ToLower(want)) {
			t.Errorf("%s: got %q", want, got)
		}
	}
	none := map[string]answer{
		"page":                         joinPage,
		"Windows challenge":            windows401,
		"front end's own login":        rec(302, withIIS(map[string]string{"Location": "/dialin/login.aspx"}), ""),
		"redirect to another Lync URL": rec(302, map[string]string{"Location": "https://webext.contoso.test/meet/"}, ""),
	}
	for name, a := range none {
		if got := loginSign(a, "https://meet.contoso.test/"); got != "" {
			t.Errorf("%s: taken for a login: %q", name, got)
		}
	}
}

// Answers as a hardened proxy passes them on: no Server, X-Powered-By,
// X-AspNet-Version or X-MS-Server-Fqdn.
var (
	bareIIS404 = rec(404, map[string]string{"Content-Type": "text/html"},
		`<html><head><title>404 - File or directory not found.</title></head><body><div id="header"><h1>Server Error</h1></div></body></html>`)
	bareWindows401 = rec(401, map[string]string{"WWW-Authenticate": "NTLM"}, "")
	bareDiscover   = rec(200, map[string]string{"Content-Type": "application/json"}, string(discover.Body))
	bareNginx404   = rec(404, map[string]string{"Content-Type": "text/html"}, "<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>")
	bare403        = rec(403, nil, "Forbidden")
)

// TestJudgePathHardened: without branding headers the front ends are
// known by their challenges and bodies, or by comparison with a front end
// asked directly; nothing is failed for lack of branding.
func TestJudgePathHardened(t *testing.T) {
	frontEnd404 := bareIIS404
	cases := map[string]struct {
		a, direct *answer
		want      Status
	}{
		"NTLM challenge":              {a: &bareWindows401, want: Pass},
		"IIS error page":              {a: &bareIIS404, want: Pass},
		"Autodiscover document":       {a: &bareDiscover, want: Pass},
		"nginx error page":            {a: &bareNginx404, want: Fail},
		"unmarked 403":                {a: &bare403, want: Skip},
		"unmarked 403, front end 403": {a: &bare403, direct: &bare403, want: Pass},
		"unmarked 403, front end 404": {a: &bare403, direct: &frontEnd404, want: Fail},
		"proxy Server header":         {a: ptr(rec(403, map[string]string{"Server": "nginx"}, "")), want: Fail},
		"Basic challenge":             {a: ptr(rec(401, map[string]string{"WWW-Authenticate": `Basic realm="x"`}, "")), want: Skip},
	}
	for name, tc := range cases {
		got, msg := judgePath(*tc.a, "https://webext.contoso.test/abs/handler", tc.direct)
		if got != tc.want {
			t.Errorf("%s: %s %q, want %s", name, got, msg, tc.want)
		}
		if got == Skip && name == "unmarked 403" && !strings.Contains(msg, "web_services.backends") {
			t.Errorf("%s: the skip does not say what to configure: %q", name, msg)
		}
	}
}

func ptr(a answer) *answer { return &a }

func TestJudgePath(t *testing.T) {
	cases := map[string]struct {
		a    answer
		want Status
	}{
		"401 from IIS":     {windows401, Pass},
		"IIS 404":          {iis404, Pass},
		"MsRtcOAuth":       {rec(401, map[string]string{"WWW-Authenticate": "MsRtcOAuth href=https://x/WebTicket/oauthtoken"}, ""), Pass},
		"X-MS-Server-Fqdn": {rec(200, map[string]string{"X-MS-Server-Fqdn": "fe01.pool01.contoso.local"}, ""), Pass},
		"proxy 404":        {proxy404, Fail},
		"proxy 403":        {rec(403, map[string]string{"Server": "nginx/1.22.1"}, "Forbidden"), Fail},
		"proxy 500":        {proxy500, Skip},
		"logon":            {tmgLogon, Skip},
		"proxy redirect":   {rec(301, map[string]string{"Location": "https://www.contoso.test/"}, ""), Warn},
		"page, no headers": {rec(200, map[string]string{"Content-Type": "text/html"}, "<title>Online Meeting</title>"), Pass},
	}
	for name, tc := range cases {
		if got, msg := judgePath(tc.a, "https://webext.contoso.test/abs/handler", nil); got != tc.want {
			t.Errorf("%s: %s %q, want %s", name, got, msg, tc.want)
		}
	}
}

func TestJudgeExposed(t *testing.T) {
	cases := map[string]struct {
		a    answer
		want Status
	}{
		"internal site's challenge": {windows401, Fail},
		"control panel page":        {rec(200, iis, "<title>Skype for Business Server Control Panel</title>"), Fail},
		"IIS directory redirect":    {rec(301, withIIS(map[string]string{"Location": "/cscp/"}), ""), Fail},
		"external site's 404":       {iis404, Pass},
		"proxy 404":                 {proxy404, Pass},
		"logon":                     {tmgLogon, Skip},
		"proxy 500":                 {proxy500, Skip},
	}
	for name, tc := range cases {
		if got := judgeExposed(tc.a, "https://webext.contoso.test/cscp"); got != tc.want {
			t.Errorf("%s: %s, want %s", name, got, tc.want)
		}
	}
}

func TestParseDiscover(t *testing.T) {
	xmlType := map[string]string{"Content-Type": "application/vnd.microsoft.rtc.autodiscover+xml; v=1"}
	good := map[string]struct {
		a    answer
		rel  string
		href string
	}{
		"UCWA JSON": {discover, "user", "https://webext.contoso.test/Autodiscover/AutodiscoverService.svc/root/oauth/user"},
		"Lync 2013 JSON": {rec(200, map[string]string{"Content-Type": "application/json"},
			`{"AccessLocation":"External","Root":{"Links":[{"href":"https://w/root/domain","token":"Domain"},{"href":"https://w/root/user","token":"User"}]}}`), "user", "https://w/root/user"},
		"XML": {rec(200, xmlType, `<?xml version="1.0"?><AutodiscoverResponse><Root><Link token="Redirect" href="https://other/root"/></Root></AutodiscoverResponse>`), "redirect", "https://other/root"},
	}
	for name, tc := range good {
		doc, err := parseDiscover(tc.a)
		rel, href := doc.next()
		if err != nil || rel != tc.rel || href != tc.href {
			t.Errorf("%s: %v, next %s %s", name, err, rel, href)
		}
	}
	bad := map[string]struct {
		a    answer
		says string
	}{
		"blank page":         {blankPage, "HTML page"},
		"JSON as text/plain": {rec(200, map[string]string{"Content-Type": "text/plain"}, `{"_links":{}}`), "content type"},
		"garbage JSON":       {rec(200, map[string]string{"Content-Type": "application/json"}, `{"_links":`), "does not parse"},
		"no links":           {rec(200, map[string]string{"Content-Type": "application/json"}, `{}`), "without _links"},
	}
	for name, tc := range bad {
		if _, err := parseDiscover(tc.a); err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v, want %q", name, err, tc.says)
		}
	}
}

func TestJudgeDiscoverChain(t *testing.T) {
	hop := func(url string, a answer) probe.Hop {
		return probe.Hop{URL: url, Response: &probe.Response{Status: a.Status, Header: a.Header, Body: a.Body}}
	}
	redirect := rec(302, map[string]string{"Location": "https://lyncdiscover.fabrikam.test/"}, "")
	cases := map[string]struct {
		hops []probe.Hop
		says string
	}{
		"proxy 404":     {[]probe.Hop{hop("https://lyncdiscover.contoso.test/", proxy404)}, "404 from the reverse proxy itself"},
		"front end 404": {[]probe.Hop{hop("https://lyncdiscover.contoso.test/", iis404)}, "IIS 404 from the front end"},
		"blank page":    {[]probe.Hop{hop("https://lyncdiscover.contoso.test/", blankPage)}, "instead of the Autodiscover document"},
		"cross-domain redirect": {[]probe.Hop{hop("https://lyncdiscover.contoso.test/", redirect),
			hop("https://lyncdiscover.fabrikam.test/", discover)}, "another domain"},
		"logon": {[]probe.Hop{hop("https://lyncdiscover.contoso.test/", tmgLogon)}, "its own login"},
	}
	for name, tc := range cases {
		_, msg, remedy := judgeDiscoverChain("lyncdiscover.contoso.test", tc.hops, nil)
		if !strings.Contains(msg, tc.says) || remedy == "" {
			t.Errorf("%s: %q (remedy %q), want %q", name, msg, remedy, tc.says)
		}
	}
	doc, msg, _ := judgeDiscoverChain("lyncdiscover.contoso.test", []probe.Hop{hop("https://lyncdiscover.contoso.test/", discover)}, nil)
	if msg != "" || doc.Links["user"] == "" {
		t.Errorf("the document: %q %v", msg, doc)
	}
}

func TestJudgeDiscovery(t *testing.T) {
	xml := rec(200, map[string]string{"Content-Type": "text/xml"}, `<?xml version="1.0"?><wopi-discovery><net-zone name="external-https"><app name="Word"/><app name="PowerPoint"/></net-zone></wopi-discovery>`)
	cases := map[string]struct {
		a    answer
		want Status
	}{
		"discovery XML": {xml, Pass},
		"proxy 404":     {proxy404, Fail},
		"IIS 404":       {iis404, Fail},
		"a page":        {joinPage, Fail},
	}
	for name, tc := range cases {
		if got, msg, _ := judgeDiscovery(tc.a, "owa.contoso.test"); got != tc.want {
			t.Errorf("%s: %s %q", name, got, msg)
		}
	}
}

func TestPathsFor(t *testing.T) {
	cases := map[string]struct{ has, lacks []string }{
		"lync2010": {has: []string{"/mcx", "/Reach", "/abs/handler"}, lacks: []string{"/lwa", "/ucwa"}},
		"lync2013": {has: []string{"/mcx", "/lwa", "/ucwa"}},
		"sfb2015":  {has: []string{"/mcx", "/lwa", "/ucwa"}},
		"sfb2019":  {has: []string{"/lwa", "/ucwa", "/meet", "/dialin"}, lacks: []string{"/mcx"}},
		"sfbse":    {has: []string{"/lwa", "/ucwa"}, lacks: []string{"/mcx"}},
	}
	for v, tc := range cases {
		got := pathsFor(v)
		for _, p := range tc.has {
			if !slices.Contains(got, p) {
				t.Errorf("%s: %v lacks %s", v, got, p)
			}
		}
		for _, p := range tc.lacks {
			if slices.Contains(got, p) {
				t.Errorf("%s: %v has %s", v, got, p)
			}
		}
	}
}

func TestOddNodes(t *testing.T) {
	good, bad := joinPage, blankPage
	na := func(node string, a *answer) nodeAnswer { return nodeAnswer{Node: node, A: a} }
	// Two nodes split evenly: the one that serves the page is the reference.
	ref, odd := oddNodes([]nodeAnswer{na("n1", &bad), na("n2", &good)}, samePage)
	if ref[0].Node != "n2" || len(odd) != 1 || odd[0].Node != "n1" {
		t.Errorf("tie: ref %v odd %v", ref, odd)
	}
	// Three nodes: the majority is the reference.
	ref, odd = oddNodes([]nodeAnswer{na("n1", &good), na("n2", &good), na("n3", &bad)}, samePage)
	if len(ref) != 2 || len(odd) != 1 || odd[0].Node != "n3" {
		t.Errorf("majority: ref %v odd %v", ref, odd)
	}
	// A node that does not answer differs.
	_, odd = oddNodes([]nodeAnswer{na("n1", &good), {Node: "n2", Err: &probe.Error{Kind: probe.KindRefused}}}, samePage)
	if len(odd) != 1 || odd[0].Node != "n2" {
		t.Errorf("refused node: odd %v", odd)
	}
	_, odd = oddNodes([]nodeAnswer{na("n1", &good), na("n2", &good)}, samePage)
	if len(odd) != 0 {
		t.Errorf("alike nodes: odd %v", odd)
	}
}

// httpMint makes a root and a leaf for names (the front end's certificate).
func httpMint(t *testing.T, names []string, ips []net.IP, notAfter time.Time) (*x509.Certificate, *x509.CertPool) {
	t.Helper()
	root := tlstest.NewCA(t, "internal root", nil)
	tmpl := tlstest.LeafTemplate(names...)
	tmpl.IPAddresses, tmpl.NotAfter = ips, notAfter
	return tlstest.Sign(t, tmpl, tlstest.ECKey(t), root), tlstest.Pool(root.Cert)
}

func TestJudgeBackendCert(t *testing.T) {
	now := time.Now()
	pool01, roots := httpMint(t, []string{"pool01.contoso.local", "fe01.pool01.contoso.local"}, nil, now.Add(24*time.Hour))
	servers, _ := httpMint(t, []string{"fe01.pool01.contoso.local"}, []net.IP{net.ParseIP("10.0.0.21")}, now.Add(24*time.Hour))
	expired, oldRoots := httpMint(t, []string{"pool01.contoso.local"}, nil, now.Add(-time.Minute))
	cases := []struct {
		name  string
		leaf  *x509.Certificate
		host  string
		roots *x509.CertPool
		want  Status
		says  string
	}{
		{"covers and chains", pool01, "pool01.contoso.local", roots, Pass, "chains to tls.backend_ca_file"},
		{"pool name missing", servers, "pool01.contoso.local", roots, Fail, "does not cover pool01.contoso.local"},
		{"an address the certificate lists", servers, "10.0.0.21", nil, Info, "not checked"},
		{"another CA", pool01, "pool01.contoso.local", oldRoots, Fail, "does not hold"},
		{"expired", expired, "pool01.contoso.local", oldRoots, Fail, "does not verify"},
	}
	for _, tc := range cases {
		got, msg, _ := judgeBackendCert([]*x509.Certificate{tc.leaf}, tc.host, tc.roots, "tls.backend_ca_file is not set", now)
		if got != tc.want || !strings.Contains(msg, tc.says) {
			t.Errorf("%s: %s %q, want %s with %q", tc.name, got, msg, tc.want, tc.says)
		}
	}
	if proxyName("", "fe01.contoso.local:4443") != "fe01.contoso.local" || proxyName("Pool01.contoso.local", "10.0.0.21:4443") != "pool01.contoso.local" {
		t.Error("proxyName: the internal name first, else the backend's host")
	}
}

// TestPreauthSign: what the proxy asked for, per path; a Windows
// challenge counts only where the front ends answer without one.
func TestPreauthSign(t *testing.T) {
	hop := func(a answer) []probe.Hop {
		return []probe.Hop{{URL: "https://webext.contoso.test/x", Response: &probe.Response{Status: a.Status, Header: a.Header, Body: a.Body}}}
	}
	path := func(p string) page { return page{Kind: kindPath, Host: "webext.contoso.test", Path: p} }
	ntlm := rec(401, map[string]string{"WWW-Authenticate": "NTLM"}, "")
	cases := []struct {
		name string
		p    page
		a    answer
		says string // "" = no pre-authentication
	}{
		{"Basic on /abs", path("/abs/handler"), rec(401, map[string]string{"WWW-Authenticate": `Basic realm="Contoso staff"`}, ""), `Basic authentication challenge from the proxy (realm "Contoso staff")`},
		{"login host", path("/GroupExpansion/service.svc"), rec(302, map[string]string{"Location": "https://sso.contoso.test/idp/signin"}, ""), "login host sso.contoso.test"},
		{"NTLM on /abs is the front end's", path("/abs/handler"), ntlm, ""},
		{"NTLM on Autodiscover is the proxy's", path("/Autodiscover/AutodiscoverService.svc/root"), ntlm, "NTLM challenge"},
		{"NTLM on the meet page is the proxy's", page{Kind: kindMeet, Host: "meet.contoso.test", Path: "/alice/X"}, ntlm, "NTLM challenge"},
		{"NTLM without MsRtcOAuth on /ucwa", path("/ucwa"), ntlm, "UCWA asks with an MsRtcOAuth challenge"},
		{"UCWA's own challenge", path("/ucwa"), rec(401, map[string]string{"WWW-Authenticate": "MsRtcOAuth href=x"}, ""), ""},
	}
	for _, c := range cases {
		got := preauthSign(c.p, hop(c.a))
		if (c.says == "") != (got == "") || !strings.Contains(got, c.says) {
			t.Errorf("%s: %q, want %q", c.name, got, c.says)
		}
	}
	if b := breaksFor(path("/CertProv/CertProvisioningService.svc")); !strings.Contains(b, "client certificate") {
		t.Errorf("CertProv breaks %q", b)
	}
}

// TestBodySign: the front ends' own bodies name them without headers.
func TestBodySign(t *testing.T) {
	soap := rec(500, map[string]string{"Content-Type": "text/xml"}, `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode></s:Fault></s:Body></s:Envelope>`)
	ucwa := rec(404, map[string]string{"Content-Type": "application/json"}, `{"code":"NotFound","subcode":"ApplicationNotFound","message":"The application was not found."}`)
	for name, a := range map[string]answer{"SOAP fault": soap, "UCWA error": ucwa, "IIS page": bareIIS404, "Autodiscover": bareDiscover} {
		if a.bodySign() == "" {
			t.Errorf("%s: no sign", name)
		}
	}
	if s := bareNginx404.bodySign(); s != "" {
		t.Errorf("nginx's page taken for a front end's: %s", s)
	}
}

// TestReadAnswerParsesOnlyTheFirst64KB: a page is parsed up to
// maxHTMLScan: a link before the cut is seen, one after it is not (an
// endless page must not cost seconds of parsing for every check).
func TestReadAnswerParsesOnlyTheFirst64KB(t *testing.T) {
	pad := strings.Repeat("<p>x</p>", maxHTMLScan/8)
	page := rec(200, map[string]string{"Content-Type": "text/html"},
		`<html><body><a href="https://before.test/">a</a>`+pad+`<a href="https://after.test/">b</a></body></html>`)
	if !slices.Contains(page.Links, "https://before.test/") || slices.Contains(page.Links, "https://after.test/") {
		t.Errorf("links %v: want the one before the 64 KB cut and not the one after", page.Links)
	}
}

package lab

import (
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestFrontEndRoutingThroughTheProxy(t *testing.T) {
	l := startLab(t, Options{})
	c := proxyClient(t, l)
	base := publicURL(l, ExternalWeb, "")
	cases := []struct {
		name, url string
		status    int
		contains  string
	}{
		{"meet join", publicURL(l, MeetHost, MeetingPath), 200, "<title>Join meeting</title>"},
		{"meet join, path style", base + "/meet/alice/LAB0001", 200, "Join meeting"},
		{"meet root", publicURL(l, MeetHost, "/"), 200, "meeting"},
		{"dialin", publicURL(l, DialinHost, "/"), 200, "+1 (425) 555-0100"},
		{"dialin, path style", base + "/dialin/", 200, "Dial-in"},
		{"lwa client", base + "/lwa/WebPages/LwaClient.aspx", 200, "Skype for Business Web App"},
		{"abs", base + "/abs/handler", 401, "401 - Unauthorized"},
		{"group expansion", base + "/GroupExpansion/service.svc", 401, ""},
		{"cert prov", base + "/CertProv/CertProvisioningService.svc", 401, ""},
		{"web ticket", base + "/WebTicket/WebTicketService.svc", 401, ""},
		{"reach", base + "/Reach/foo", 401, ""},
		{"mcx", base + "/mcx", 401, ""},
		{"unknown path", base + "/no/such/page.aspx", 404, "404 - File or directory not found."},
		{"unknown path on meet", publicURL(l, MeetHost, "/a/b/c"), 404, "404 - File or directory not found."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, c, tc.url)
			if r.status != tc.status || !strings.Contains(r.body, tc.contains) {
				t.Fatalf("%s: %d, want %d containing %q:\n%s", tc.url, r.status, tc.status, tc.contains, r.body)
			}
			if r.header.Get("Server") != "Microsoft-IIS/10.0" || r.header.Get("X-Powered-By") != "ASP.NET" {
				t.Errorf("not IIS-like: Server %q, X-Powered-By %q", r.header.Get("Server"), r.header.Get("X-Powered-By"))
			}
			if r.status == 401 && !hasValue(r.header, "WWW-Authenticate", "Negotiate") || r.status == 401 && !hasValue(r.header, "WWW-Authenticate", "NTLM") {
				t.Errorf("401 without Negotiate and NTLM: %v", r.header.Values("WWW-Authenticate"))
			}
			if r.header.Get("X-MS-Server-Fqdn") != "" {
				t.Errorf("X-MS-Server-Fqdn where Microsoft shows none")
			}
		})
	}
}

func hasValue(h http.Header, key, prefix string) bool {
	for _, v := range h.Values(key) {
		if strings.HasPrefix(v, prefix) {
			return true
		}
	}
	return false
}

func TestLyncdiscover(t *testing.T) {
	l := startLab(t, Options{})
	c := proxyClient(t, l)
	want := publicURL(l, ExternalWeb, "/Autodiscover/AutodiscoverService.svc/root/oauth/user")
	for _, u := range []string{publicURL(l, DiscoverHost, "/"), publicURL(l, ExternalWeb, "/Autodiscover/AutodiscoverService.svc/root")} {
		r := get(t, c, u)
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			t.Fatalf("%s: %d %s", u, r.status, r.header.Get("Content-Type"))
		}
		var doc struct {
			Links map[string]struct{ Href string } `json:"_links"`
		}
		if err := json.Unmarshal([]byte(r.body), &doc); err != nil {
			t.Fatalf("%s: %v\n%s", u, err, r.body)
		}
		if doc.Links["user"].Href != want || doc.Links["self"].Href == "" || doc.Links["xframe"].Href == "" {
			t.Errorf("%s: links %v, want user %s", u, doc.Links, want)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, publicURL(l, DiscoverHost, "/?sipuri=alice@contoso.test"), nil)
	req.Header.Set("Accept", "application/vnd.microsoft.rtc.autodiscover+xml;v=1")
	r := do(t, c, req)
	if !strings.HasPrefix(r.header.Get("Content-Type"), "application/vnd.microsoft.rtc.autodiscover+xml") ||
		!strings.Contains(r.body, `<Link token="User" href="`) {
		t.Errorf("XML form: %s\n%s", r.header.Get("Content-Type"), r.body)
	}
}

func TestOAuthUserChallenge(t *testing.T) {
	l := startLab(t, Options{})
	c := proxyClient(t, l)
	for _, path := range []string{"/Autodiscover/AutodiscoverService.svc/root/oauth/user", "/ucwa/oauth/v1/applications"} {
		r := get(t, c, publicURL(l, ExternalWeb, path))
		if r.status != 401 {
			t.Fatalf("%s: %d, want 401", path, r.status)
		}
		wantAuth := `MsRtcOAuth href=` + publicURL(l, ExternalWeb, "/WebTicket/oauthtoken") + `,grant_type="urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password"`
		if !hasValue(r.header, "WWW-Authenticate", wantAuth) {
			t.Errorf("%s: WWW-Authenticate %q, want %q", path, r.header.Values("WWW-Authenticate"), wantAuth)
		}
		if fqdn := r.header.Get("X-MS-Server-Fqdn"); !strings.HasSuffix(fqdn, "."+PoolFQDN) {
			t.Errorf("%s: X-MS-Server-Fqdn %q", path, fqdn)
		}
	}
}

func TestLync2010(t *testing.T) {
	l := startLab(t, Options{Version: "lync2010"})
	c := proxyClient(t, l)
	if r := get(t, c, publicURL(l, ExternalWeb, "/Reach/Client/WebPages/ReachJoin.aspx")); r.status != 200 || !strings.Contains(r.body, "Lync Web App") {
		t.Errorf("ReachJoin: %d\n%s", r.status, r.body)
	}
	if r := get(t, c, publicURL(l, ExternalWeb, "/lwa/WebPages/LwaClient.aspx")); r.status != 404 {
		t.Errorf("/lwa on Lync 2010: %d, want 404", r.status)
	}
	if r := get(t, c, publicURL(l, ExternalWeb, "/ucwa")); r.status != 404 {
		t.Errorf("/ucwa on Lync 2010: %d, want 404", r.status)
	}
	if r := get(t, c, publicURL(l, MeetHost, MeetingPath)); !strings.Contains(r.body, "/Reach/Client/WebPages/ReachJoin.aspx") {
		t.Errorf("the join page does not link to ReachJoin:\n%s", r.body)
	}
}

// frontEndClient talks to a front end directly, as the proxy does.
func frontEndClient(t *testing.T, l *Lab, i int) *http.Client {
	return clientTo(t, l.FrontEnds[i], &tls.Config{RootCAs: certPool(t, l.InternalCAFile), ServerName: PoolFQDN})
}

// TestHostRouting: the same request under the pool's name comes up
// blank, the classic TMG symptom; web services still work.
func TestHostRouting(t *testing.T) {
	l := startLab(t, Options{})
	c := frontEndClient(t, l, 0)
	for _, path := range []string{MeetingPath, "/", "/meet/alice/LAB0001", "/dialin"} {
		req, _ := http.NewRequest(http.MethodGet, "https://"+PoolFQDN+":4443"+path, nil)
		r := do(t, c, req)
		if r.status != 200 || strings.Contains(r.body, "Join") || strings.Contains(r.body, "Dial") {
			t.Errorf("Host %s %s: %d, want a blank 200:\n%s", PoolFQDN, path, r.status, r.body)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, "https://"+PoolFQDN+"/abs/handler", nil)
	if r := do(t, c, req); r.status != 401 {
		t.Errorf("web services under the pool name: %d, want 401", r.status)
	}
	req, _ = http.NewRequest(http.MethodGet, "https://"+PoolFQDN+MeetingPath, nil)
	req.Host = MeetHost
	if r := do(t, c, req); r.status != 200 || !strings.Contains(r.body, "Join meeting") {
		t.Errorf("Host %s direct: %d", MeetHost, r.status)
	}
}

// TestForeignHost404Switch: the switch a later fault uses to make the
// front ends answer IIS 404 instead of a blank page.
func TestForeignHost404Switch(t *testing.T) {
	fe := newFrontEnd("fe01", &site{version: defaultVersion, port: 443})
	fe.foreignHost404 = true
	w := httptest.NewRecorder()
	fe.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "https://"+PoolFQDN+MeetingPath, nil))
	if w.Code != 404 || !strings.Contains(w.Body.String(), "404 - File or directory not found.") {
		t.Errorf("with the switch on: %d, want IIS 404", w.Code)
	}
}

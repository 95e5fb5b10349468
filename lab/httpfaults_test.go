package lab

import (
	"crypto/tls"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// internalSiteClient talks to fe01's internal web site directly.
func internalSiteClient(t *testing.T, l *Lab) *http.Client {
	return clientTo(t, l.httpx.internal[0], &tls.Config{RootCAs: certPool(t, l.InternalCAFile), ServerName: PoolFQDN})
}

func TestInternalSiteHasTheControlPanel(t *testing.T) {
	l := startLab(t, Options{})
	for _, path := range []string{"/cscp", "/OcsPowerShell"} {
		internal := get(t, internalSiteClient(t, l), "https://"+PoolFQDN+path)
		external := get(t, frontEndClient(t, l, 0), "https://"+PoolFQDN+path)
		if internal.status != 401 || !hasValue(internal.header, "WWW-Authenticate", "Negotiate") {
			t.Errorf("internal site %s: %d, want a Windows challenge", path, internal.status)
		}
		if external.status != 404 {
			t.Errorf("external site %s: %d, want 404 (the external site has no %s)", path, external.status, path)
		}
		if public := get(t, proxyClient(t, l), publicURL(l, ExternalWeb, path)); public.status != 404 {
			t.Errorf("healthy proxy %s: %d, want the external site's 404", path, public.status)
		}
	}
	if r := get(t, internalSiteClient(t, l), "https://"+PoolFQDN+"/abs/handler"); r.status != 401 {
		t.Errorf("the internal site serves the web services too: /abs %d", r.status)
	}
}

func TestBridgeInternalExposesTheControlPanel(t *testing.T) {
	l := startLab(t, Options{Faults: []FaultSpec{{Name: "bridge-internal"}}})
	c := proxyClient(t, l)
	if r := get(t, c, publicURL(l, ExternalWeb, "/cscp")); r.status != 401 {
		t.Errorf("/cscp through the proxy: %d, want the internal site's 401", r.status)
	}
	if r := get(t, c, publicURL(l, MeetHost, MeetingPath)); r.status != 200 || !strings.Contains(r.body, "Join meeting") {
		t.Errorf("the meet page still works: %d", r.status)
	}
}

func TestNoHostForwardVariants(t *testing.T) {
	for arg, want := range map[string]int{"": 200, "404": 404} {
		l := startLab(t, Options{Faults: []FaultSpec{{Name: "no-host-forward", Arg: arg}}})
		c := proxyClient(t, l)
		r := get(t, c, publicURL(l, MeetHost, MeetingPath))
		if r.status != want || strings.Contains(r.body, "Join meeting") {
			t.Errorf("no-host-forward=%s: meet %d, want %d without the join page", arg, r.status, want)
		}
		if r := get(t, c, publicURL(l, ExternalWeb, "/lwa/WebPages/LwaClient.aspx")); r.status != 200 {
			t.Errorf("no-host-forward=%s: the web services must keep working, LWA %d", arg, r.status)
		}
	}
}

func TestNodeNoHostForwardBendsOnlyNodeTwo(t *testing.T) {
	l := startLab(t, Options{Faults: []FaultSpec{{Name: "node-no-host-forward"}}})
	if len(l.Nodes) != 2 {
		t.Fatalf("%d nodes, want the implied 2", len(l.Nodes))
	}
	for i, wantJoin := range []bool{true, false} {
		c := clientTo(t, l.Nodes[i], &tls.Config{RootCAs: certPool(t, l.CAFile)})
		r := get(t, c, publicURL(l, MeetHost, MeetingPath))
		if strings.Contains(r.body, "Join meeting") != wantJoin {
			t.Errorf("node %d: join page %v, want %v (%d)", i+1, !wantJoin, wantJoin, r.status)
		}
	}
}

func TestProxyRules(t *testing.T) {
	cases := []struct {
		fault      FaultSpec
		host, path string
		status     int
		says       string
	}{
		{FaultSpec{Name: "unpublished-path", Arg: "abs"}, ExternalWeb, "/abs/handler", 404, "no publishing rule covers this path"},
		{FaultSpec{Name: "unpublished-path", Arg: "abs"}, ExternalWeb, "/Reach", 401, ""},
		{FaultSpec{Name: "lyncdiscover-404"}, DiscoverHost, "/", 404, "no publishing rule listens for this name"},
		{FaultSpec{Name: "preauth"}, MeetHost, MeetingPath, 302, ""},
		{FaultSpec{Name: "preauth"}, MeetHost, "/CookieAuth.dll?GetLogon?curl=Z2F", 200, `type="password"`},
		{FaultSpec{Name: "backend-cert-mismatch"}, DialinHost, "/", 500, "The target principal name is incorrect"},
		{FaultSpec{Name: "partial-preauth"}, ExternalWeb, "/abs/handler", 401, "Authorization Required"},
		{FaultSpec{Name: "partial-preauth"}, ExternalWeb, "/CertProv/CertProvisioningService.svc", 401, "Authorization Required"},
		{FaultSpec{Name: "partial-preauth"}, ExternalWeb, "/GroupExpansion/service.svc", 302, ""},
		{FaultSpec{Name: "partial-preauth"}, ExternalWeb, "/WebTicket/WebTicketService.svc", 401, "401 - Unauthorized"},
		{FaultSpec{Name: "partial-preauth"}, MeetHost, MeetingPath, 200, "Join meeting"},
	}
	for _, tc := range cases {
		t.Run(tc.fault.String()+tc.path, func(t *testing.T) {
			l := startLab(t, Options{Faults: []FaultSpec{tc.fault}})
			r := get(t, proxyClient(t, l), publicURL(l, tc.host, tc.path))
			if r.status != tc.status || !strings.Contains(r.body, tc.says) {
				t.Errorf("%d, want %d containing %q:\n%s", r.status, tc.status, tc.says, r.body)
			}
			if tc.fault.Name == "preauth" && tc.status == 302 && !strings.Contains(r.header.Get("Location"), "/CookieAuth.dll?GetLogon?curl=Z2Falice") {
				t.Errorf("Location %q, want TMG's logon", r.header.Get("Location"))
			}
			if tc.fault.Name == "partial-preauth" && tc.status == 302 && !strings.HasPrefix(r.header.Get("Location"), "https://"+LoginHost+"/") {
				t.Errorf("Location %q, want the login host", r.header.Get("Location"))
			}
			if tc.fault.Name == "partial-preauth" && strings.Contains(r.body, "Authorization Required") && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic") {
				t.Errorf("WWW-Authenticate %q, want Basic", r.header.Get("WWW-Authenticate"))
			}
			if tc.status != 401 && tc.status != 200 && r.header.Get("Server") != "" { // 200 and 401: passed through
				t.Errorf("the proxy's own answer carries Server: %s", r.header.Get("Server"))
			}
		})
	}
}

func TestOfficeWebApps(t *testing.T) {
	l := startLab(t, Options{OWA: true})
	r := get(t, proxyClient(t, l), publicURL(l, OWAHost, "/hosting/discovery"))
	if r.status != 200 || !strings.Contains(r.body, "<wopi-discovery>") {
		t.Errorf("discovery: %d\n%s", r.status, r.body)
	}
	raw, err := os.ReadFile(l.ConfigPath)
	if err != nil || !strings.Contains(string(raw), "office_web_apps: "+OWAHost) {
		t.Errorf("the config does not list office_web_apps (%v):\n%s", err, raw)
	}
	if !strings.Contains(l.Zone(), OWAHost+".") {
		t.Errorf("the zone has no %s:\n%s", OWAHost, l.Zone())
	}
	if !slices.Contains(l.pki.proxy.cert.DNSNames, OWAHost) {
		t.Errorf("the proxy certificate lacks %s: %v", OWAHost, l.pki.proxy.cert.DNSNames)
	}
	resp, _, err := new(dns.Client).Exchange(query(OWAHost, dns.TypeA), l.DNSAddr)
	if err != nil || len(resp.Answer) != 1 {
		t.Errorf("DNS for %s: %v %v", OWAHost, resp, err)
	}
}

func TestOWAUnpublished(t *testing.T) {
	l := startLab(t, Options{Faults: []FaultSpec{{Name: "owa-unpublished"}}})
	if !l.opts.OWA {
		t.Fatal("owa-unpublished must imply the Office Web Apps host")
	}
	if r := get(t, proxyClient(t, l), publicURL(l, OWAHost, "/hosting/discovery")); r.status != 404 || strings.Contains(r.body, "wopi") {
		t.Errorf("%d, want the proxy's 404:\n%s", r.status, r.body)
	}
}

func TestOptionalFaultArgument(t *testing.T) {
	for _, in := range []string{"no-host-forward", "no-host-forward=404"} {
		if _, err := ParseFault(in); err != nil {
			t.Errorf("%s: %v", in, err)
		}
	}
	if _, err := ParseFault("no-host-forward=500"); err == nil || !strings.Contains(err.Error(), "not one of 404") {
		t.Errorf("no-host-forward=500: %v", err)
	}
	if !strings.Contains(faultNames(), "no-host-forward[=404]") {
		t.Errorf("the fault list does not show the optional argument: %s", faultNames())
	}
}

// TestHardenedStripsBranding: --lab-hardened leaves no branding header on
// the front ends' answers and balances by MS-WSMAN, which the config
// names as the affinity identity.
func TestHardenedStripsBranding(t *testing.T) {
	l := startLab(t, Options{Hardened: true})
	r := get(t, proxyClient(t, l), publicURL(l, ExternalWeb, "/Autodiscover/AutodiscoverService.svc/root/oauth/user"))
	if r.status != 401 || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "MsRtcOAuth") {
		t.Fatalf("%d %v, want the front end's MsRtcOAuth challenge", r.status, r.header)
	}
	for _, h := range brandingHeaders {
		if v := r.header.Get(h); v != "" {
			t.Errorf("%s: %s survived", h, v)
		}
	}
	if !strings.HasPrefix(r.header.Get("Set-Cookie"), WSMANCookie+"=") {
		t.Errorf("Set-Cookie %q, want MS-WSMAN (hardened implies cookie balancing)", r.header.Get("Set-Cookie"))
	}
	conf, err := os.ReadFile(l.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(conf), "identity_cookie: MS-WSMAN") {
		t.Errorf("the config does not name the identity cookie:\n%s", conf)
	}
}

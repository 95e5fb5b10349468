package checks_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/lab"
)

// httpLab starts the lab and returns its config, loaded as a user would.
func httpLab(t *testing.T, o lab.Options) (*lab.Lab, func() *config.Deployment) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	o.ReuseKeys = true
	l, err := lab.Start(ctx, o)
	if err != nil {
		t.Fatalf("start the lab: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l, func() *config.Deployment {
		dep, err := config.Load(l.ConfigPath)
		if err != nil {
			t.Fatalf("the lab's config does not load: %v", err)
		}
		return dep
	}
}

func runHTTP(t *testing.T, dep *config.Deployment) []checks.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return checks.Run(ctx, dep, checks.Options{Only: []string{"http"}})
}

func find(t *testing.T, rs []checks.Result, id, target string) checks.Result {
	t.Helper()
	for _, r := range rs {
		if r.ID == id && r.Target == target {
			return r
		}
	}
	t.Fatalf("no %s result for %s in:\n%s", id, target, dump(rs))
	return checks.Result{}
}

func dump(rs []checks.Result) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(describe(r) + "\n")
	}
	return b.String()
}

const (
	meetTarget   = "https://" + lab.MeetHost + lab.MeetingPath
	dialinTarget = "https://" + lab.DialinHost
)

// TestHostForwardingVerdictWithAndWithoutBackends is the done
// criterion: the same verdict whether lyncprobe can ask the front ends
// (backends) or must infer it from the public answers alone.
func TestHostForwardingVerdictWithAndWithoutBackends(t *testing.T) {
	variants := map[string]struct {
		faults []lab.FaultSpec
		want   checks.Status
	}{
		"healthy":             {nil, checks.Pass},
		"no-host-forward":     {[]lab.FaultSpec{{Name: "no-host-forward"}}, checks.Fail},
		"no-host-forward=404": {[]lab.FaultSpec{{Name: "no-host-forward", Arg: "404"}}, checks.Fail},
	}
	for name, v := range variants {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, load := httpLab(t, lab.Options{Faults: v.faults})
			with := load()
			without := load()
			for i := range without.WebServices {
				without.WebServices[i].Backends = nil
			}
			for _, run := range []struct {
				dep        *config.Deployment
				confidence string
			}{{with, "certain"}, {without, "likely"}} {
				rs := runHTTP(t, run.dep)
				for _, target := range []string{meetTarget, dialinTarget} {
					r := find(t, rs, "http.host-forwarding", target)
					if r.Status != v.want || !strings.HasPrefix(r.Evidence["confidence"].(string), run.confidence) {
						t.Errorf("backends %v: %s (confidence %v)", len(run.dep.WebServices[0].Backends) > 0, describe(r), r.Evidence["confidence"])
					}
					if v.want == checks.Fail && (!strings.Contains(r.Message, "does not forward the original Host header") ||
						!strings.Contains(r.Remedy, "Forward the original host header instead of the actual one") || !strings.Contains(r.Remedy, "proxy_set_header Host $host;")) {
						t.Errorf("the diagnosis or the remedy is missing: %s\nremedy: %s", describe(r), r.Remedy)
					}
				}
			}
		})
	}
}

// TestSyntheticJoinURL: without meeting_url lyncprobe asks an unknown
// conference under the meet URL, which a healthy deployment still renders.
func TestSyntheticJoinURL(t *testing.T) {
	for _, fault := range []string{"", "no-host-forward"} {
		t.Run("fault="+fault, func(t *testing.T) {
			t.Parallel()
			var faults []lab.FaultSpec
			want := checks.Pass
			if fault != "" {
				faults, want = []lab.FaultSpec{{Name: fault}}, checks.Fail
			}
			_, load := httpLab(t, lab.Options{Faults: faults})
			dep := load()
			dep.MeetingURL = ""
			rs := runHTTP(t, dep)
			target := "https://" + lab.MeetHost + "/lyncprobe/LYNCPROBE1"
			for _, id := range []string{"http.host-forwarding", "http.blank-page"} {
				if r := find(t, rs, id, target); r.Status != want {
					t.Errorf("fault %q: %s", fault, describe(r))
				}
			}
		})
	}
}

// TestHTTPFaultsNameTheirCause: each HTTP fault's failing result says what
// is wrong in words a person acts on.
func TestHTTPFaultsNameTheirCause(t *testing.T) {
	cases := []struct {
		fault      lab.FaultSpec
		id, target string
		says       []string
	}{
		{lab.FaultSpec{Name: "internal-links"}, "http.internal-name-leak", "https://" + lab.DiscoverHost, []string{lab.PoolFQDN, "cannot reach from outside"}},
		{lab.FaultSpec{Name: "bridge-internal"}, "http.internal-site-exposed", "https://" + lab.ExternalWeb, []string{"/cscp", "internal web site (443)"}},
		{lab.FaultSpec{Name: "unpublished-path", Arg: "/abs"}, "http.paths", "https://" + lab.ExternalWeb + "/abs/handler", []string{"not published", "404"}},
		{lab.FaultSpec{Name: "lyncdiscover-404"}, "http.lyncdiscover", "https://" + lab.DiscoverHost, []string{"404 from the reverse proxy itself"}},
		{lab.FaultSpec{Name: "preauth"}, "http.preauth", meetTarget, []string{"TMG forms-based authentication", "CookieAuth.dll"}},
		{lab.FaultSpec{Name: "partial-preauth"}, "http.preauth", "https://" + lab.ExternalWeb + "/abs/handler", []string{"/abs/handler", "Basic", `realm "Contoso staff"`, "address book"}},
		{lab.FaultSpec{Name: "partial-preauth"}, "http.preauth", "https://" + lab.ExternalWeb + "/CertProv/CertProvisioningService.svc", []string{"/CertProv", "Basic", "client certificate"}},
		{lab.FaultSpec{Name: "partial-preauth"}, "http.preauth", "https://" + lab.ExternalWeb + "/GroupExpansion/service.svc", []string{"login host " + lab.LoginHost, "distribution lists"}},
		{lab.FaultSpec{Name: "backend-cert-mismatch"}, "http.backend-tls", lab.ExternalWeb, []string{"does not cover " + lab.PoolFQDN, "500"}},
		{lab.FaultSpec{Name: "owa-unpublished"}, "http.office-web-apps", "https://" + lab.OWAHost + "/hosting/discovery", []string{"not published", "404"}},
		{lab.FaultSpec{Name: "node-no-host-forward"}, "http.node-consistency", dialinTarget, []string{"does not forward the original Host header", "blank page"}},
	}
	for _, tc := range cases {
		t.Run(tc.fault.String()+" "+tc.target, func(t *testing.T) {
			t.Parallel()
			l, load := httpLab(t, lab.Options{Faults: []lab.FaultSpec{tc.fault}})
			r := find(t, runHTTP(t, load()), tc.id, tc.target)
			if tc.fault.Name == "node-no-host-forward" {
				tc.says = append(tc.says, "node "+l.Nodes[1]) // the member that rewrites Host is named
			}
			if r.Status != checks.Fail || r.Remedy == "" {
				t.Errorf("%s (remedy %q)", describe(r), r.Remedy)
			}
			for _, s := range tc.says {
				if !strings.Contains(r.Message, s) {
					t.Errorf("%s: the message does not say %q", describe(r), s)
				}
			}
			if tc.id == "http.backend-tls" { // the front end's expiry, in the form every not_after has
				if na, ok := r.NotAfter(); !ok || !na.After(time.Now()) || r.Evidence[checks.EvidenceNotAfter] != na.UTC().Format(time.RFC3339) {
					t.Errorf("%s: not_after %#v", describe(r), r.Evidence[checks.EvidenceNotAfter])
				}
			}
		})
	}
}

// TestOfficeWebAppsOnTheHealthyLab: --lab-owa publishes the discovery XML.
func TestOfficeWebAppsOnTheHealthyLab(t *testing.T) {
	t.Parallel()
	_, load := httpLab(t, lab.Options{OWA: true})
	dep := load()
	if dep.OfficeWebApps != lab.OWAHost {
		t.Fatalf("office_web_apps %q, want %s", dep.OfficeWebApps, lab.OWAHost)
	}
	r := find(t, runHTTP(t, dep), "http.office-web-apps", "https://"+lab.OWAHost+"/hosting/discovery")
	if r.Status != checks.Pass || !strings.Contains(r.Message, "WOPI discovery XML") {
		t.Errorf("%s", describe(r))
	}
}

// TestRemedyStartsWithTheAnsweringProxy: the lab proxy writes TMG's Via
// ("1.1 tmg01"), so TMG's fix comes first; reverse_proxy.family overrides.
func TestRemedyStartsWithTheAnsweringProxy(t *testing.T) {
	t.Parallel()
	_, load := httpLab(t, lab.Options{Faults: []lab.FaultSpec{{Name: "partial-preauth"}}})
	target := "https://" + lab.ExternalWeb + "/abs/handler"
	r := find(t, runHTTP(t, load()), "http.preauth", target)
	if r.Proxy != "tmg" || !strings.HasPrefix(r.Remedy, "Forefront TMG (detected from Via: 1.1 tmg01") || len(r.Fixes) == 0 || r.Fixes[0].Family != "tmg" {
		t.Errorf("detected: proxy %q from %q, remedy %q, fixes %v", r.Proxy, r.ProxyFrom, r.Remedy, r.Fixes)
	}
	dep := load()
	dep.ReverseProxy.Family = "nginx"
	r = find(t, runHTTP(t, dep), "http.preauth", target)
	if r.Proxy != "nginx" || r.ProxyFrom != "reverse_proxy.family" || !strings.HasPrefix(r.Remedy, "nginx") {
		t.Errorf("overridden: proxy %q from %q, remedy %q", r.Proxy, r.ProxyFrom, r.Remedy)
	}
}

// TestHardenedWithoutBackends: behind a proxy that strips the branding
// headers, with no front end to compare with, nothing fails or warns for
// want of branding: what cannot be decided says what to configure.
func TestHardenedWithoutBackends(t *testing.T) {
	t.Parallel()
	_, load := httpLab(t, lab.Options{Hardened: true})
	dep := load()
	for i := range dep.WebServices {
		dep.WebServices[i].Backends = nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, r := range checks.Run(ctx, dep, checks.Options{Only: []string{"http", "affinity"}, CheckTimeout: 45 * time.Second}) {
		switch {
		case r.Status == checks.Warn, r.Status == checks.Fail, r.Status == checks.Error:
			t.Errorf("hardened, no backends: %s", describe(r))
		case r.Status == checks.Skip && !strings.Contains(r.Message, "web_services.backends") && !strings.Contains(r.Message, "affinity.identity_"):
			t.Errorf("a skip that does not say what to configure: %s", describe(r))
		}
	}
}

package report

import (
	"strings"
	"testing"

	"github.com/lyncprobe/lyncprobe/result"
)

func ids(rs []result.Result) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID+"@"+r.Target)
	}
	return strings.Join(out, " ")
}

func TestAnalyseGroupsByRootCause(t *testing.T) {
	const hostFix = "Make the reverse proxy forward the original Host header."
	rs := []result.Result{
		{ID: "dns.resolves", Target: "dialin.contoso.com", Status: result.Fail, Remedy: "Publish dialin."},
		{ID: "dns.resolves", Target: "meet.contoso.com", Status: result.Pass},
		{ID: "http.reachable", Target: "https://dialin.contoso.com", Status: result.Skip, Message: "depends on dns.resolves, which failed for dialin.contoso.com"},
		{ID: "cert.chain", Target: "dialin.contoso.com", Status: result.Skip, Message: "no certificate (see http.reachable)"}, // a skip of a skip
		{ID: "http.host-forwarding", Target: "https://meet.contoso.com", Status: result.Fail, Remedy: hostFix},
		{ID: "http.blank-page", Target: "https://meet.contoso.com", Status: result.Fail, Remedy: "Blank pages are the Host header (see http.host-forwarding). " + hostFix},
		{ID: "http.lyncdiscover", Target: "https://lyncdiscover.contoso.com", Status: result.Fail, Remedy: hostFix}, // same remedy: same cause
		{ID: "cert.expiry", Target: "webext.contoso.com", Status: result.Warn, Remedy: "Renew."},
		{ID: "edge.webconf", Target: "sip.contoso.com", Status: result.Skip, Message: "edge.webconf is not set"},
		{ID: "affinity.distribution", Target: "webext.contoso.com", Status: result.Info},
		{ID: "cert.key-usage", Target: "webext.contoso.com", Status: result.Warn, Suppressed: true},
		// Two problems that name each other: neither may vanish.
		{ID: "x.one", Target: "a", Status: result.Fail, Message: "see x.two"},
		{ID: "x.two", Target: "a", Status: result.Fail, Message: "see x.one"},
	}
	a := analyse(rs, Report{Catalog: catalogue}.catalog())
	var got []string
	for _, c := range a.Causes {
		got = append(got, c.ID+"["+ids(c.Effects)+"]")
	}
	want := []string{
		"dns.resolves[http.reachable@https://dialin.contoso.com cert.chain@dialin.contoso.com]",
		"http.host-forwarding[http.blank-page@https://meet.contoso.com http.lyncdiscover@https://lyncdiscover.contoso.com]",
		"x.one[]", "x.two[]",
		"cert.expiry[]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("causes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if ids(a.NotChecked) != "edge.webconf@sip.contoso.com" || ids(a.Info) != "affinity.distribution@webext.contoso.com" || ids(a.Suppressed) != "cert.key-usage@webext.contoso.com" {
		t.Errorf("not checked %q, info %q, suppressed %q", ids(a.NotChecked), ids(a.Info), ids(a.Suppressed))
	}
	if a.Problems != 7 {
		t.Errorf("%d problems, want 7", a.Problems)
	}
	if v := verdictOf(rs); v != result.Fail {
		t.Errorf("verdict %s", v)
	}
}

func TestVerdictLine(t *testing.T) {
	cases := map[string][]result.Result{
		"PASS: no problem found":                       {{ID: "a.b", Status: result.Pass}},
		"WARN: 1 root cause behind 1 problem":          {{ID: "a.b", Status: result.Warn}},
		"FAIL: 1 root cause behind 1 problem":          {{ID: "a.b", Status: result.Error}},
		"PASS: no problem found; 1 result not checked": {{ID: "a.b", Status: result.Skip}},
	}
	for want, rs := range cases {
		if got := verdictLine(rs, nil); got != want {
			t.Errorf("verdictLine = %q, want %q", got, want)
		}
	}
}

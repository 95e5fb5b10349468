package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/lyncprobe/lyncprobe/result"
)

func res(id, target, via string, st result.Status) result.Result {
	return result.Result{ID: id, Module: "dns", Target: target, Via: via, Status: st, Message: id + " " + st.String()}
}

func TestDiff(t *testing.T) {
	old := []result.Result{
		res("dns.resolves", "dialin.contoso.com", "resolver 1.1.1.1:53", result.Fail), // fixed
		res("http.reachable", "https://dialin.contoso.com", "", result.Skip),          // changed: skip -> pass
		res("cert.expiry", "webext.contoso.com", "certificate aaaa", result.Warn),     // still warns, new certificate
		res("http.host-forwarding", "https://meet.contoso.com", "", result.Pass),      // broke
		res("http.paths", "webext.contoso.com", "path /abs", result.Warn),             // worse: warn -> fail
		res("dns.srv", "_sip._tls.contoso.com", "resolver 1.1.1.1:53", result.Pass),   // gone, passing
		res("edge.av", "av.contoso.com", "udp", result.Fail),                          // gone: fixed
	}
	cur := []result.Result{
		res("dns.resolves", "dialin.contoso.com", "resolver 1.1.1.1:53", result.Pass),
		res("http.reachable", "https://dialin.contoso.com", "", result.Pass),
		res("cert.expiry", "webext.contoso.com", "certificate bbbb", result.Warn),
		res("http.host-forwarding", "https://meet.contoso.com", "", result.Fail),
		res("http.paths", "webext.contoso.com", "path /abs", result.Fail),
		res("cert.chain", "webext.contoso.com", "", result.Warn), // new warning: broke, not a failure
	}
	d := Diff(old, cur)
	ids := func(cs []Change) string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return strings.Join(out, ",")
	}
	if got := ids(d.Fixed); got != "dns.resolves,edge.av" {
		t.Errorf("fixed %s", got)
	}
	if got := ids(d.Broke); got != "http.host-forwarding,http.paths,cert.chain" {
		t.Errorf("broke %s", got)
	}
	if got := ids(d.Changed); got != "http.reachable" {
		t.Errorf("changed %s", got)
	}
	if d.StillFailing != 1 || d.Quiet != 1 {
		t.Errorf("still failing %d (want 1: cert.expiry paired across its certificate), quiet %d", d.StillFailing, d.Quiet)
	}
	if !d.NewFailure() {
		t.Error("a pass that became a fail is a new failure")
	}
	if Diff(old, old).NewFailure() || len(Diff(old, old).Broke) != 0 {
		t.Error("a run compared with itself broke something")
	}
	// A new warning alone is no new failure.
	if Diff(cur[:5], cur).NewFailure() {
		t.Error("a new warning counted as a failure")
	}
	var buf bytes.Buffer
	if err := DiffText(&buf, d, Options{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "lyncprobe diff: NEW FAILURE: 3 broke, 2 fixed") || strings.Index(out, "\nBroke\n") > strings.Index(out, "\nFixed\n") {
		t.Errorf("diff text:\n%s", out)
	}
	if !strings.Contains(out, "PASS -> FAIL\n    http.host-forwarding on https://meet.contoso.com") {
		t.Errorf("no transition line:\n%s", out)
	}
}

func TestReadJSONReadsWhatJSONWrites(t *testing.T) {
	for name, rep := range map[string]Report{"single": sample(), "fleet": fleetReport()} {
		var buf bytes.Buffer
		if err := JSON(&buf, rep); err != nil {
			t.Fatal(err)
		}
		rs, err := ReadJSON(&buf)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(rs) != len(rep.Results) || len(Diff(rs, rs).Changed) != 0 {
			t.Errorf("%s: read %d results, wrote %d", name, len(rs), len(rep.Results))
		}
	}
	if _, err := ReadJSON(strings.NewReader(`{"version": 2}`)); err == nil {
		t.Error("read a report of an unknown format version")
	}
	if _, err := ReadJSON(strings.NewReader(`::error x`)); err == nil {
		t.Error("read something that is not JSON")
	}
}

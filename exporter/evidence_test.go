package exporter_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/exporter"
	"github.com/lyncprobe/lyncprobe/result"
)

// TestCertNotAfterReadsEveryForm: the expiry gauge reads a certificate's
// not_after whether a check wrote it as time.Time or as RFC 3339 text, and
// after a JSON round trip; the soonest expiry of a name wins.
func TestCertNotAfterReadsEveryForm(t *testing.T) {
	soon := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	later := soon.AddDate(1, 0, 0)
	cert := func(target string, v any) result.Result {
		return result.Result{ID: "cert.expiry", Module: "cert", Target: target, Status: result.Pass,
			Evidence: map[string]any{result.EvidenceNotAfter: v}}
	}
	rs := []result.Result{
		cert("meet.contoso.com", later.Format(time.RFC3339)),
		cert("meet.contoso.com", soon), // another address serves an older certificate
		cert("dialin.contoso.com", soon),
		cert("webext.contoso.com", "not a time"),
	}
	b, err := json.Marshal(rs[2])
	if err != nil {
		t.Fatal(err)
	}
	var back result.Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	back.Target = "lyncdiscover.contoso.com"
	rs = append(rs, back)
	got := exporter.CertNotAfter(rs)
	want := map[string]time.Time{"meet.contoso.com": soon, "dialin.contoso.com": soon, "lyncdiscover.contoso.com": soon}
	if len(got) != len(want) {
		t.Errorf("CertNotAfter = %v, want %v", got, want)
	}
	for name, w := range want {
		if !got[name].Equal(w) {
			t.Errorf("CertNotAfter[%s] = %v, want %v", name, got[name], w)
		}
	}
}

// TestAffinityBackendsAfterAJSONRoundTrip: the front-end tally counts the
// front ends an affinity result's tables name, whether the tables are as
// the check wrote them or as JSON gives them back.
func TestAffinityBackendsAfterAJSONRoundTrip(t *testing.T) {
	written := result.Result{ID: "affinity.sticky", Module: "affinity", Target: "webext.contoso.com", Status: result.Pass,
		Evidence: map[string]any{
			"connections": []map[string]any{{"front_end": "fe01"}, {"front_end": "fe02"}, {"front_end": ""}},
			"requests":    []map[string]any{{"front_end": "fe01"}, {"front_end": "fe03"}},
		}}
	b, err := json.Marshal(written)
	if err != nil {
		t.Fatal(err)
	}
	var back result.Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	back.Target = "webext.fabrikam.com"
	got := exporter.AffinityBackends([]result.Result{written, back})
	if got["webext.contoso.com"] != 3 || got["webext.fabrikam.com"] != 3 {
		t.Errorf("AffinityBackends = %v, want 3 front ends for each target", got)
	}
}

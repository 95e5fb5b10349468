package checks

import (
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/config"
)

func TestSuppress(t *testing.T) {
	rs := []Result{
		{ID: "cert.expiry", Target: "dialin.contoso.com", Via: "address 203.0.113.10", Status: Warn},
		{ID: "cert.expiry", Target: "meet.contoso.com", Via: "address 203.0.113.10", Status: Fail},
		{ID: "dns.srv", Target: "_sipfederationtls._tcp.contoso.com", Via: "resolver 1.1.1.1:53", Status: Fail},
		{ID: "dns.srv", Target: "_sipfederationtls._tcp.contoso.com", Via: "resolver 9.9.9.9:53", Status: Fail},
	}
	rules := []config.Ignore{
		{ID: "cert.expiry", Target: "Dialin.Contoso.com.", Reason: "renewal booked"},
		{ID: "dns.srv", Via: "resolver 9.9.9.9:53", Reason: "stale secondary"},
	}
	suppress(rs, rules)
	want := []string{"renewal booked", "", "", "stale secondary"}
	for i, r := range rs {
		if r.Suppressed != (want[i] != "") || r.SuppressionReason != want[i] {
			t.Errorf("result %d (%s %s %s): suppressed=%v %q, want %q", i, r.ID, r.Target, r.Via, r.Suppressed, r.SuppressionReason, want[i])
		}
	}
	if rs[0].Status != Warn {
		t.Errorf("a suppressed result keeps its status, got %s", rs[0].Status)
	}
	s := Summarize(rs, time.Second)
	if s.Suppressed != 2 || s.Counts[Fail] != 2 || s.Counts[Warn] != 0 {
		t.Errorf("summary = %+v, want 2 suppressed, 2 fail, 0 warn", s)
	}
	if !s.Failed(Fail) {
		t.Error("the unsuppressed failures must still fail the run")
	}
	suppress(rs, append(rules, config.Ignore{ID: "cert.expiry", Reason: "all"}, config.Ignore{ID: "dns.srv", Reason: "all"}))
	if s := Summarize(rs, 0); s.Failed(Warn) || s.Suppressed != 4 {
		t.Errorf("every result suppressed: summary %+v must not fail", s)
	}
}

func TestKnowledgeNamesKnownChecksAndFamilies(t *testing.T) {
	for id, k := range knowledge {
		c, ok := CheckByID(id)
		if !ok {
			t.Errorf("knowledge for unknown check %s", id)
			continue
		}
		if c.About.Symptoms == "" || len(c.About.Fix) == 0 {
			t.Errorf("%s: About lacks the symptoms or fixes", id)
		}
		for f := range k.Fix {
			if FamilyNames[f] == "" {
				t.Errorf("%s: unknown proxy family %q", id, f)
			}
		}
	}
}

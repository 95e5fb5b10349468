package checks

import (
	"strings"
	"testing"
)

// TestEveryCheckCarriesItsKnowledge: each registry entry, defined beside
// its code, is complete: an ID in its module, a title and a Run, what it
// asks, why, public sources; symptoms and per-family fixes together (for
// the checks whose remedy depends on the proxy family) naming known
// families; the affinity rules on the affinity checks alone; and no ID twice.
func TestEveryCheckCarriesItsKnowledge(t *testing.T) {
	seen := map[string]bool{}
	withFixes := 0
	for _, c := range registry {
		a := c.About
		if seen[c.ID] || !strings.HasPrefix(c.ID, c.Module+".") || c.Title == "" || c.Run == nil {
			t.Errorf("%s: a duplicate, or an entry without its module prefix, title or Run", c.ID)
		}
		seen[c.ID] = true
		if a.What == "" || a.Why == "" || len(a.Sources) == 0 {
			t.Errorf("%s: About lacks what, why or sources", c.ID)
		}
		if (a.Symptoms == "") != (len(a.Fix) == 0) {
			t.Errorf("%s: symptoms without fixes, or fixes without symptoms", c.ID)
		}
		if len(a.Fix) > 0 {
			withFixes++
		}
		for f, text := range a.Fix {
			if FamilyNames[f] == "" || text == "" {
				t.Errorf("%s: fix for unknown proxy family %q, or empty", c.ID, f)
			}
		}
		if (c.Module == "affinity") != (len(a.Rules) > 0) {
			t.Errorf("%s: the affinity rules belong to the affinity checks alone", c.ID)
		}
	}
	if withFixes < 11 { // the count when the entries moved beside their code (issue 21)
		t.Errorf("%d checks carry per-family fixes, want at least 11", withFixes)
	}
}

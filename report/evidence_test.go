package report

import (
	"bytes"
	"regexp"
	"testing"
)

// TestChartsSurviveAJSONRoundTrip: a report read back from JSON (lyncprobe
// diff, a saved run) still draws the affinity distribution, in text and
// HTML. JSON turns the []result.Bar into a list of objects; the text and
// HTML charts read it through Result.Distribution.
func TestChartsSurviveAJSONRoundTrip(t *testing.T) {
	var js bytes.Buffer
	if err := JSON(&js, sample()); err != nil {
		t.Fatal(err)
	}
	rs, err := ReadJSON(&js)
	if err != nil {
		t.Fatal(err)
	}
	back := Report{Catalog: catalogue, Deployment: "contoso-prod", Results: rs}
	var text bytes.Buffer
	if err := Render(&text, "text", back, Options{Width: 100, Verbose: true}); err != nil {
		t.Fatal(err)
	}
	for _, bar := range []string{`fe01\.pool01\.contoso\.local\s+#{30} 15`, `fe02\.pool01\.contoso\.local\s+#{8} 4`, `\(no answer\)\s+#{2} 1`} {
		if !regexp.MustCompile(bar).Match(text.Bytes()) {
			t.Errorf("the text report read back from JSON has no bar %s:\n%s", bar, text.String())
		}
	}
	for _, r := range rs {
		if r.ID != "affinity.distribution" {
			continue
		}
		c, ok := chartOf(r)
		if !ok || len(c.Bars) != 3 || c.Bars[0].Label != "fe01.pool01.contoso.local" || c.Bars[0].Count != 15 {
			t.Errorf("HTML chart read back from JSON = %+v, %v; want the 3 bars written", c.Bars, ok)
		}
	}
}

package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/lyncprobe/lyncprobe/result"
)

func fleetReport() Report {
	a := []result.Result{{Deployment: "a", ID: "dns.resolves", Module: "dns", Target: "x.test", Status: result.Pass}}
	b := []result.Result{{Deployment: "b", ID: "dns.resolves", Module: "dns", Target: "x.test", Status: result.Fail, Message: "gone"}}
	return Report{Catalog: catalogue, Deployment: "fleet of 2 deployments", Results: append(append([]result.Result{}, a...), b...),
		Deployments: []Deployment{{Name: "a", Path: "a.yaml", Results: a}, {Name: "b", Path: "b.yaml", Results: b}}}
}

func TestFleetJUnitHasOneSuitePerDeployment(t *testing.T) {
	var buf bytes.Buffer
	if err := JUnit(&buf, fleetReport()); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Suites) != 2 || doc.Suites[1].Name != "b" || doc.Suites[1].Failures != 1 || doc.Tests != 2 || doc.Failures != 1 {
		t.Errorf("suites = %+v, want a (pass) and b (one failure)", doc)
	}
	if c := doc.Suites[1].Cases[0].Classname; c != "b.dns.resolves" {
		t.Errorf("classname = %q, want b.dns.resolves", c)
	}
}

func TestJSONLinesNameTheDeployment(t *testing.T) {
	for name, r := range map[string]Report{"fleet": fleetReport(),
		"single": {Deployment: "solo", Results: []result.Result{{ID: "dns.resolves", Target: "x.test"}}}} {
		var buf bytes.Buffer
		if err := JSONLines(&buf, r); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if len(lines) != len(r.Results) {
			t.Fatalf("%s: %d lines for %d results", name, len(lines), len(r.Results))
		}
		for i, l := range lines {
			var got struct{ Deployment string }
			if err := json.Unmarshal([]byte(l), &got); err != nil || got.Deployment == "" {
				t.Errorf("%s line %d %q: deployment missing (%v)", name, i, l, err)
			}
		}
	}
}

func TestFleetMarkdownNamesTheDeployment(t *testing.T) {
	var buf bytes.Buffer
	if err := Markdown(&buf, fleetReport()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "| b: x.test |") || !strings.Contains(buf.String(), "fleet of 2 deployments") {
		t.Errorf("markdown of a fleet:\n%s", buf.String())
	}
}

// TestFleetSARIFAndHTMLNameTheDeployment: one log or page holds the
// findings of many deployments, so each finding says whose it is.
func TestFleetSARIFAndHTMLNameTheDeployment(t *testing.T) {
	var sarif bytes.Buffer
	if err := SARIF(&sarif, fleetReport()); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				Message    struct{ Text string }
				Properties map[string]any
			}
		}
	}
	if err := json.Unmarshal(sarif.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	res := log.Runs[0].Results
	if len(res) != 1 || !strings.HasPrefix(res[0].Message.Text, "b: x.test") || res[0].Properties["deployment"] != "b" {
		t.Errorf("SARIF results of a fleet = %+v, want b's failure named b", res)
	}
	var page bytes.Buffer
	if err := HTML(&page, fleetReport()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), "<b>b</b>: x.test") {
		t.Errorf("the HTML page of a fleet does not name deployment b in its findings")
	}
}

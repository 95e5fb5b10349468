package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/result"
)

// TestSARIFMeetsCodeScanning checks what GitHub code scanning and the
// SARIF multitool's rules ask of a log (GH1015, GH1017, GH2012: a location
// on every result; SARIF2005: a numeric tool version): live results are
// located at the config line that declares their target, every result has
// a stable fingerprint, every rule a helpUri.
func TestSARIFMeetsCodeScanning(t *testing.T) {
	rep := sample()
	rep.Run.Version = "v1.2.3"
	rep.Locate = func(r result.Result) *result.Location {
		return &result.Location{File: "lyncprobe.yaml", Line: len(r.Target)} // any line, known per target
	}
	log := sarifDoc(t, rep)
	run := log.Runs[0]
	if v := run.Tool.Driver.Version; v != "1.2.3" {
		t.Errorf("tool version %q, want 1.2.3", v)
	}
	for _, rule := range run.Tool.Driver.Rules {
		if !strings.HasPrefix(rule.HelpURI, "https://") && !strings.HasPrefix(rule.HelpURI, "http://") {
			t.Errorf("rule %s: helpUri %q", rule.ID, rule.HelpURI)
		}
	}
	if len(run.Results) == 0 {
		t.Fatal("no results")
	}
	seen := map[string]bool{}
	for _, r := range run.Results {
		if len(r.Locations) != 1 || r.Locations[0].PhysicalLocation.ArtifactLocation.URI == "" || r.Locations[0].PhysicalLocation.Region.StartLine < 1 {
			t.Errorf("%s %s: locations %+v", r.RuleID, r.Properties.Target, r.Locations)
			continue
		}
		loc := r.Locations[0].PhysicalLocation
		if r.RuleID == "http.host-forwarding" {
			if loc.ArtifactLocation.URI != "proxy/nginx.conf" || loc.Region.StartLine != 12 {
				t.Errorf("an offline finding keeps its own location, got %+v", loc)
			}
		} else if loc.ArtifactLocation.URI != "lyncprobe.yaml" || loc.Region.StartLine != len(r.Properties.Target) {
			t.Errorf("%s %s: located at %+v, want the config line of its target", r.RuleID, r.Properties.Target, loc)
		}
		fp := r.PartialFingerprints["lyncprobeFinding/v1"]
		if fp == "" || seen[fp] {
			t.Errorf("%s %s: fingerprint %q missing or shared", r.RuleID, r.Properties.Target, fp)
		}
		seen[fp] = true
	}
	// The fingerprint follows the finding, not its wording.
	again := sample()
	again.Results[1].Message = "another wording, another address"
	if got := sarifDoc(t, again).Runs[0].Results[0].PartialFingerprints; got["lyncprobeFinding/v1"] != run.Results[0].PartialFingerprints["lyncprobeFinding/v1"] {
		t.Errorf("the fingerprint changed with the message")
	}
}

func TestSARIFWithoutConfigStillLocates(t *testing.T) {
	log := sarifDoc(t, sample())
	if v := log.Runs[0].Tool.Driver.Version; v != "0.0.0-devel" {
		t.Errorf("tool version %q, want 0.0.0-devel", v)
	}
	for _, r := range log.Runs[0].Results {
		if len(r.Locations) != 1 || r.Locations[0].PhysicalLocation.ArtifactLocation.URI == "" {
			t.Errorf("%s: no location", r.RuleID)
		}
	}
}

func TestSARIFToolVersion(t *testing.T) {
	for in, want := range map[string]string{"v1.4.0": "1.4.0", "": "0.0.0-devel", "(devel)": "0.0.0-devel", "devel+8187340abcde": "0.0.0-devel+8187340abcde", "v0.0.0-2026-abc": "0.0.0-2026-abc"} {
		if got := sarifToolVersion(in); got != want {
			t.Errorf("sarifToolVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

// sarifTestLog is what the tests read of a SARIF log, as a consumer would.
type sarifTestLog struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Version string `json:"version"`
				Rules   []struct {
					ID      string `json:"id"`
					HelpURI string `json:"helpUri"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex int    `json:"ruleIndex"`
			Level     string `json:"level"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct{ URI string }    `json:"artifactLocation"`
					Region           struct{ StartLine int } `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
			Suppressions        []struct{ Justification string } `json:"suppressions"`
			PartialFingerprints map[string]string                `json:"partialFingerprints"`
			Properties          struct{ Target string }          `json:"properties"`
		} `json:"results"`
	} `json:"runs"`
}

func sarifDoc(t *testing.T, r Report) sarifTestLog {
	t.Helper()
	var buf bytes.Buffer
	if err := SARIF(&buf, r); err != nil {
		t.Fatal(err)
	}
	var log sarifTestLog
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	return log
}

// TestRunHeaderInEveryFormat: date, version and vantage (host, resolvers)
// reach every format but JSON Lines, whose every line is a result.
func TestRunHeaderInEveryFormat(t *testing.T) {
	rep := sample()
	rep.Run = Run{Started: time.Date(2026, 12, 2, 7, 0, 0, 0, time.UTC), Version: "v9.8.7", Host: "vantage-host", Resolvers: []string{"198.51.100.53:53"}}
	for _, format := range Formats {
		if format == "jsonl" {
			continue
		}
		var buf bytes.Buffer
		if err := Render(&buf, format, rep, Options{}); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"2026-12-02", "vantage-host", "198.51.100.53:53"} {
			if !strings.Contains(buf.String(), want) {
				t.Errorf("%s lacks %q", format, want)
			}
		}
		if format != "sarif" && !strings.Contains(buf.String(), "v9.8.7") { // SARIF: 9.8.7, numeric
			t.Errorf("%s lacks the version", format)
		}
	}
}

// TestMarkdownStartsWithTheVerdict: the first line of a job summary says
// whether the deployment works.
func TestMarkdownStartsWithTheVerdict(t *testing.T) {
	var buf bytes.Buffer
	if err := Markdown(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(buf.String(), "\n")
	if first != "## lyncprobe: contoso-prod: FAIL: 3 root causes behind 3 problems" {
		t.Errorf("first line %q", first)
	}
}

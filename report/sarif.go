package report

import (
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/lyncprobe/lyncprobe/checks"
)

// SARIF 2.1.0, written with small structs of our own. Decisions: rules are
// the catalogue entries of the checks that ran; pass and skip results are left out (they are
// not findings, and code scanning would list them as alerts); info is a
// note; a suppressed result carries an external suppression with the
// reason, as the spec provides, so viewers show it as suppressed.
const (
	sarifVersion = "2.1.0"
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string       `json:"id"`
	ShortDescription sarifMessage `json:"shortDescription"`
	FullDescription  sarifMessage `json:"fullDescription"`
	Help             sarifMessage `json:"help"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID       string             `json:"ruleId"`
	RuleIndex    int                `json:"ruleIndex"`
	Level        string             `json:"level"`
	Message      sarifMessage       `json:"message"`
	Locations    []sarifLocation    `json:"locations,omitempty"`
	Suppressions []sarifSuppression `json:"suppressions,omitempty"`
	Properties   map[string]any     `json:"properties"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification"`
}

var sarifLevels = map[checks.Status]string{checks.Fail: "error", checks.Error: "error", checks.Warn: "warning", checks.Info: "note"}

// SARIF writes the SARIF 2.1.0 log.
func SARIF(w io.Writer, r Report) error {
	rules, index := sarifRules(r.Results)
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "lyncprobe", InformationURI: "https://github.com/lyncprobe/lyncprobe", Rules: rules}}, Results: []sarifResult{}}
	for _, res := range r.Results {
		level, ok := sarifLevels[res.Status]
		if !ok {
			continue
		}
		run.Results = append(run.Results, sarifResultFor(res, level, index[res.ID]))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

// sarifRules are the catalogue entries of the checks the report has
// results for, in catalogue order, plus any result ID the catalogue lacks,
// so that every result has a rule to point at.
func sarifRules(rs []checks.Result) ([]sarifRule, map[string]int) {
	rules := []sarifRule{} // the schema wants an array, even an empty one
	index, seen := map[string]int{}, map[string]bool{}
	for _, r := range rs {
		seen[r.ID] = true
	}
	for _, c := range checks.Registry() {
		if !seen[c.ID] {
			continue
		}
		index[c.ID] = len(rules)
		help := strings.TrimSpace(c.About.Why + " Sources: " + strings.Join(c.About.Sources, "; "))
		rules = append(rules, sarifRule{ID: c.ID, ShortDescription: sarifMessage{c.Title}, FullDescription: sarifMessage{nonEmpty(c.About.What, c.Title)}, Help: sarifMessage{help}})
	}
	for _, r := range rs {
		if _, ok := index[r.ID]; !ok {
			index[r.ID] = len(rules)
			rules = append(rules, sarifRule{ID: r.ID, ShortDescription: sarifMessage{r.ID}, FullDescription: sarifMessage{r.ID}, Help: sarifMessage{r.ID}})
		}
	}
	return rules, index
}

func sarifResultFor(r checks.Result, level string, rule int) sarifResult {
	text := r.Target
	if r.Deployment != "" { // a fleet run: one log, findings of many deployments
		text = r.Deployment + ": " + text
	}
	if r.Via != "" {
		text += " (" + r.Via + ")"
	}
	text += ": " + r.Message
	if r.Remedy != "" {
		text += " Remedy: " + r.Remedy
	}
	out := sarifResult{RuleID: r.ID, RuleIndex: rule, Level: level, Message: sarifMessage{text},
		Properties: map[string]any{"status": r.Status.String(), "target": r.Target, "via": r.Via}}
	if r.Deployment != "" {
		out.Properties["deployment"] = r.Deployment
	}
	if l := r.Location; l != nil {
		loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: fileURI(l.File)}}}
		if l.Line > 0 {
			loc.PhysicalLocation.Region = &sarifRegion{StartLine: l.Line}
		}
		out.Locations = []sarifLocation{loc}
	}
	if r.Suppressed {
		out.Suppressions = []sarifSuppression{{Kind: "external", Justification: r.SuppressionReason}}
	}
	return out
}

func nonEmpty(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// fileURI turns a path into a URI reference: a relative path stays
// relative (code scanning resolves it against the repository), an absolute
// one becomes a file URI. Spaces, '#', '%' and the like are escaped, or
// the reference would name another file (or none).
func fileURI(path string) string {
	p := filepath.ToSlash(path)
	if !filepath.IsAbs(path) {
		return (&url.URL{Path: p}).String()
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/x on Windows
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/lyncprobe/lyncprobe/result"
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
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations,omitempty"`
	Results     []sarifResult     `json:"results"`
}

// sarifInvocation is the run header: when, where, from which resolvers.
type sarifInvocation struct {
	ExecutionSuccessful bool           `json:"executionSuccessful"`
	StartTimeUTC        string         `json:"startTimeUtc,omitempty"`
	EndTimeUTC          string         `json:"endTimeUtc,omitempty"`
	Machine             string         `json:"machine,omitempty"`
	Properties          map[string]any `json:"properties,omitempty"`
}

func sarifInvocations(r Report) []sarifInvocation {
	if r.Run.json() == nil {
		return nil
	}
	inv := sarifInvocation{ExecutionSuccessful: true, Machine: r.Run.Host}
	if !r.Run.Started.IsZero() {
		inv.StartTimeUTC = r.Run.Started.UTC().Format(time.RFC3339)
		inv.EndTimeUTC = r.Run.Started.Add(r.Duration).UTC().Format(time.RFC3339)
	}
	if len(r.Run.Resolvers) > 0 {
		inv.Properties = map[string]any{"resolvers": r.Run.Resolvers}
	}
	return []sarifInvocation{inv}
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string       `json:"id"`
	ShortDescription sarifMessage `json:"shortDescription"`
	FullDescription  sarifMessage `json:"fullDescription"`
	Help             sarifMessage `json:"help"`
	HelpURI          string       `json:"helpUri"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations"`
	// PartialFingerprints let code scanning follow one finding across
	// runs: the check, deployment, target and via, never the message,
	// which carries addresses and timings that change.
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	Properties          map[string]any     `json:"properties"`
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

var sarifLevels = map[result.Status]string{result.Fail: "error", result.Error: "error", result.Warn: "warning", result.Info: "note"}

// projectURL is lyncprobe's home, and the help of a rule whose sources
// name no web page.
const projectURL = "https://github.com/lyncprobe/lyncprobe"

// sarifFallbackFile is where a result is located when nothing else says:
// the config file's usual name.
const sarifFallbackFile = "lyncprobe.yaml"

// SARIF writes the SARIF 2.1.0 log. Every result has a location, as
// GitHub code scanning requires: its own (offline findings), else the
// config line that declares its target (Report.Locate).
func SARIF(w io.Writer, r Report) error {
	rules, index := sarifRules(r.Results, r.Catalog)
	driver := sarifDriver{Name: "lyncprobe", Version: sarifToolVersion(r.Run.Version), InformationURI: projectURL, Rules: rules}
	run := sarifRun{Tool: sarifTool{Driver: driver}, Invocations: sarifInvocations(r), Results: []sarifResult{}}
	for _, res := range r.Results {
		level, ok := sarifLevels[res.Status]
		if !ok {
			continue
		}
		run.Results = append(run.Results, sarifResultFor(res, level, index[res.ID], sarifLocate(r, res)))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

// sarifRules are the catalogue entries of the checks the report has
// results for, in catalogue order, plus any result ID the catalogue lacks,
// so that every result has a rule to point at.
func sarifRules(rs []result.Result, catalogue []result.CheckInfo) ([]sarifRule, map[string]int) {
	rules := []sarifRule{} // the schema wants an array, even an empty one
	index, seen := map[string]int{}, map[string]bool{}
	for _, r := range rs {
		seen[r.ID] = true
	}
	for _, c := range catalogue {
		if !seen[c.ID] {
			continue
		}
		index[c.ID] = len(rules)
		help := strings.TrimSpace(c.Why + " Sources: " + strings.Join(c.Sources, "; "))
		rules = append(rules, sarifRule{ID: c.ID, ShortDescription: sarifMessage{c.Title}, FullDescription: sarifMessage{nonEmpty(c.What, c.Title)}, Help: sarifMessage{help}, HelpURI: helpURI(c.Sources)})
	}
	for _, r := range rs {
		if _, ok := index[r.ID]; !ok {
			index[r.ID] = len(rules)
			rules = append(rules, sarifRule{ID: r.ID, ShortDescription: sarifMessage{r.ID}, FullDescription: sarifMessage{r.ID}, Help: sarifMessage{r.ID}, HelpURI: projectURL})
		}
	}
	return rules, index
}

var webURL = regexp.MustCompile(`https?://[^\s;,()"]+`)

// helpURI is the first web page a check's sources name: the document a
// reader opens to learn why the finding matters.
func helpURI(sources []string) string {
	for _, s := range sources {
		if u := webURL.FindString(s); u != "" {
			return u
		}
	}
	return projectURL
}

// sarifLocate is the result's own location, else the config line that
// declares its target, else the config file's usual name.
func sarifLocate(r Report, res result.Result) result.Location {
	if res.Location != nil {
		return *res.Location
	}
	if r.Locate != nil {
		if l := r.Locate(res); l != nil {
			return *l
		}
	}
	return result.Location{File: sarifFallbackFile, Line: 1}
}

// sarifToolVersion is the version as SARIF wants it, starting with a
// number (SARIF2005) so viewers can compare versions: v1.2.3 is 1.2.3, a
// development build 0.0.0-devel.
func sarifToolVersion(v string) string {
	v = strings.TrimPrefix(v, "v")
	if v == "" || v[0] < '0' || v[0] > '9' {
		return "0.0.0-" + nonEmpty(strings.Trim(v, "()"), "devel")
	}
	return v
}

// fingerprint identifies a finding across runs.
func fingerprint(r result.Result) string {
	sum := sha256.Sum256([]byte(strings.Join([]string{r.Deployment, r.ID, r.Target, r.Via}, "\x00")))
	return hex.EncodeToString(sum[:16])
}

func sarifResultFor(r result.Result, level string, rule int, l result.Location) sarifResult {
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
		PartialFingerprints: map[string]string{"lyncprobeFinding/v1": fingerprint(r)},
		Properties:          map[string]any{"status": r.Status.String(), "target": r.Target, "via": r.Via}}
	if r.Deployment != "" {
		out.Properties["deployment"] = r.Deployment
	}
	// A finding about the whole file (a name a zone lacks) is placed on
	// its first line: viewers and SARIF2017 want a region.
	region := &sarifRegion{StartLine: max(l.Line, 1)}
	out.Locations = []sarifLocation{{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: fileURI(l.File)}, Region: region}}}
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

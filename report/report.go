// Package report renders one result tree in the formats people and CI
// systems read. It knows formats and nothing of the network; colour and
// width come from Options, never from globals.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/lyncprobe/lyncprobe/result"
)

// Version is the JSON report's format version.
const Version = 1

// Report is everything a renderer needs.
type Report struct {
	Command    string // the command that made it, for headings: "check" when empty
	Deployment string
	Results    []result.Result
	Duration   time.Duration
	// Deployments, when set, makes a fleet report (fleet.go): Results then
	// holds every deployment's results in order, each naming its deployment.
	Deployments []Deployment
	// Run is the run header every format prints: when, which lyncprobe,
	// from where.
	Run Run
	// Locate, when set, gives a result without a Location the config file
	// and line that declare its target. SARIF uses it: code scanning
	// refuses a result without a location.
	Locate func(result.Result) *result.Location
	// ConfigDir is the config file's folder (absolute): JUnit test names
	// give file paths relative to it, the same in every checkout.
	ConfigDir string
	// Catalog describes the checks that made Results, in report order
	// (checks.Catalog): the text report's cause titles, SARIF's rules, and
	// the Needs by which the cause analysis tells a skip as a consequence.
	// report imports no checks, so the caller passes it; without it results
	// are rendered under their IDs alone.
	Catalog []result.CheckInfo
}

// catalog indexes a report's Catalog by check ID.
type catalog map[string]result.CheckInfo

func (r Report) catalog() catalog {
	c := make(catalog, len(r.Catalog))
	for _, ci := range r.Catalog {
		c[ci.ID] = ci
	}
	return c
}

// Run describes the run: the header of every format.
type Run struct {
	Started   time.Time // zero: no date shown (golden files)
	Version   string    // lyncprobe's version
	Host      string    // the vantage: the machine that ran the checks
	Resolvers []string  // the public-view resolvers asked
}

// command is the heading's command name.
func (r Report) command() string {
	if r.Command == "" {
		return "check"
	}
	return r.Command
}

// Options are the output's properties.
type Options struct {
	Color bool // ANSI colour (only on a terminal, never with NO_COLOR)
	// Width is the text report's width in columns: the terminal's, or
	// DefaultWidth (80) when 0.
	Width int
	// Verbose lists every result in the text report, PASS included.
	Verbose bool
}

// Formats lists the supported --format values.
var Formats = []string{"text", "json", "jsonl", "junit", "sarif", "markdown", "html"}

// Render writes r in format to w.
func Render(w io.Writer, format string, r Report, o Options) error {
	switch format {
	case "text":
		return Text(w, r, o)
	case "json":
		return JSON(w, r)
	case "jsonl":
		return JSONLines(w, r)
	case "junit":
		return JUnit(w, r)
	case "sarif":
		return SARIF(w, r)
	case "markdown":
		return Markdown(w, r)
	case "html":
		return HTML(w, r)
	}
	return fmt.Errorf("unknown format %q (known: %v)", format, Formats)
}

// ValidFormat reports whether format can be rendered.
func ValidFormat(format string) bool { return slices.Contains(Formats, format) }

// JSON writes the versioned JSON document.
func JSON(w io.Writer, r Report) error {
	if r.Deployments != nil {
		return fleetJSON(w, r)
	}
	results := r.Results
	if results == nil {
		results = []result.Result{}
	}
	doc := struct {
		Version    int             `json:"version"`
		Deployment string          `json:"deployment"`
		Run        *runJSON        `json:"run,omitempty"`
		Summary    summary         `json:"summary"`
		Results    []result.Result `json:"results"`
	}{Version, r.Deployment, r.Run.json(), summaryJSON(r), results}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// summary is ordered as the contract shows it.
type summary struct {
	Pass       int   `json:"pass"`
	Info       int   `json:"info"`
	Warn       int   `json:"warn"`
	Fail       int   `json:"fail"`
	Skip       int   `json:"skip"`
	Error      int   `json:"error"`
	Suppressed int   `json:"suppressed"`
	DurationMS int64 `json:"duration_ms"`
}

func summaryJSON(r Report) summary {
	s := result.Summarize(r.Results, r.Duration)
	c := s.Counts
	return summary{c[result.Pass], c[result.Info], c[result.Warn], c[result.Fail], c[result.Skip], c[result.Error], s.Suppressed, r.Duration.Milliseconds()}
}

// runJSON is the run header in JSON (added in format version 1 as an
// optional field: readers that do not know it are unaffected).
type runJSON struct {
	Started   string   `json:"started,omitempty"` // RFC 3339, UTC
	Version   string   `json:"lyncprobe_version,omitempty"`
	Host      string   `json:"host,omitempty"`
	Resolvers []string `json:"resolvers,omitempty"`
}

// json is the header as JSON, nil when nothing is known (a report built
// in code).
func (r Run) json() *runJSON {
	if r.Started.IsZero() && r.Version == "" && r.Host == "" && len(r.Resolvers) == 0 {
		return nil
	}
	out := &runJSON{Version: r.Version, Host: r.Host, Resolvers: r.Resolvers}
	if !r.Started.IsZero() {
		out.Started = r.Started.UTC().Format(time.RFC3339)
	}
	return out
}

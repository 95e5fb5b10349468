package report

import (
	"bufio"
	"encoding/json"
	"io"
	"path/filepath"
	"time"

	"github.com/lyncprobe/lyncprobe/result"
)

// Deployment is one deployment of a fleet report.
type Deployment struct {
	Name     string
	Path     string // the config file
	Results  []result.Result
	Duration time.Duration
	Error    string // the config did not load (Results then holds one error result saying so)
}

type fleetDeploymentJSON struct {
	Name    string          `json:"name"`
	Path    string          `json:"path"`
	Error   string          `json:"error,omitempty"`
	Summary summary         `json:"summary"`
	Results []result.Result `json:"results"`
}

// fleetJSON writes the fleet document: an overall summary, then one entry
// per deployment with its own summary and results. It is written piece by
// piece, one deployment at a time, so that no indented copy of the whole
// document (8.6 MB for 100 deployments) is held: the bytes are those
// json.Encoder with SetIndent("", "  ") gives for the whole document.
func fleetJSON(w io.Writer, r Report) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("{\n")
	field(bw, "version", Version)
	if run := r.Run.json(); run != nil {
		field(bw, "run", run)
	}
	field(bw, "summary", summaryJSON(r))
	bw.WriteString(`  "deployments": `)
	if len(r.Deployments) == 0 {
		bw.WriteString("[]\n}\n")
		return bw.Flush()
	}
	bw.WriteString("[\n")
	for i, d := range r.Deployments {
		rs := d.Results
		if rs == nil {
			rs = []result.Result{}
		}
		b, err := json.MarshalIndent(fleetDeploymentJSON{d.Name, d.Path, d.Error,
			summaryJSON(Report{Results: d.Results, Duration: d.Duration}), rs}, "    ", "  ")
		if err != nil {
			return err
		}
		bw.WriteString("    ")
		bw.Write(b)
		if i < len(r.Deployments)-1 {
			bw.WriteString(",")
		}
		bw.WriteString("\n")
		if err := bw.Flush(); err != nil { // a write error shows now, not at the end
			return err
		}
	}
	bw.WriteString("  ]\n}\n")
	return bw.Flush()
}

// field writes one member of the top-level object, indented as
// json.MarshalIndent would indent it there.
func field(bw *bufio.Writer, name string, v any) {
	b, _ := json.MarshalIndent(v, "  ", "  ") // summaries and the header always marshal
	bw.WriteString(`  "` + name + `": `)
	bw.Write(b)
	bw.WriteString(",\n")
}

// JSONLines writes one result per line, each naming its deployment, for
// log pipelines (jq, Loki, Elasticsearch).
func JSONLines(w io.Writer, r Report) error {
	enc := json.NewEncoder(w)
	for _, res := range r.Results {
		if res.Deployment == "" {
			res.Deployment = r.Deployment
		}
		if err := enc.Encode(res); err != nil {
			return err
		}
	}
	return nil
}

// fleet writes the text report of a fleet: each deployment as a single
// report would show it, then one summary line per deployment and the total.
func (p *printer) fleet(r Report) error {
	p.header(r)
	for i, d := range r.Deployments {
		if i > 0 {
			p.printf("\n")
		}
		p.printf("== lyncprobe check: %s (%s)\n", d.Name, d.Path)
		p.body(d.Results)
	}
	p.printf("\nDeployments:\n")
	for _, d := range r.Deployments {
		p.summaryLine(Report{Results: d.Results, Duration: d.Duration}, "  "+d.Name+":", "")
	}
	p.summary(r)
	return p.err
}

// fleetJUnit writes one test suite per deployment.
func fleetJUnit(w io.Writer, r Report) error {
	doc := junitSuites{Name: "lyncprobe", Time: seconds(r.Duration.Seconds())}
	for _, d := range r.Deployments {
		s := junitSuiteFor(d.Name, d.Results, d.Duration, configDir(d.Path))
		s.withRun(r.Run)
		doc.Tests, doc.Failures, doc.Errors = doc.Tests+s.Tests, doc.Failures+s.Failures, doc.Errors+s.Errors
		doc.Suites = append(doc.Suites, s)
	}
	return writeJUnit(w, doc)
}

// configDir is the absolute folder of a config file, "" when unknown.
func configDir(path string) string {
	if path == "" {
		return ""
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	return filepath.Dir(abs)
}

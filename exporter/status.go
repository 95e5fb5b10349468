package exporter

import (
	"html/template"
	"net/http"
	"time"

	"github.com/lyncprobe/lyncprobe/result"
)

// lastProbe is what the status page shows of a deployment's last probe.
type lastProbe struct {
	When     time.Time
	Module   string
	Counts   map[string]int
	Success  bool
	Duration time.Duration
	Findings []result.Result // fail, error and warn
}

// remember keeps the probe for the status page; only its findings are
// kept, not every result, so the memory stays small per deployment.
func (s *Server) remember(name, module string, rs []result.Result, took time.Duration) {
	sum := result.Summarize(rs, took)
	lp := lastProbe{When: time.Now(), Module: module, Counts: map[string]int{}, Success: !sum.Failed(result.Fail), Duration: took}
	if lp.Module == "" {
		lp.Module = "all"
	}
	for st, n := range sum.Counts {
		lp.Counts[st.String()] = n
	}
	for _, r := range rs {
		if !r.Suppressed && (r.Status == result.Fail || r.Status == result.Error || r.Status == result.Warn) {
			r.Evidence = nil
			lp.Findings = append(lp.Findings, r)
		}
	}
	s.mu.Lock()
	s.last[name] = lp
	s.mu.Unlock()
}

type statusRow struct {
	Name   string
	Probed bool
	Last   lastProbe
}

var statusPage = template.Must(template.New("status").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>lyncprobe exporter</title>
<style>body{font-family:sans-serif;margin:2em}td,th{padding:.2em .8em;text-align:left;vertical-align:top}
.ok{color:#080}.bad{color:#b00}.none{color:#888}small{color:#555}</style></head><body>
<h1>lyncprobe exporter</h1>
<p>Last probe per deployment. Metrics: <a href="metrics">/metrics</a>; probe one with <code>/probe?target=NAME&amp;module=all</code> (add <code>&amp;debug=true</code> for the text report).</p>
<table><tr><th>Deployment</th><th>Last probe</th><th>Module</th><th>Result</th><th>Findings</th></tr>
{{range .}}<tr><td><a href="probe?target={{.Name}}&amp;debug=true">{{.Name}}</a></td>
{{if .Probed}}<td>{{.Last.When.UTC.Format "2006-01-02 15:04:05Z"}} <small>({{.Last.Duration}})</small></td><td>{{.Last.Module}}</td>
<td>{{if .Last.Success}}<span class="ok">success</span>{{else}}<span class="bad">failed</span>{{end}}
<small>{{range $k, $v := .Last.Counts}}{{$v}} {{$k}} {{end}}</small></td>
<td>{{range .Last.Findings}}<div><b>{{.Status}}</b> {{.ID}} {{.Target}} {{.Via}}: {{.Message}}</div>{{end}}</td>
{{else}}<td class="none" colspan="4">not probed yet</td>{{end}}</tr>
{{end}}</table></body></html>
`))

func (s *Server) status(w http.ResponseWriter, _ *http.Request) {
	s.mu.RLock()
	rows := make([]statusRow, 0, len(s.list))
	for _, n := range s.list {
		lp, ok := s.last[n]
		rows = append(rows, statusRow{Name: n, Probed: ok, Last: lp})
	}
	s.mu.RUnlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	statusPage.Execute(w, rows)
}

package report

import (
	_ "embed"
	"html/template"
	"io"
	"math"
	"strings"
	"sync"

	"github.com/lyncprobe/lyncprobe/result"
)

// htmlPage is the one self-contained page: inline CSS, no script, nothing
// fetched; html/template escapes every value.
//
//go:embed html.tmpl
var htmlPage string

// htmlTemplate is parsed on first use, not at start-up: most commands
// never render HTML, and `lyncprobe version` should not pay for it.
var htmlTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Funcs(template.FuncMap{
		"upper": strings.ToUpper,
	}).Parse(htmlPage))
})

type htmlView struct {
	Deployment string
	Verdict    string // pass, warn or fail: the worst unsuppressed outcome
	Headline   string // the verdict line: causes and problems
	RunLine    string // the run header
	Counts     []htmlCount
	Duration   string
	Findings   []result.Result // not pass and not info
	Modules    []htmlGroup
	Charts     []htmlChart
	Timings    []htmlTiming
}

type htmlGroup struct {
	Title   string
	Results []result.Result
}

type htmlCount struct {
	Status string
	N      int
}

type htmlChart struct {
	Result result.Result
	Bars   []htmlBar
}

type htmlBar struct {
	Label   string
	Count   int
	Percent float64 // of the largest count, for the bar's width
}

type htmlTiming struct {
	Result  result.Result
	MS      int64
	Percent float64 // of the slowest result
}

// HTML writes the report as one HTML file a person reads in a browser.
func HTML(w io.Writer, r Report) error {
	return htmlTemplate().Execute(w, htmlViewOf(r))
}

func htmlViewOf(r Report) htmlView {
	s := result.Summarize(r.Results, r.Duration)
	v := htmlView{Deployment: r.Deployment, Verdict: verdict(s), Duration: r.Duration.Round(1e6).String(),
		Headline: headline(r.Results, r.catalog()), RunLine: runLine(r)}
	for _, g := range groupByModule(r.Results) {
		v.Modules = append(v.Modules, htmlGroup{moduleTitle(g.module), g.results})
	}
	for _, st := range result.Statuses {
		v.Counts = append(v.Counts, htmlCount{st.String(), s.Counts[st]})
	}
	v.Counts = append(v.Counts, htmlCount{"suppressed", s.Suppressed})
	slowest := int64(1)
	for _, res := range r.Results {
		slowest = max(slowest, res.Duration.Milliseconds())
	}
	shown := map[string]bool{} // each remedy once, under the first problem that needs it
	for _, res := range bySeverity(r.Results, r.catalog()) {
		if res.Status != result.Pass && res.Status != result.Info {
			if shown[res.Remedy] {
				res.Remedy = ""
			}
			shown[res.Remedy] = true
			v.Findings = append(v.Findings, res)
		}
	}
	for _, res := range r.Results {
		if c, ok := chartOf(res); ok {
			v.Charts = append(v.Charts, c)
		}
		ms := res.Duration.Milliseconds()
		v.Timings = append(v.Timings, htmlTiming{res, ms, percent(int(ms), int(slowest))})
	}
	return v
}

func verdict(s result.Summary) string {
	switch {
	case s.Counts[result.Fail]+s.Counts[result.Error] > 0:
		return "fail"
	case s.Counts[result.Warn] > 0:
		return "warn"
	}
	return "pass"
}

func chartOf(r result.Result) (htmlChart, bool) {
	bs := r.Distribution()
	if len(bs) == 0 {
		return htmlChart{}, false
	}
	most := 1
	for _, b := range bs {
		most = max(most, b.Count)
	}
	c := htmlChart{Result: r}
	for _, b := range bs {
		c.Bars = append(c.Bars, htmlBar{b.Label, b.Count, percent(b.Count, most)})
	}
	return c, true
}

// percent is n of whole, rounded to one decimal, for a CSS width.
func percent(n, whole int) float64 {
	return math.Round(float64(n)*1000/float64(whole)) / 10
}

// headline is the verdict line without the verdict, which the badge shows.
func headline(rs []result.Result, cat catalog) string {
	line := verdictLine(rs, cat)
	if _, rest, ok := strings.Cut(line, ": "); ok {
		return rest
	}
	return line
}

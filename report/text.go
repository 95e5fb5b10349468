package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/fatih/color"
	"github.com/lyncprobe/lyncprobe/checks"
)

var moduleTitles = map[string]string{"dns": "DNS", "cert": "Certificates", "http": "HTTP", "affinity": "Affinity", "edge": "Edge", "proxy": "Proxy configuration"}

var statusColors = map[checks.Status]color.Attribute{
	checks.Pass: color.FgGreen, checks.Info: color.FgCyan, checks.Warn: color.FgYellow,
	checks.Fail: color.FgRed, checks.Skip: color.FgBlue, checks.Error: color.FgMagenta,
}

// Text writes the report for a person: grouped by module, one line per
// result, remedies under failures and warnings, then a summary.
func Text(w io.Writer, r Report, o Options) error {
	p := &printer{w: w, o: o}
	if r.Deployments != nil {
		return p.fleet(r)
	}
	p.printf("lyncprobe %s: %s\n", r.command(), r.Deployment)
	for _, g := range groupByModule(r.Results) {
		p.group(g)
	}
	p.summary(r)
	return p.err
}

type printer struct {
	w   io.Writer
	o   Options
	err error
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func (p *printer) paint(s string, st checks.Status) string {
	if !p.o.Color {
		return s
	}
	c := color.New(statusColors[st])
	c.EnableColor()
	return c.Sprint(s)
}

type group struct {
	module  string
	results []checks.Result
}

func groupByModule(rs []checks.Result) []group {
	var out []group
	index := map[string]int{}
	for _, r := range rs {
		i, ok := index[r.Module]
		if !ok {
			i = len(out)
			index[r.Module] = i
			out = append(out, group{module: r.Module})
		}
		out[i].results = append(out[i].results, r)
	}
	return out
}

func (p *printer) group(g group) {
	p.printf("\n%s\n", moduleTitle(g.module))
	wID, wTarget, wVia := 0, 0, 0
	for _, r := range g.results {
		wID, wTarget, wVia = max(wID, len(r.ID)), max(wTarget, len(r.Target)), max(wVia, len(via(r)))
	}
	for _, r := range g.results {
		status := p.paint(fmt.Sprintf("%-5s", strings.ToUpper(r.Status.String())), r.Status)
		p.printf("  %s  %-*s  %-*s  %-*s  %s\n", status, wID, r.ID, wTarget, r.Target, wVia, via(r), r.Message)
		if r.Location != nil {
			p.printf("         at: %s\n", locationString(r.Location))
		}
		if r.Suppressed {
			p.printf("         suppressed: %s\n", r.SuppressionReason)
		}
		if r.Remedy != "" && (r.Status == checks.Warn || r.Status == checks.Fail) {
			p.printf("         remedy: %s\n", r.Remedy)
		}
		p.bars(r)
	}
}

func moduleTitle(module string) string {
	if t := moduleTitles[module]; t != "" {
		return t
	}
	return module
}

func via(r checks.Result) string {
	if r.Via == "" {
		return "-"
	}
	return r.Via
}

func (p *printer) summary(r Report) { p.summaryLine(r, "\nSummary: ") }

// summaryLine writes the counts of r after prefix.
func (p *printer) summaryLine(r Report, prefix string) {
	s := checks.Summarize(r.Results, r.Duration)
	parts := make([]string, 0, len(checks.Statuses))
	for _, st := range checks.Statuses {
		n := fmt.Sprintf("%d %s", s.Counts[st], st)
		if s.Counts[st] > 0 {
			n = p.paint(n, st)
		}
		parts = append(parts, n)
	}
	if s.Suppressed > 0 {
		parts = append(parts, fmt.Sprintf("%d suppressed", s.Suppressed))
	}
	p.printf("%s%s in %s\n", prefix, strings.Join(parts, ", "), r.Duration.Round(time.Millisecond))
}

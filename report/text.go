package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/fatih/color"
	"github.com/lyncprobe/lyncprobe/result"
)

var moduleTitles = map[string]string{"dns": "DNS", "cert": "Certificates", "http": "HTTP", "affinity": "Affinity", "edge": "Edge", "proxy": "Proxy configuration"}

var statusColors = map[result.Status]color.Attribute{
	result.Pass: color.FgGreen, result.Info: color.FgCyan, result.Warn: color.FgYellow,
	result.Fail: color.FgRed, result.Skip: color.FgBlue, result.Error: color.FgMagenta,
}

// DefaultWidth is the text report's width when the output is not a
// terminal.
const DefaultWidth = 80

// shownTargets is how many targets a consequence lists before "and N
// more" (all of them with Verbose).
const shownTargets = 3

// Text writes the report for a person who has ten seconds: the run
// header, the verdict, then the problems grouped by root cause (each cause
// with its remedy once and its consequences beneath it), what could not
// be checked, information, suppressed findings and the summary. PASS
// lines only with Verbose, which also lists every result by module.
func Text(w io.Writer, r Report, o Options) error {
	p := &printer{w: w, o: o, width: o.Width, cat: r.catalog()}
	if p.width <= 0 {
		p.width = DefaultWidth
	}
	if r.Deployments != nil {
		return p.fleet(r)
	}
	p.printf("lyncprobe %s: %s\n", r.command(), r.Deployment)
	p.header(r)
	p.body(r.Results)
	p.summary(r)
	return p.err
}

type printer struct {
	w     io.Writer
	o     Options
	width int
	cat   catalog // the report's Catalog
	err   error
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func (p *printer) paint(s string, st result.Status) string {
	if !p.o.Color {
		return s
	}
	c := color.New(statusColors[st])
	c.EnableColor()
	return c.Sprint(s)
}

// para prints text wrapped to the width, every line indented by indent
// (the first after lead, when lead is given and shorter than indent).
func (p *printer) para(indent int, lead, text string) {
	pad := strings.Repeat(" ", indent)
	for i, line := range wrap(text, max(p.width-indent, 20)) {
		switch {
		case i == 0 && strings.HasSuffix(lead, "\x00"):
			p.printf("%s%s\n", strings.TrimSuffix(lead, "\x00"), line)
		case i == 0 && lead != "":
			p.printf("%s%s%s\n", lead, strings.Repeat(" ", max(indent-visibleLen(lead), 1)), line)
		default:
			p.printf("%s%s\n", pad, line)
		}
	}
}

// hanging prints text wrapped, its first line at first, the others at
// rest.
func (p *printer) hanging(first, rest int, text string) {
	p.para(rest, strings.Repeat(" ", first)+"\x00", text)
}

// header is the run header: when, which lyncprobe, from where, how long.
func (p *printer) header(r Report) {
	if h := runLine(r); h != "" {
		p.para(0, "", h)
	}
}

// runLine is the run header as one line of text.
func runLine(r Report) string {
	var parts []string
	if !r.Run.Started.IsZero() {
		parts = append(parts, r.Run.Started.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	if r.Run.Version != "" {
		parts = append(parts, "lyncprobe "+r.Run.Version)
	}
	if r.Run.Host != "" {
		parts = append(parts, "from "+r.Run.Host)
	}
	if len(r.Run.Resolvers) > 0 {
		parts = append(parts, "resolvers "+strings.Join(r.Run.Resolvers, ", "))
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(append(parts, "took "+r.Duration.Round(time.Millisecond).String()), " · ")
}

// verdictLine says in one line whether the deployment works and how many
// causes stand behind how many problems.
func verdictLine(rs []result.Result, cat catalog) string {
	a := analyse(rs, cat)
	v := strings.ToUpper(verdictOf(rs).String())
	switch {
	case a.Problems == 0 && len(a.NotChecked) == 0:
		return v + ": no problem found"
	case a.Problems == 0:
		return fmt.Sprintf("%s: no problem found; %s not checked", v, plural(len(a.NotChecked), "result"))
	}
	return fmt.Sprintf("%s: %s behind %s", v, plural(len(a.Causes), "root cause"), plural(a.Problems, "problem"))
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// body prints the verdict and the results in reading order.
func (p *printer) body(rs []result.Result) {
	a := analyse(rs, p.cat)
	p.printf("\n%s\n", p.paint("Verdict: "+verdictLine(rs, p.cat), verdictOf(rs)))
	if len(a.Causes) > 0 {
		p.printf("\nProblems, by root cause\n")
		for i, c := range a.Causes {
			p.cause(i+1, c)
		}
	}
	p.section("Not checked", a.NotChecked)
	p.section("Information", a.Info)
	p.section("Suppressed", a.Suppressed)
	if p.o.Verbose {
		p.printf("\nEvery result, by module\n")
		for _, g := range groupByModule(rs) {
			p.printf("\n%s\n", moduleTitle(g.module))
			for _, r := range g.results {
				p.result(r, false)
			}
		}
	}
}

// cause prints one root cause: its check, each target with what was
// found, the remedy once, then the consequences.
func (p *printer) cause(n int, c cause) {
	title := c.ID
	if chk, ok := p.cat[c.ID]; ok {
		title += ": " + chk.Title
	}
	p.printf("\n")
	p.para(8, fmt.Sprintf("%d. %s", n, p.paint(fmt.Sprintf("%-5s", strings.ToUpper(c.Status.String())), c.Status)), title)
	var remedies []string
	for _, r := range c.Roots {
		p.hanging(8, 10, targetLine(r)+": "+r.Message)
		if r.Location != nil {
			p.para(10, "", "at: "+locationString(r.Location))
		}
		if rem := remedyText(r); rem != "" && !contains(remedies, rem) {
			remedies = append(remedies, rem)
		}
		p.bars(r, 10)
	}
	for _, rem := range remedies {
		p.para(8, "", "Fix: "+rem)
	}
	if len(c.Effects) > 0 {
		p.para(8, "", "Consequences:")
		for _, g := range groupResults(c.Effects) {
			p.group(g, 10, 17, false)
		}
	}
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }

// resultGroup is results told together: the same status and message
// from several checks (what a failed lookup makes them all skip), or one
// check's results for several targets.
type resultGroup struct {
	IDs      []string
	Status   result.Status
	Targets  []string
	Messages []string        // distinct, in order
	First    result.Result   // for the evidence (bars) of a lone result
	Results  []result.Result // every result of the group
}

// groupResults merges results with one status and one message (whatever
// the check), then results of one check and status (whatever the
// message). Order is kept.
func groupResults(rs []result.Result) []resultGroup {
	var byMessage []resultGroup
	index := map[string]int{}
	for _, r := range rs {
		key := r.Status.String() + "\x00" + r.Message
		if _, bars := r.Evidence[result.EvidenceDistribution]; bars {
			key += "\x00" + r.ID + "\x00" + targetLine(r) // charts are never merged
		}
		i, ok := index[key]
		if !ok {
			i = len(byMessage)
			index[key] = i
			byMessage = append(byMessage, resultGroup{Status: r.Status, Messages: []string{r.Message}, First: r})
		}
		g := &byMessage[i]
		g.Results = append(g.Results, r)
		g.IDs = appendNew(g.IDs, r.ID)
		g.Targets = appendNew(g.Targets, targetLine(r))
	}
	var out []resultGroup
	byID := map[string]int{}
	for _, g := range byMessage {
		if len(g.IDs) > 1 || len(g.Targets) > 1 {
			out = append(out, g)
			continue
		}
		key := g.IDs[0] + "\x00" + g.Status.String()
		if _, bars := g.First.Evidence[result.EvidenceDistribution]; bars {
			out = append(out, g)
			continue
		}
		i, ok := byID[key]
		if !ok {
			byID[key] = len(out)
			out = append(out, g)
			continue
		}
		m := &out[i]
		m.Results = append(m.Results, g.Results...)
		m.Targets = appendNew(m.Targets, g.Targets...)
		m.Messages = appendNew(m.Messages, g.Messages...)
	}
	return out
}

func appendNew(list []string, xs ...string) []string {
	for _, x := range xs {
		if !contains(list, x) {
			list = append(list, x)
		}
	}
	return list
}

// listed joins items, the first shownTargets of them unless verbose.
func (p *printer) listed(items []string, sep string) string {
	if p.o.Verbose || len(items) <= shownTargets+1 {
		return strings.Join(items, sep)
	}
	return strings.Join(items[:shownTargets], sep) + fmt.Sprintf(" and %d more", len(items)-shownTargets)
}

// group prints a result group at indent: status and checks, targets,
// then the message when the group has one.
func (p *printer) group(g resultGroup, at, indent int, withRemedy bool) {
	status := p.paint(fmt.Sprintf("%-5s", strings.ToUpper(g.Status.String())), g.Status)
	lead := strings.Repeat(" ", at) + status
	if len(g.Results) == 1 {
		r := g.First
		p.para(indent, lead, r.ID+" on "+targetLine(r)+": "+r.Message)
		if r.Location != nil {
			p.para(indent, "", "at: "+locationString(r.Location))
		}
		if r.Suppressed {
			p.para(indent, "", "suppressed: "+r.SuppressionReason)
		}
		if withRemedy && r.Remedy != "" && (r.Status == result.Warn || r.Status == result.Fail) {
			p.para(indent, "", "Fix: "+remedyText(r))
		}
		p.bars(r, indent)
		return
	}
	line := p.listed(g.IDs, ", ") + " on " + p.listed(g.Targets, "; ")
	if len(g.Messages) == 1 {
		line += ": " + g.Messages[0]
	}
	p.para(indent, lead, line)
	for _, r := range g.Results {
		if r.Suppressed {
			p.para(indent, "", "suppressed ("+targetLine(r)+"): "+r.SuppressionReason)
		}
	}
}

// section prints results, grouped, under a title.
func (p *printer) section(title string, rs []result.Result) {
	if len(rs) == 0 {
		return
	}
	p.printf("\n%s\n", title)
	for _, g := range groupResults(rs) {
		p.group(g, 2, 9, true)
	}
}

// result prints one result: status, check and target on one line, what
// was found beneath, wrapped.
func (p *printer) result(r result.Result, withRemedy bool) {
	p.group(resultGroup{IDs: []string{r.ID}, Status: r.Status, Targets: []string{targetLine(r)}, Messages: []string{r.Message}, First: r, Results: []result.Result{r}}, 2, 9, withRemedy)
}

// targetLine is a result's target and, when it has one, its via.
func targetLine(r result.Result) string {
	t := r.Target
	if r.Deployment != "" {
		t = r.Deployment + ": " + t
	}
	if r.Via != "" {
		t += " (" + r.Via + ")"
	}
	return t
}

type group struct {
	module  string
	results []result.Result
}

func groupByModule(rs []result.Result) []group {
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

func moduleTitle(module string) string {
	if t := moduleTitles[module]; t != "" {
		return t
	}
	return module
}

func (p *printer) summary(r Report) {
	hidden := ""
	if !p.o.Verbose {
		hidden = " (PASS hidden: -v lists every result)"
	}
	p.printf("\n")
	p.summaryLine(r, "Summary:", hidden)
}

// summaryLine writes the counts of r after lead, wrapped.
func (p *printer) summaryLine(r Report, lead, suffix string) {
	s := result.Summarize(r.Results, r.Duration)
	parts := make([]string, 0, len(result.Statuses))
	for _, st := range result.Statuses {
		n := fmt.Sprintf("%d %s", s.Counts[st], st)
		if s.Counts[st] > 0 {
			n = p.paint(n, st)
		}
		parts = append(parts, n)
	}
	if s.Suppressed > 0 {
		parts = append(parts, fmt.Sprintf("%d suppressed", s.Suppressed))
	}
	line := fmt.Sprintf("%s in %s%s", strings.Join(parts, ", "), r.Duration.Round(time.Millisecond), suffix)
	p.para(visibleLen(lead)+1, lead, line)
}

// wrap breaks text into lines of at most width columns at spaces, never
// inside a word (a longer word gets a line of its own). Line breaks in
// text are kept.
func wrap(text string, width int) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		line := ""
		for _, word := range breakLong(strings.Fields(para), width) {
			switch {
			case line == "":
				line = word
			case visibleLen(line)+1+visibleLen(word) <= width:
				line += " " + word
			default:
				out = append(out, line)
				line = word
			}
		}
		out = append(out, line)
	}
	return out
}

// visibleLen is the width of s on a terminal: runes, without ANSI colour
// sequences.
func visibleLen(s string) int {
	n, esc := 0, false
	for _, r := range s {
		switch {
		case esc:
			esc = r != 'm'
		case r == '\x1b':
			esc = true
		default:
			n++
		}
	}
	return n
}

// breakLong cuts words longer than width (long URLs) into pieces of width
// runes: a terminal would cut them anyway, and past the margin.
func breakLong(words []string, width int) []string {
	var out []string
	for _, w := range words {
		for visibleLen(w) > width && !strings.Contains(w, "\x1b") {
			r := []rune(w)
			out = append(out, string(r[:width]))
			w = string(r[width:])
		}
		out = append(out, w)
	}
	return out
}

// remedyText is a result's remedy for the text report: when the
// answering proxy's family is known, its fix (and any-proxy advice), with
// the other families collapsed to their names; else the whole remedy.
func remedyText(r result.Result) string {
	if r.Proxy == "" || len(r.Fixes) == 0 || r.Fixes[0].Family != r.Proxy {
		return r.Remedy
	}
	text := fmt.Sprintf("%s %s (detected from %s): %s", remedyLead(r), r.Fixes[0].Name, r.ProxyFrom, r.Fixes[0].Text)
	var others []string
	for _, f := range r.Fixes[1:] {
		if f.Family == "all" {
			text += " Any proxy: " + f.Text
			continue
		}
		others = append(others, f.Name)
	}
	if len(others) > 0 {
		text += fmt.Sprintf(" Other proxies: %s (lyncprobe explain %s, or --format json).", strings.Join(others, ", "), r.ID)
	}
	return text
}

// remedyLead is the first sentence of the check's own remedy (what to do,
// whatever the proxy), which follows the family's fix in r.Remedy.
func remedyLead(r result.Result) string {
	own := strings.TrimPrefix(r.Remedy, result.FamilyNames[r.Proxy]+" (detected from "+r.ProxyFrom+"): "+r.Fixes[0].Text+" ")
	if i := strings.Index(own, ". "); i >= 0 {
		own = own[:i+1]
	}
	return own
}

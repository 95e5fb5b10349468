package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/lyncprobe/lyncprobe/result"
)

// Markdown writes a summary table and one row per result that is not a
// pass: what a GitHub job summary ($GITHUB_STEP_SUMMARY) or a merge
// request comment shows.
func Markdown(w io.Writer, r Report) error {
	s := result.Summarize(r.Results, r.Duration)
	var b strings.Builder
	fmt.Fprintf(&b, "## lyncprobe: %s: %s\n\n", mdCell(r.Deployment), mdCell(verdictLine(r.Results, r.catalog())))
	if h := runLine(r); h != "" {
		fmt.Fprintf(&b, "%s\n\n", mdCell(h))
	}
	b.WriteString("| pass | info | warn | fail | skip | error | suppressed | time |\n")
	b.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, st := range result.Statuses {
		fmt.Fprintf(&b, "| %d ", s.Counts[st])
	}
	fmt.Fprintf(&b, "| %d | %s |\n", s.Suppressed, r.Duration.Round(1e6))
	var rows []string
	for _, res := range bySeverity(r.Results, r.catalog()) {
		if res.Status != result.Pass {
			rows = append(rows, mdRow(res))
		}
	}
	if len(rows) == 0 {
		b.WriteString("\nEvery check passed.\n")
	} else {
		b.WriteString("\n| status | check | target | via | message | remedy |\n|---|---|---|---|---|---|\n")
		b.WriteString(strings.Join(rows, ""))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdRow(r result.Result) string {
	status := "**" + strings.ToUpper(r.Status.String()) + "**"
	if r.Suppressed {
		status = strings.ToUpper(r.Status.String()) + " (suppressed: " + mdCell(r.SuppressionReason) + ")"
	}
	target := mdCell(r.Target)
	if r.Location != nil {
		target += " (" + mdCell(locationString(r.Location)) + ")"
	}
	if r.Deployment != "" { // a fleet run: name the deployment in the row
		target = mdCell(r.Deployment) + ": " + target
	}
	return fmt.Sprintf("| %s | `%s` | %s | %s | %s | %s |\n", status, r.ID, target, mdCell(r.Via), mdCell(r.Message), mdCell(r.Remedy))
}

// mdCell keeps a value inside one table cell: pipes escaped, line breaks
// as <br>, and HTML-significant characters neutralised (GitHub renders
// inline HTML in summaries).
func mdCell(s string) string {
	s = strings.NewReplacer("\\", "\\\\", "|", "\\|", "<", "&lt;", ">", "&gt;", "\r\n", "<br>", "\n", "<br>", "\r", "<br>").Replace(s)
	return s
}

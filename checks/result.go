package checks

import (
	"time"

	"github.com/lyncprobe/lyncprobe/result"
)

// The result types live in the leaf package result, which imports nothing
// of the network, so that what reads results (report/) need not import
// the checks. These aliases keep the checks' own code unchanged.
type (
	Result   = result.Result
	Status   = result.Status
	Summary  = result.Summary
	Location = result.Location
	Bar      = result.Bar
	Fix      = result.Fix
)

// Statuses, from best to worst for exit-code purposes (result.Status).
const (
	Pass  = result.Pass
	Info  = result.Info
	Warn  = result.Warn
	Fail  = result.Fail
	Skip  = result.Skip
	Error = result.Error
)

// Evidence keys code reads back (result/evidence.go).
const (
	EvidenceNotAfter     = result.EvidenceNotAfter
	EvidenceDistribution = result.EvidenceDistribution
	EvidenceFrontEnd     = result.EvidenceFrontEnd
)

var (
	// Statuses lists every status in summary order.
	Statuses = result.Statuses
	// Families lists the proxy families a Fix may name, in explain's order.
	Families = result.Families
	// FamilyNames are the families as people write them.
	FamilyNames = result.FamilyNames
)

// ParseStatus is the inverse of Status.String.
func ParseStatus(s string) (Status, error) { return result.ParseStatus(s) }

// Summarize counts the results.
func Summarize(rs []Result, d time.Duration) Summary { return result.Summarize(rs, d) }

// Catalog describes every check, in report order, for what reads results
// without running checks: report.Report.Catalog.
func Catalog() []result.CheckInfo {
	out := make([]result.CheckInfo, 0, len(registry))
	for _, c := range registry {
		out = append(out, result.CheckInfo{
			ID: c.ID, Module: c.Module, Title: c.Title, Needs: c.Needs,
			What: c.About.What, Why: c.About.Why, Sources: c.About.Sources,
		})
	}
	return out
}

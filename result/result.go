// Package result holds what a lyncprobe run produces and what its readers
// need: the verdict types (Result, Status, Summary), the typed accessors
// for the evidence code reads, and the checks' descriptions. It imports no
// network package, so the renderers (report/) and the tools that read
// results depend on it and not on the checks that make them.
package result

import (
	"encoding/json"
	"fmt"
	"time"
)

// Status is a result's verdict.
type Status int

// Statuses, from best to worst for exit-code purposes; the order of the
// JSON summary follows this list.
const (
	Pass Status = iota
	Info
	Warn
	Fail
	Skip
	Error
)

var statusNames = [...]string{"pass", "info", "warn", "fail", "skip", "error"}

// Statuses lists every status in summary order.
var Statuses = []Status{Pass, Info, Warn, Fail, Skip, Error}

func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return fmt.Sprintf("status(%d)", int(s))
	}
	return statusNames[s]
}

// ParseStatus is the inverse of String.
func ParseStatus(s string) (Status, error) {
	for i, n := range statusNames {
		if n == s {
			return Status(i), nil
		}
	}
	return 0, fmt.Errorf("unknown status %q", s)
}

// MarshalJSON writes the lower-case name.
func (s Status) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON reads the lower-case name.
func (s *Status) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return err
	}
	v, err := ParseStatus(str)
	*s = v
	return err
}

// Result is one verdict about one target. (ID, Target, Via) is unique in a run.
type Result struct {
	// Deployment names the deployment in a fleet run (fleet/), so that
	// (Deployment, ID, Target, Via) stays unique; empty in a single run.
	Deployment string `json:"deployment,omitempty"`
	ID         string `json:"id"`
	Module     string `json:"module"`
	Target     string `json:"target"`
	Via        string `json:"via"`
	Status     Status `json:"status"`
	Message    string `json:"message"`
	Remedy     string `json:"remedy,omitempty"`
	// Proxy is the proxy family whose fix Remedy starts with (detected
	// from ProxyFrom), "" when unknown; Fixes are the check's per-family
	// fixes, that family's first (checks/family.go).
	Proxy     string         `json:"proxy,omitempty"`
	ProxyFrom string         `json:"proxy_from,omitempty"`
	Fixes     []Fix          `json:"fixes,omitempty"`
	Evidence  map[string]any `json:"evidence,omitempty"`
	// Location is the file and line a finding is about (offline validation).
	Location *Location `json:"location,omitempty"`
	// Suppressed marks a result an `ignore` rule of the config matched: it
	// keeps its status but counts toward neither the exit code nor the
	// fail/warn counts.
	Suppressed        bool          `json:"suppressed,omitempty"`
	SuppressionReason string        `json:"suppression_reason,omitempty"`
	Duration          time.Duration `json:"-"`
}

// Location is a place in a file a result is about.
type Location struct {
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
}

// MarshalJSON writes duration as whole milliseconds.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	return json.Marshal(struct {
		plain
		DurationMS int64 `json:"duration_ms"`
	}{plain(r), r.Duration.Milliseconds()})
}

// Summary counts results by status. Suppressed results are counted only
// in Suppressed, so they fail no run.
type Summary struct {
	Counts     map[Status]int
	Suppressed int
	Duration   time.Duration
}

// Summarize counts the results.
func Summarize(rs []Result, d time.Duration) Summary {
	s := Summary{Counts: map[Status]int{}, Duration: d}
	for _, r := range rs {
		if r.Suppressed {
			s.Suppressed++
			continue
		}
		s.Counts[r.Status]++
	}
	return s
}

// Failed reports whether the run should exit 1: a fail or an error, or a
// warn when failOn is Warn.
func (s Summary) Failed(failOn Status) bool {
	if s.Counts[Fail] > 0 || s.Counts[Error] > 0 {
		return true
	}
	return failOn == Warn && s.Counts[Warn] > 0
}

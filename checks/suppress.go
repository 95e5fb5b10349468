package checks

import (
	"strings"

	"github.com/lyncprobe/lyncprobe/config"
)

// suppress marks the results an `ignore` rule matches as suppressed, with
// the rule's reason, and returns rs. The status is kept, so every report
// can still show what was found; Summarize leaves suppressed results out of
// the status counts and so out of the exit code. Run applies the
// deployment's rules to every run's results, the one place suppressions
// are applied: renderers only show the mark.
func suppress(rs []Result, rules []config.Ignore) []Result {
	for i := range rs {
		for _, rule := range rules {
			if suppresses(rule, rs[i]) {
				rs[i].Suppressed, rs[i].SuppressionReason = true, rule.Reason
				break
			}
		}
	}
	return rs
}

// suppresses reports whether rule matches r: the same ID, and the same
// target and via where the rule names them (names compare case-blind).
func suppresses(rule config.Ignore, r Result) bool {
	if rule.ID != r.ID {
		return false
	}
	if rule.Target != "" && !strings.EqualFold(strings.TrimSuffix(rule.Target, "."), r.Target) {
		return false
	}
	return rule.Via == "" || strings.EqualFold(rule.Via, r.Via)
}

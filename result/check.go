package result

// CheckInfo describes a check to those who read its results: the text
// report's titles, SARIF's rules and the cause analysis (which follows
// Needs). The checks package lists them (checks.Catalog), in report order.
type CheckInfo struct {
	ID     string
	Module string
	Title  string
	// Needs are the checks whose verdicts this one's evidence relies on.
	Needs []string
	// What the check asks, why it matters, and the public pages that say so.
	What    string
	Why     string
	Sources []string
}

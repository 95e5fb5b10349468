package checks

import "time"

// WithProbeLimit sets one probe's limit apart from the check's deadline
// (Options.probeLimit): a test of a server that stalls gives the probe a
// short limit and the check a long deadline, so that the result always
// names the stall rather than the check's clock.
func WithProbeLimit(o Options, d time.Duration) Options {
	o.probeLimit = d
	return o
}

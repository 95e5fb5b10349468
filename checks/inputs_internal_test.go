package checks

import (
	"math/bits"
	"testing"
)

// TestEveryCheckHasOneFileInputAtMost: a check declares some input, and
// at most one kind of file, so that in an offline run each check judges
// from one input (judgedFrom) and the Needs rule can hold within it.
func TestEveryCheckHasOneFileInputAtMost(t *testing.T) {
	for _, c := range registry {
		if c.Inputs == 0 {
			t.Errorf("%s declares no input: no run would run it", c.ID)
		}
		if files := c.Inputs &^ InputNetwork; bits.OnesCount8(uint8(files)) > 1 {
			t.Errorf("%s judges from two kinds of file (%b)", c.ID, files)
		}
	}
}

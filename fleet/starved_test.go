package fleet_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/fleet"
	"github.com/lyncprobe/lyncprobe/result"
)

// TestCPUStarvedFleetHasNoFalseErrors checks 20 healthy labs at
// --parallel 16 while goroutines burn every core. The run takes longer;
// no verdict may change: the process-wide handshake budget keeps the
// handshakes from all starving at once, and a check's clock stops while
// its probe waits for that budget. Before the budget, such runs reported
// "affinity probe ran out of time" and check timeouts.
func TestCPUStarvedFleetHasNoFalseErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("20 labs and a CPU-burning loop")
	}
	dir := t.TempDir()
	for i := range 20 {
		startLab(t, dir, fmt.Sprintf("lab%02d", i))
	}
	paths, err := fleet.Expand([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	stop := burnCPU(2 * runtime.NumCPU())
	ds := fleet.Run(context.Background(), paths, fleet.Options{Parallel: 16, Timeout: 5 * time.Minute})
	stop()
	if len(ds) != 20 {
		t.Fatalf("%d deployments, want 20", len(ds))
	}
	for _, d := range ds {
		if d.Err != nil {
			t.Errorf("%s: %v", d.Name, d.Err)
		}
		for _, r := range d.Results {
			if r.Status == result.Error || r.Status == result.Fail || r.Status == result.Warn {
				t.Errorf("%s: %s %s %s = %s: %s", d.Name, r.ID, r.Target, r.Via, r.Status, r.Message)
			}
		}
	}
}

// burnCPU spins n goroutines until stop is called.
func burnCPU(n int) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			x := 0
			for {
				select {
				case <-done:
					return
				default:
				}
				for i := range 100000 {
					x += i
				}
			}
		})
	}
	return func() { close(done); wg.Wait() }
}

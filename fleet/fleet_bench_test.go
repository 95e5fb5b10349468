package fleet_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/fleet"
	"github.com/lyncprobe/lyncprobe/result"
)

// BenchmarkFleet checks N lab deployments (one lab each, all started
// before the timer) in one fleet run, 4 at once, and reports the wall
// time and allocation per deployment and the peak heap of the run:
//
//	go test -run '^$' -bench Fleet -benchtime 1x ./fleet/
func BenchmarkFleet(b *testing.B) {
	for _, n := range []int{10, 50, 100} {
		b.Run(fmt.Sprintf("deployments=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			for i := range n {
				startLab(b, dir, fmt.Sprintf("lab%03d", i))
			}
			paths, err := fleet.Expand([]string{dir})
			if err != nil {
				b.Fatal(err)
			}
			benchFleet(b, paths)
		})
	}
}

func benchFleet(b *testing.B, paths []string) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	stop, peak := watchHeap()
	start := time.Now()
	runs := 0
	var ds []fleet.Deployment
	for b.Loop() {
		ds = fleet.Run(context.Background(), paths, fleet.Options{Parallel: 4, Timeout: time.Minute})
		for _, d := range ds {
			s := result.Summarize(d.Results, 0)
			if d.Err != nil || s.Failed(result.Fail) {
				b.Fatalf("%s: a healthy lab failed: %v %v", d.Name, d.Err, s.Counts)
			}
		}
		runs++
	}
	took := time.Since(start)
	stop()
	runtime.GC()
	runtime.ReadMemStats(&after)
	retained := float64(after.HeapInuse) - float64(before.HeapInuse) // the last run's results, still referenced
	runtime.KeepAlive(ds)
	n := float64(len(paths) * runs)
	b.ReportMetric(took.Seconds()*1000/n, "ms/deployment")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/n/(1<<20), "MiB-alloc/deployment")
	b.ReportMetric(float64(before.HeapInuse)/float64(len(paths))/(1<<20), "MiB-lab-heap/deployment")
	b.ReportMetric(float64(peak()-before.HeapInuse)/(1<<20), "MiB-peak-heap-above-labs")
	b.ReportMetric(retained/float64(len(paths))/(1<<20), "MiB-retained/deployment")
}

// watchHeap samples HeapInuse until stopped and returns its peak.
func watchHeap() (stop func(), peak func() uint64) {
	var max atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > max.Load() {
				max.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }, max.Load
}

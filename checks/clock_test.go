package checks

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/probe"
)

func TestCheckClockEndsAsADeadline(t *testing.T) {
	ctx, cancel := withCheckClock(context.Background(), 30*time.Millisecond)
	defer cancel()
	child, stop := context.WithCancel(ctx)
	defer stop()
	select {
	case <-child.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the clock did not end")
	}
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) || !errors.Is(child.Err(), context.DeadlineExceeded) {
		t.Errorf("errors %v / %v, want deadline exceeded for the check and what derives from it", ctx.Err(), child.Err())
	}
}

func TestCheckClockPauses(t *testing.T) {
	ctx, cancel := withCheckClock(context.Background(), 60*time.Millisecond)
	defer cancel()
	ctx.pause()
	time.Sleep(150 * time.Millisecond) // longer than the whole clock
	if ctx.Err() != nil {
		t.Fatal("the clock ran while paused")
	}
	ctx.resume()
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the clock did not run again after resume")
	}
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Errorf("err = %v", ctx.Err())
	}
}

func TestCheckClockFollowsTheRun(t *testing.T) {
	run, stop := context.WithCancel(context.Background())
	ctx, cancel := withCheckClock(run, time.Hour)
	defer cancel()
	child, cancelChild := context.WithTimeout(ctx, time.Hour)
	defer cancelChild()
	stop()
	select {
	case <-child.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the run's end did not reach the check")
	}
	if !errors.Is(ctx.Err(), context.Canceled) || !errors.Is(child.Err(), context.Canceled) {
		t.Errorf("errors %v / %v, want canceled", ctx.Err(), child.Err())
	}
}

// TestQueueingIsNotTheCheckTime: one probe at a time, each taking 40 ms,
// and a check deadline shorter than the queue they form: the checks wait
// their turn and finish, none ends with "check timeout".
func TestQueueingIsNotTheCheckTime(t *testing.T) {
	rec := newRecorded()
	p := rec.probes()
	resolve := p.Resolve
	p.Resolve = func(ctx context.Context, server, name string, qtype uint16) (*probe.DNSAnswer, error) {
		select {
		case <-time.After(40 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return resolve(ctx, server, name, qtype)
	}
	rs := Run(context.Background(), testDeployment(), Options{Only: []string{"dns"}, Probes: p,
		Concurrency: 1, CheckTimeout: 300 * time.Millisecond})
	for _, r := range rs {
		if r.Status == Error {
			t.Errorf("%s %s: %s", r.ID, r.Target, r.Message)
		}
	}
	questions := 0
	for _, n := range rec.asked {
		questions += n
	}
	if questions*40 < 600 {
		t.Fatalf("only %d questions: the queue is not longer than the deadline, the test proves nothing", questions)
	}
}

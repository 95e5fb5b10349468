package probe

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

type countingPauser struct{ paused, resumed atomic.Int32 }

func (p *countingPauser) Pause()  { p.paused.Add(1) }
func (p *countingPauser) Resume() { p.resumed.Add(1) }

// TestBudgetWaitPausesTheCaller: with the budget full, a handshake waits
// with its caller's clock paused, and takes the place given back.
func TestBudgetWaitPausesTheCaller(t *testing.T) {
	holdFor(t, time.Hour)
	var held []func()
	for len(held) < cap(budget) {
		r, err := acquireHandshake(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, r)
	}
	defer func() {
		for _, r := range held {
			r()
		}
	}()
	p := &countingPauser{}
	got := make(chan func(), 1)
	go func() {
		r, err := acquireHandshake(WithPauser(context.Background(), p))
		if err != nil {
			t.Error(err)
		}
		got <- r
	}()
	for p.paused.Load() == 0 {
		select {
		case <-got:
			t.Fatal("a handshake took a place of a full budget")
		default:
			runtime.Gosched()
		}
	}
	held[0]()
	held[0]() // a second release gives back nothing more
	r := <-got
	if p.resumed.Load() != 1 {
		t.Errorf("resumed %d times, want 1", p.resumed.Load())
	}
	if len(budget) != cap(budget) {
		t.Errorf("budget holds %d of %d after one release and one take", len(budget), cap(budget))
	}
	r()
	held = held[1:]
}

// TestBudgetWaitEndsWithTheContext: a cancelled wait takes no place.
func TestBudgetWaitEndsWithTheContext(t *testing.T) {
	holdFor(t, time.Hour)
	var held []func()
	for len(held) < cap(budget) {
		r, _ := acquireHandshake(context.Background())
		held = append(held, r)
	}
	defer func() {
		for _, r := range held {
			r()
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := acquireHandshake(ctx); err == nil || KindOf(err) == "" {
		t.Errorf("acquire under a cancelled context with the budget full: %v, want a probe error", err)
	}
}

// holdFor sets budgetHold for one test.
func holdFor(t *testing.T, d time.Duration) {
	old := budgetHold
	budgetHold = d
	t.Cleanup(func() { budgetHold = old })
}

// TestStalledHandshakesGiveTheirPlaceBack: handshakes that never finish
// (a stalled server) hold the budget at most budgetHold each, so the
// next handshake still gets a place.
func TestStalledHandshakesGiveTheirPlaceBack(t *testing.T) {
	holdFor(t, 50*time.Millisecond)
	var held []func()
	for len(held) < cap(budget) {
		r, _ := acquireHandshake(context.Background())
		held = append(held, r) // never released: stalled
	}
	defer func() {
		for _, r := range held {
			r()
		}
	}()
	r, err := acquireHandshake(context.Background()) // waits, then gets a place
	if err != nil {
		t.Fatal(err)
	}
	r()
}

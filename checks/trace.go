package checks

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// missTrace collects the facts a check asked for that its source did not
// hold (a recorded run replayed by a newer lyncprobe): such a check cannot
// judge, whatever it made of the missing fact.
type missTrace struct {
	mu   sync.Mutex
	what []string
}

type missKey struct{}

func (t *missTrace) add(what string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !slices.Contains(t.what, what) {
		t.what = append(t.what, what)
	}
}

func (t *missTrace) merge(from *missTrace) {
	for _, w := range from.list() {
		t.add(w)
	}
}

func (t *missTrace) list() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.what)
}

// withTrace gives ctx a trace of its own.
func withTrace(ctx context.Context) (context.Context, *missTrace) {
	t := &missTrace{}
	return context.WithValue(ctx, missKey{}, t), t
}

// traceOf is ctx's trace, nil without one.
func traceOf(ctx context.Context) *missTrace {
	t, _ := ctx.Value(missKey{}).(*missTrace)
	return t
}

// notRecorded turns a check's results into errors when it asked for facts
// its source did not hold: a replayed verdict must rest on recorded facts.
func notRecorded(rs []Result, missing []string) []Result {
	if len(missing) == 0 {
		return rs
	}
	shown := missing
	if len(shown) > 3 {
		shown = append(shown[:3:3], fmt.Sprintf("%d more facts", len(missing)-3))
	}
	msg := "cannot judge from the recorded run: " + strings.Join(shown, "; ") + " not in the bundle"
	if len(rs) == 0 {
		return []Result{{Status: Error, Message: msg}}
	}
	for i := range rs {
		rs[i].Status, rs[i].Message, rs[i].Remedy = Error, msg, ""
		rs[i].Evidence = map[string]any{"not_in_bundle": missing}
	}
	return rs
}

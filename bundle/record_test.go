package bundle

import (
	"context"
	"errors"
	"testing"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/probe"
)

// cancelled answers every DNS question as a run that ended would.
type cancelled struct{ checks.Source }

func (cancelled) Resolve(context.Context, string, string, uint16) (*probe.DNSAnswer, error) {
	return nil, &probe.Error{Op: "dns", Kind: probe.KindCanceled, Err: context.Canceled}
}

// A fetch cancelled because the run ended is not a fact about the peer: it
// is not recorded, and a replay that needs it says so; a peer's own
// failure (here the offline refusal) is recorded with its kind and text.
func TestCancelledFactsAreNotRecorded(t *testing.T) {
	rec := NewRecorder(cancelled{checks.ZoneSource(nil)}, &config.Deployment{})
	ctx := context.Background()
	rec.Resolve(ctx, "192.0.2.53:53", "meet.contoso.com", 1)
	_, herr := rec.Handshake(ctx, "192.0.2.10:443", "meet.contoso.com", probe.TLSOptions{})
	if len(rec.facts.DNS) != 0 {
		t.Errorf("a cancelled answer was recorded: %+v", rec.facts.DNS)
	}
	b := &Bundle{Facts: rec.facts}
	src, err := b.Source()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Resolve(ctx, "192.0.2.53:53", "meet.contoso.com", 1); !errors.Is(err, checks.ErrNotInBundle) {
		t.Errorf("replayed cancelled answer: %v, want not in the bundle", err)
	}
	_, rerr := src.Handshake(ctx, "192.0.2.10:443", "meet.contoso.com", probe.TLSOptions{})
	if rerr == nil || rerr.Error() != herr.Error() || probe.KindOf(rerr) != probe.KindOf(herr) || probe.Explain(rerr) != probe.Explain(herr) {
		t.Errorf("replayed failure %v (%s), want %v (%s)", rerr, probe.KindOf(rerr), herr, probe.KindOf(herr))
	}
}

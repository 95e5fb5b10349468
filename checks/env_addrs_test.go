package checks

import (
	"context"
	"slices"
	"testing"
)

func TestPickStaysOnThePinnedFamily(t *testing.T) {
	addrs := []string{"192.0.2.10", "2001:db8::10"}
	ctx := context.Background()
	if got := pick(ctx, "meet.contoso.test", addrs); got != "192.0.2.10" {
		t.Errorf("unpinned: %s, want the first address", got)
	}
	pinned := withPin(ctx, "meet.contoso.test", "2001:db8::10")
	if got := pick(pinned, "MEET.contoso.test", addrs); got != "2001:db8::10" {
		t.Errorf("pinned host: %s, want the pinned address", got)
	}
	if got := pick(pinned, "webext.contoso.test", []string{"192.0.2.20", "2001:db8::20"}); got != "2001:db8::20" {
		t.Errorf("another host: %s, want its IPv6 address", got)
	}
	if got := firstPerFamily([]string{"192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2"}); !slices.Equal(got, []string{"192.0.2.1", "2001:db8::1"}) {
		t.Errorf("firstPerFamily = %v", got)
	}
}

func TestMergeByAddressNamesWhereAFindingHolds(t *testing.T) {
	e := &Env{}
	addrs := []string{"192.0.2.10", "192.0.2.11", "2001:db8::10"}
	same := e.mergeByAddress([]Result{{Status: Pass, Message: "ok"}, {Status: Pass, Message: "ok"}, {Status: Pass, Message: "ok"}}, addrs)
	if len(same) != 1 || same[0].Via != "addresses 192.0.2.10, 192.0.2.11, 2001:db8::10" {
		t.Fatalf("one verdict: %+v", same)
	}
	split := e.mergeByAddress([]Result{{Status: Pass, Message: "ok"}, {Status: Pass, Message: "ok"}, {Status: Fail, Message: "blank"}}, addrs)
	if len(split) != 2 || split[0].Via != "addresses 192.0.2.10, 192.0.2.11" || split[1].Via != "address 2001:db8::10" || split[1].Status != Fail {
		t.Fatalf("two verdicts: %+v", split)
	}
	node := e.mergeByAddress([]Result{{Status: Pass, Via: "node n1"}, {Status: Fail, Via: "node n1"}}, addrs[:2])
	if node[1].Via != "node n1 (address 192.0.2.11)" {
		t.Errorf("a via naming something else is kept: %q", node[1].Via)
	}
}

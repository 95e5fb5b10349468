package checks

import (
	"context"
	"net/netip"
	"strings"
)

// Every address, both families. A name often resolves to several
// addresses, IPv4 and IPv6, and a fault can live on one path only (a
// listener whose rule rewrites Host, a second address behind another
// proxy). The page, Host-forwarding, Autodiscover and join checks judge a
// name on each of its addresses, the affinity probe on one address per
// family; each fetch stays memoised, so an address is asked once per run,
// and the memo's slots bound how many go at once.

type pinKey struct{}

// pin is the address a judgement is made on: addr stands for host.
type pin struct{ host, addr string }

func withPin(ctx context.Context, host, addr string) context.Context {
	return context.WithValue(ctx, pinKey{}, pin{strings.ToLower(host), addr})
}

// pick is the address of host to connect to: the pinned one for the
// pinned host; for another host (a redirect's), its first address of the
// pinned address's family, so that an IPv6 judgement stays on IPv6; else
// the first address.
func pick(ctx context.Context, host string, addrs []string) string {
	p, ok := ctx.Value(pinKey{}).(pin)
	if !ok || len(addrs) == 0 {
		if len(addrs) == 0 {
			return ""
		}
		return addrs[0]
	}
	if strings.EqualFold(p.host, host) {
		return p.addr
	}
	for _, a := range addrs {
		if isIPv6(a) == isIPv6(p.addr) {
			return a
		}
	}
	return addrs[0]
}

func isIPv6(a string) bool {
	ip, err := netip.ParseAddr(a)
	return err == nil && ip.Unmap().Is6()
}

// firstPerFamily is the first IPv4 and the first IPv6 address of addrs.
func firstPerFamily(addrs []string) []string {
	var out []string
	var v4, v6 bool
	for _, a := range addrs {
		switch six := isIPv6(a); {
		case six && !v6:
			v6, out = true, append(out, a)
		case !six && !v4:
			v4, out = true, append(out, a)
		}
	}
	return out
}

// onEveryAddress judges host on each of its addresses (perFamily: the
// first of each family) with judge, which connects through pick. A name
// with one address is judged once, as it always was. When every address
// gets the same verdict, one result stands for them all; otherwise each
// verdict comes once, naming the addresses it holds on.
func (e *Env) onEveryAddress(ctx context.Context, host string, perFamily bool, judge func(context.Context) Result) []Result {
	addrs, _ := e.Addresses(ctx, host)
	if perFamily {
		addrs = firstPerFamily(addrs)
	}
	if len(addrs) < 2 {
		return []Result{judge(ctx)}
	}
	rs := inParallel(len(addrs), func(i int) Result { return judge(withPin(ctx, host, addrs[i])) })
	return e.mergeByAddress(rs, addrs)
}

// mergeByAddress folds equal verdicts (status and message) together.
func (e *Env) mergeByAddress(rs []Result, addrs []string) []Result {
	var keys []string
	groups := map[string][]int{}
	for i, r := range rs {
		k := r.Status.String() + "\x00" + r.Message
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], i)
	}
	out := make([]Result, 0, len(keys))
	for _, k := range keys {
		idx := groups[k]
		r := rs[idx[0]]
		var on []string
		for _, i := range idx {
			on = append(on, addrs[i])
		}
		r.Via = e.addressesLabel(on, r.Via)
		if r.Evidence == nil {
			r.Evidence = map[string]any{}
		}
		r.Evidence["addresses"] = on
		out = append(out, r)
	}
	return out
}

// addressesLabel names the addresses a verdict holds on, keeping a via
// that says something else ("node …").
func (e *Env) addressesLabel(on []string, via string) string {
	label := e.via(on[0])
	if len(on) > 1 {
		label = "addresses " + strings.Join(on, ", ")
	}
	if via == "" || strings.HasPrefix(via, "address ") {
		return label
	}
	return via + " (" + label + ")"
}

package checks

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// edgeNames are the Access Edge's public names: edge.access and sip.<d>
// for each SIP domain (the SRV targets, learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements). None without an Edge.
func (e *Env) dnsEdgeNames() []string {
	if e.Dep.Edge == nil {
		return nil
	}
	out := []string{e.Dep.Edge.Access}
	for _, d := range e.Dep.SIPDomains {
		if n := "sip." + d; !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return slices.DeleteFunc(out, func(n string) bool { return slices.Contains(dnsPublishedNames(e), n) })
}

// dnsExpectation is the set of addresses a name must resolve to, and whose.
type dnsExpectation struct {
	addrs []string
	key   string // the config key that sets them
	owner string // "the reverse proxy", "the Access Edge in view emea"
	anyOf bool   // a subset is whole: one region's answer (dnsExpectFor)
}

// dnsExpectedAddress: every name the proxy publishes resolves only to the
// proxy's addresses, Edge names only to the Edge's; in each regional view
// (dns.views), to that view's own addresses (dnsExpectFor).
func dnsExpectedAddress(ctx context.Context, e *Env) []Result {
	proxy := dnsPublishedNames(e)
	names := append(slices.Clone(proxy), e.dnsEdgeNames()...)
	lookups := inParallel(len(names), func(i int) []Lookup { return e.LookupHost(ctx, names[i]) })
	var out []Result
	for i, name := range names {
		edge := i >= len(proxy)
		for _, l := range lookups[i] {
			if x, ok := e.dnsExpectFor(l.Resolver, edge); ok {
				out = append(out, e.judgeExpected(ctx, name, l, x, edge))
			}
		}
	}
	return out
}

func (e *Env) judgeExpected(ctx context.Context, name string, l Lookup, x dnsExpectation, edge bool) Result {
	r := Result{Target: name, Via: l.Resolver.Label,
		Evidence: map[string]any{"addresses": l.Addresses, "expected": x.addrs, "cname_chain": dnsChainOf(l)}}
	if u, done := e.dnsUnresolved(ctx, r, name, l); done {
		return u
	}
	extra, missing := dnsAddrDiff(l.Addresses, x.addrs)
	if x.anyOf {
		missing = nil
	}
	switch {
	case len(extra) > 0:
		r.Status = Fail
		r.Message = fmt.Sprintf("resolves to %s, which is not an address of %s (%s: %s)",
			strings.Join(extra, ", "), x.owner, x.key, strings.Join(x.addrs, ", "))
		if v := e.viewHolding(l.Resolver, extra, edge); v != "" && l.Resolver.View != nil {
			r.Message += fmt.Sprintf("; it is view %s's address: this region's record points at another region", v)
			r.Evidence["other_view"] = v
		}
		r.Remedy = fmt.Sprintf("Point %s at %s's public address (%s) in public DNS; if %s is one of its addresses, add it to %s.",
			name, x.owner, strings.Join(x.addrs, ", "), strings.Join(extra, ", "), x.key)
	case len(missing) > 0:
		r.Status = Warn
		r.Message = fmt.Sprintf("resolves to %s but not to %s, also listed in %s",
			strings.Join(l.Addresses, ", "), strings.Join(missing, ", "), x.key)
		r.Remedy = fmt.Sprintf("Add the missing A/AAAA record for %s, or remove the address from %s if %s no longer uses it.", name, x.key, x.owner)
	default:
		r.Status = Pass
		r.Message = fmt.Sprintf("resolves only to %s's addresses (%s)", x.owner, strings.Join(l.Addresses, ", "))
	}
	return r
}

// unresolved completes r when l has no address set to judge: no answer,
// offline, no address at all (a skip naming the prerequisite), or a
// partial answer (A or AAAA missing).
func (e *Env) dnsUnresolved(ctx context.Context, r Result, name string, l Lookup) (Result, bool) {
	if u, done := e.dnsUnjudged(ctx, r, name, l.A, l.Err, len(l.Addresses) > 0); done {
		return u, true
	}
	if len(l.Addresses) == 0 {
		s := skipFor("dns.resolves", name, name)
		if !slices.Contains(dnsPublishedNames(e), name) {
			s.Message = fmt.Sprintf("%s has no address on this resolver (%s): nothing to compare", name, dnsAbsentWord(l.A))
		}
		s.Via, s.Evidence = r.Via, r.Evidence
		return s, true
	}
	if l.Err != nil {
		r.Status = Error
		r.Message = e.Unfinished(ctx)
		if r.Message == "" {
			r.Message = "only part of the answer came back (" + l.Err.Error() + "): the address set may be incomplete"
		}
		return r, true
	}
	return r, false
}

// dnsAddrDiff compares address sets as addresses, not strings.
func dnsAddrDiff(got, want []string) (extra, missing []string) {
	in := func(a string, set []string) bool {
		return slices.ContainsFunc(set, func(b string) bool { return dnsSameAddr(a, b) })
	}
	for _, a := range got {
		if !in(a, want) {
			extra = append(extra, a)
		}
	}
	for _, w := range want {
		if !in(w, got) {
			missing = append(missing, w)
		}
	}
	return extra, missing
}

func dnsSameAddr(a, b string) bool {
	x, errA := netip.ParseAddr(a)
	y, errB := netip.ParseAddr(b)
	if errA != nil || errB != nil {
		return a == b
	}
	return x.Unmap() == y.Unmap()
}

func dnsChainOf(l Lookup) []string {
	if l.A == nil {
		return nil
	}
	return l.A.CNAMEs
}

// dnsPrivateAddress: a public answer that is private, loopback or
// link-local, and is not an expected address, is an internal address
// published in public DNS.
func dnsPrivateAddress(ctx context.Context, e *Env) []Result {
	expected := append(e.Dep.ProxyAddresses(), e.Dep.EdgeAddresses()...)
	names := append(dnsPublishedNames(e), e.dnsEdgeNames()...)
	return e.dnsPerLookup(ctx, names, func(name string, l Lookup) Result {
		return e.judgePrivate(ctx, name, l, expected)
	})
}

func (e *Env) judgePrivate(ctx context.Context, name string, l Lookup, expected []string) Result {
	r := Result{Target: name, Via: l.Resolver.Label, Evidence: map[string]any{"addresses": l.Addresses}}
	if u, done := e.dnsUnresolved(ctx, r, name, l); done {
		return u
	}
	var found, listed []string
	for _, a := range l.Addresses {
		kind := dnsInternalKind(a)
		switch {
		case kind == "":
		case slices.ContainsFunc(expected, func(x string) bool { return dnsSameAddr(a, x) }):
			listed = append(listed, a+" ("+kind+")")
		default:
			found = append(found, a+" ("+kind+")")
		}
	}
	switch {
	case len(found) == 0 && len(listed) > 0:
		r.Status = Pass
		r.Message = "resolves to " + strings.Join(listed, ", ") + ", listed as the proxy's or Edge's own: no other internal address"
		return r
	case len(found) == 0:
		r.Status, r.Message = Pass, "publishes no internal address ("+strings.Join(l.Addresses, ", ")+")"
		return r
	}
	r.Status = Warn
	r.Evidence["internal"] = found
	r.Message = fmt.Sprintf("resolves to %s: an internal address published in public DNS", strings.Join(found, ", "))
	r.Remedy = fmt.Sprintf("Publish the public address of the reverse proxy (or Edge) for %s in the public zone and keep internal addresses in the internal zone; if the address really is the proxy's, list it in reverse_proxy.addresses (or edge.addresses).", name)
	return r
}

// dnsInternalKind says why an address cannot be reached from the Internet,
// "" for a public one.
func dnsInternalKind(s string) string {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return ""
	}
	a = a.Unmap()
	switch {
	case a.IsLoopback():
		return "loopback"
	case a.IsPrivate():
		return "private"
	case a.IsLinkLocalUnicast():
		return "link-local"
	case a.IsUnspecified():
		return "unspecified"
	}
	return ""
}

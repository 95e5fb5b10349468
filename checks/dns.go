package checks

import (
	"context"
	"fmt"
	"strings"

	"github.com/lyncprobe/lyncprobe/probe"
)

// dnsResolves: every published name resolves on every public resolver.
func dnsResolves(ctx context.Context, e *Env) []Result {
	var out []Result
	for _, p := range e.Dep.PublishedHosts() {
		for _, l := range e.LookupHost(ctx, p.Host) {
			out = append(out, e.judgeLookup(ctx, p.Host, l))
		}
	}
	return out
}

func (e *Env) judgeLookup(ctx context.Context, host string, l Lookup) Result {
	r := Result{Target: host, Via: l.Resolver.Label, Evidence: lookupEvidence(l)}
	if len(l.Addresses) > 0 {
		r.Status, r.Message = Pass, "resolves to "+strings.Join(l.Addresses, ", ")+chainNote(l.A)
		return r
	}
	if msg := e.Unfinished(ctx); msg != "" {
		r.Status, r.Message = Error, msg
		return r
	}
	if l.A == nil && l.AAAA == nil {
		r.Status = Error
		r.Message = fmt.Sprintf("%s could not be asked about %s: %s", l.Resolver.Label, host, probe.KindOf(l.Err))
		r.Remedy = "Check that the resolver address is right and reachable from here, or pass another with --resolver."
		return r
	}
	r.Status = Fail
	r.Message, r.Remedy = e.dnsFinding(host, l)
	return r
}

// dnsFinding words a negative answer; each rcode is a different fault.
func (e *Env) dnsFinding(host string, l Lookup) (msg, remedy string) {
	ans := l.A
	if ans == nil {
		ans = l.AAAA
	}
	publish := fmt.Sprintf("Publish an A record (or a CNAME within the same domain) for %s in public DNS pointing at the reverse proxy%s.", host, e.proxyAddressNote())
	switch {
	case ans.Rcode == "NXDOMAIN":
		return fmt.Sprintf("%s does not exist in public DNS (NXDOMAIN)%s", host, chainNote(ans)), publish
	case ans.NoData():
		return fmt.Sprintf("%s exists but has no A or AAAA record (NODATA)%s", host, chainNote(ans)), publish
	case ans.Rcode == "SERVFAIL":
		return fmt.Sprintf("the resolver failed to resolve %s (SERVFAIL)", host),
			"Check the zone's authoritative name servers (delegation, DNSSEC signatures) and that they answer from the Internet."
	case ans.Rcode == "REFUSED":
		return fmt.Sprintf("the resolver refused to answer for %s (REFUSED)", host),
			"Query a resolver that serves this client (--resolver), or allow it to recurse for you."
	}
	return fmt.Sprintf("%s did not resolve (%s)", host, ans.Rcode), publish
}

func (e *Env) proxyAddressNote() string {
	if len(e.Dep.ReverseProxy.Addresses) == 0 {
		return ""
	}
	return " (" + strings.Join(e.Dep.ReverseProxy.Addresses, ", ") + ")"
}

func chainNote(a *probe.DNSAnswer) string {
	if a == nil || len(a.CNAMEs) == 0 {
		return ""
	}
	return " (CNAME " + strings.Join(a.CNAMEs, " → ") + ")"
}

func lookupEvidence(l Lookup) map[string]any {
	ev := map[string]any{"resolver": l.Resolver.Addr}
	for name, a := range map[string]*probe.DNSAnswer{"a": l.A, "aaaa": l.AAAA} {
		if a != nil {
			ev[name] = map[string]any{"rcode": a.Rcode, "cname_chain": a.CNAMEs, "addresses": a.Addresses, "records": a.Records}
		}
	}
	if len(l.Addresses) > 0 {
		ev["addresses"] = l.Addresses
	}
	if l.Err != nil {
		ev["error"] = l.Err.Error()
	}
	return ev
}

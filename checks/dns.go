package checks

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lyncprobe/lyncprobe/probe"
)

// dnsResolves: every published name resolves on every public resolver.
func dnsResolves(ctx context.Context, e *Env) []Result {
	return e.dnsPerLookup(ctx, dnsPublishedNames(e), func(host string, l Lookup) Result {
		return e.judgeLookup(ctx, host, l)
	})
}

func (e *Env) judgeLookup(ctx context.Context, host string, l Lookup) Result {
	r := Result{Target: host, Via: l.Resolver.Label, Evidence: lookupEvidence(l)}
	if u, done := e.dnsUnjudged(ctx, r, host, l.A, l.Err, len(l.Addresses) > 0); done {
		return u
	}
	if len(l.Addresses) > 0 {
		r.Status, r.Message = Pass, "resolves to "+strings.Join(l.Addresses, ", ")+chainNote(l.A)
		return r
	}
	r.Status = Fail
	r.Message, r.Remedy = e.dnsFinding(host, l)
	return r
}

// dnsFinding words a negative answer; each rcode is a different fault.
func (e *Env) dnsFinding(host string, l Lookup) (msg, remedy string) {
	ans := l.A
	publish := fmt.Sprintf("Publish an A record (or a CNAME within the same domain) for %s in public DNS pointing at the reverse proxy%s.", host, e.proxyAddressNote())
	subject := host
	if n := len(ans.CNAMEs); n > 0 {
		subject = fmt.Sprintf("%s is a CNAME to %s, which", host, ans.CNAMEs[n-1])
	}
	switch {
	case ans.Rcode == "NXDOMAIN" && len(ans.CNAMEs) > 0:
		return subject + " does not exist (NXDOMAIN)", publish
	case ans.Rcode == "NXDOMAIN":
		return host + " does not exist in public DNS (NXDOMAIN)", publish
	case ans.NoData() && (l.AAAA == nil || l.AAAA.NoData()):
		return subject + " exists but has no A or AAAA record (NODATA)", publish
	case ans.NoData():
		return subject + " exists but has no A record (NODATA)", publish
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
	if len(e.Dep.ProxyAddresses()) == 0 {
		return ""
	}
	return " (" + strings.Join(e.Dep.ProxyAddresses(), ", ") + ")"
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
	if l.A != nil && len(l.A.CNAMEs) > 0 {
		ev["cname_chain"] = l.A.CNAMEs
	}
	if len(l.Addresses) > 0 {
		ev["addresses"] = l.Addresses
	}
	if l.Err != nil {
		ev["error"] = l.Err.Error()
	}
	return ev
}

// dnsState is what one resolver said about a name, in a word the DNS
// checks switch on.
type dnsState int

const (
	dnsPresent  dnsState = iota // it has the records asked for
	dnsAbsent                   // NXDOMAIN or NODATA
	dnsBroken                   // SERVFAIL, REFUSED or another rcode
	dnsOffline                  // the zone file does not hold the name
	dnsNoAnswer                 // the resolver could not be asked
)

// dnsStateOf reads an answer; has says whether it holds what was asked
// (addresses, SRV records).
func dnsStateOf(a *probe.DNSAnswer, has bool) dnsState {
	switch {
	case has:
		return dnsPresent
	case a == nil:
		return dnsNoAnswer
	case a.OutOfZone != "":
		return dnsOffline
	case a.Rcode == "NXDOMAIN" || a.NoData():
		return dnsAbsent
	}
	return dnsBroken
}

// dnsAbsentWord names a negative answer: NXDOMAIN, NODATA or the rcode.
func dnsAbsentWord(a *probe.DNSAnswer) string {
	if a.NoData() {
		return "NODATA"
	}
	return a.Rcode
}

// dnsUnjudged is r completed for an answer no check can judge: the check's
// time ran out or the resolver did not answer (error), or the name is not
// in the zone file of an offline run (skip). done is false otherwise.
func (e *Env) dnsUnjudged(ctx context.Context, r Result, name string, a *probe.DNSAnswer, err error, has bool) (Result, bool) {
	switch dnsStateOf(a, has) {
	case dnsNoAnswer:
		r.Status = Error
		if msg := e.Unfinished(ctx); msg != "" {
			r.Message = msg
			return r, true
		}
		r.Message = dnsNoAnswerMessage(r.Via, name, err)
		r.Remedy = "Check that the resolver address is right and reachable from here over UDP and TCP port 53, or pass another with --resolver."
		return r, true
	case dnsOffline:
		r.Status = Skip
		r.Message = name + " is not in the zone file, so it is not checked offline"
		if n := len(a.CNAMEs); n > 0 {
			r.Message = fmt.Sprintf("%s is a CNAME to %s, which is not in the zone file, so it is not followed offline", name, a.CNAMEs[n-1])
		}
		return r, true
	}
	return r, false
}

func dnsNoAnswerMessage(via, name string, err error) string {
	if errors.Is(err, probe.ErrTCPFallback) {
		return fmt.Sprintf("%s truncated its UDP answer about %s and did not answer over TCP (%s)", via, name, probe.KindOf(err))
	}
	if probe.KindOf(err) == probe.KindTimeout {
		return fmt.Sprintf("%s did not answer about %s in time (timeout)", via, name)
	}
	var pe *probe.Error
	if errors.As(err, &pe) && pe.Err != nil && (pe.Kind == probe.KindGarbage || pe.Kind == probe.KindTooLarge) {
		return fmt.Sprintf("%s: %s about %s (%v)", via, pe.Kind, name, pe.Err)
	}
	return fmt.Sprintf("%s could not be asked about %s: %s", via, name, probe.KindOf(err))
}

// dnsPublishedNames are the host names the reverse proxy publishes.
func dnsPublishedNames(e *Env) []string {
	var out []string
	for _, p := range e.Dep.PublishedHosts() {
		out = append(out, p.Host)
	}
	return out
}

// dnsPerLookup asks every public resolver about every name at once, then
// judges each (name, resolver) pair in config order.
func (e *Env) dnsPerLookup(ctx context.Context, names []string, judge func(name string, l Lookup) Result) []Result {
	lookups := inParallel(len(names), func(i int) []Lookup { return e.LookupHost(ctx, names[i]) })
	var out []Result
	for i, name := range names {
		for _, l := range lookups[i] {
			out = append(out, judge(name, l))
		}
	}
	return out
}

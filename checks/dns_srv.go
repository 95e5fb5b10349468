package checks

import (
	"context"
	"fmt"
	"strings"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/probe"
	"github.com/miekg/dns"
)

// srvRecord is one Edge SRV record a SIP domain needs (learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements).
type srvRecord struct {
	name    string // _sip._tls.contoso.com
	domain  string // contoso.com
	port    int
	portKey string // the config key that sets port
	use     string // who needs it, for messages
}

func (e *Env) srvRecords() []srvRecord {
	sipTLS, fed := config.DefaultSIPTLSPort, config.DefaultFederationPort
	if ed := e.Dep.Edge; ed != nil {
		sipTLS, fed = ed.Ports.SIPTLS, ed.Ports.Federation
	}
	var out []srvRecord
	for _, d := range e.Dep.SIPDomains {
		out = append(out,
			srvRecord{"_sip._tls." + d, d, sipTLS, "edge.ports.sip_tls", "external clients find the Access Edge"},
			srvRecord{"_sipfederationtls._tcp." + d, d, fed, "edge.ports.federation", "federated partners (and mobile push) find the Access Edge"})
	}
	return out
}

// dnsSRV: each SIP domain's Edge SRV records point at a name in the same
// domain, on the configured port, that resolves to the Access Edge.
func dnsSRV(ctx context.Context, e *Env) []Result {
	recs := e.srvRecords()
	per := inParallel(len(recs), func(i int) []Result {
		out := make([]Result, 0, len(e.Public))
		for _, res := range e.Public {
			out = append(out, e.judgeSRV(ctx, recs[i], res))
		}
		return out
	})
	var out []Result
	for _, rs := range per {
		out = append(out, rs...)
	}
	return out
}

// srvSeverity: a missing or wrong SRV record fails when the config has an
// Edge, and only warns when it has none (there may be no Edge at all).
func (e *Env) srvSeverity() Status {
	if e.Dep.Edge != nil {
		return Fail
	}
	return Warn
}

func (e *Env) judgeSRV(ctx context.Context, rec srvRecord, res Resolver) Result {
	r := Result{Target: rec.name, Via: res.Label}
	a, err := e.Resolve(ctx, res.Addr, rec.name, dns.TypeSRV)
	r.Evidence = map[string]any{"resolver": res.Addr, "want_port": rec.port}
	if a != nil {
		r.Evidence["rcode"], r.Evidence["srv"] = a.Rcode, a.SRV
	}
	if u, done := e.dnsUnjudged(ctx, r, rec.name, a, err, a != nil && len(a.SRV) > 0); done {
		return u
	}
	want := fmt.Sprintf("%s 0 0 %d sip.%s.", rec.name, rec.port, rec.domain)
	if len(a.SRV) == 0 {
		r.Status = e.srvSeverity()
		r.Message = fmt.Sprintf("%s has no SRV record (%s): %s through it", rec.name, dnsAbsentWord(a), rec.use)
		if e.Dep.Edge == nil {
			r.Message += " (no edge in the config, so a warning)"
		}
		r.Remedy = fmt.Sprintf("Publish the SRV record %s in public DNS, with sip.%s an A record for the Access Edge's public address.", want, rec.domain)
		return r
	}
	problems, offline, u, done := e.srvProblems(ctx, rec, res, a.SRV, r)
	switch {
	case done:
		return u
	case len(problems) > 0:
		r.Status = e.srvSeverity()
		r.Message = rec.name + " " + strings.Join(problems, "; ")
		r.Remedy = fmt.Sprintf("Make it %s (an SRV record must point to a name in its own domain, Microsoft: Skype for Business Server advanced Edge DNS planning), with sip.%s resolving to the Access Edge.", want, rec.domain)
	case len(offline) > 0:
		r.Status = Skip
		r.Message = fmt.Sprintf("%s points at %s, which is not in the zone file, so it is not checked offline", rec.name, strings.Join(offline, ", "))
	default:
		r.Status = Pass
		r.Message = e.srvSummary(a.SRV)
	}
	return r
}

// srvProblems checks each record's port, domain and target. offline lists
// targets the zone file cannot resolve; done means u is the result (the
// target's resolver did not answer).
func (e *Env) srvProblems(ctx context.Context, rec srvRecord, res Resolver, srvs []probe.SRV, r Result) (problems, offline []string, u Result, done bool) {
	for _, s := range srvs {
		if s.Target == "." {
			problems = append(problems, "says the service is not offered (target \".\")")
			continue
		}
		if int(s.Port) != rec.port {
			problems = append(problems, fmt.Sprintf("announces port %d for %s, but %s is %d", s.Port, s.Target, rec.portKey, rec.port))
		}
		if !dnsInDomain(s.Target, rec.domain) {
			problems = append(problems, fmt.Sprintf("points at %s, outside %s", s.Target, rec.domain))
		}
		l := e.lookupOne(ctx, res, s.Target)
		switch dnsStateOf(l.A, len(l.Addresses) > 0) {
		case dnsNoAnswer:
			u, _ = e.dnsUnjudged(ctx, r, s.Target, l.A, l.Err, false)
			return nil, nil, u, true
		case dnsOffline:
			offline = append(offline, s.Target)
		case dnsAbsent, dnsBroken:
			problems = append(problems, fmt.Sprintf("points at %s, which does not resolve (%s)", s.Target, dnsAbsentWord(l.A)))
		default:
			if p := e.notAccessEdge(ctx, res, s.Target, l.Addresses); p != "" {
				problems = append(problems, p)
			}
		}
	}
	return problems, offline, Result{}, false
}

// notAccessEdge says how a target's addresses miss the Access Edge: its
// edge.addresses when set, else what edge.access resolves to; "" when they
// match or there is nothing to compare with.
func (e *Env) notAccessEdge(ctx context.Context, res Resolver, target string, addrs []string) string {
	ed := e.Dep.Edge
	if ed == nil {
		return ""
	}
	want, source := ed.Addresses, "edge.addresses"
	if x, ok := e.dnsExpectFor(res, true); ok { // the resolver's view's own
		want, source = x.addrs, x.key
	}
	if len(want) == 0 {
		if target == ed.Access {
			return ""
		}
		want, source = e.lookupOne(ctx, res, ed.Access).Addresses, ed.Access
	}
	if extra, _ := dnsAddrDiff(addrs, want); len(want) > 0 && len(extra) > 0 {
		return fmt.Sprintf("points at %s, which resolves to %s, not the Access Edge (%s: %s)",
			target, strings.Join(addrs, ", "), source, strings.Join(want, ", "))
	}
	return ""
}

func (e *Env) srvSummary(srvs []probe.SRV) string {
	var parts []string
	for _, s := range srvs {
		parts = append(parts, fmt.Sprintf("%s:%d", s.Target, s.Port))
	}
	msg := "points at " + strings.Join(parts, ", ") + ", in its own domain, "
	if e.Dep.Edge == nil {
		return msg + "which resolves (no edge in the config to compare with)"
	}
	return msg + "which resolves to the Access Edge"
}

// dnsInDomain reports whether name is domain or below it.
func dnsInDomain(name, domain string) bool {
	name, domain = strings.TrimSuffix(strings.ToLower(name), "."), strings.TrimSuffix(strings.ToLower(domain), ".")
	return name == domain || strings.HasSuffix(name, "."+domain)
}

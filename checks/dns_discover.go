package checks

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/lyncprobe/lyncprobe/config"
)

// dnsLyncdiscoverCNAME: a lyncdiscover CNAME into another domain is not
// supported over HTTPS by mobile clients (learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements).
func dnsLyncdiscoverCNAME(ctx context.Context, e *Env) []Result {
	return e.dnsPerLookup(ctx, e.Dep.LyncdiscoverNames(), func(name string, l Lookup) Result {
		return e.judgeDiscoverCNAME(ctx, name, l)
	})
}

func (e *Env) judgeDiscoverCNAME(ctx context.Context, name string, l Lookup) Result {
	dom := e.discoverDomain(name)
	r := Result{Target: name, Via: l.Resolver.Label, Evidence: map[string]any{"domain": dom, "cname_chain": dnsChainOf(l)}}
	chain := dnsChainOf(l)
	if len(chain) == 0 {
		if u, done := e.dnsUnresolved(ctx, r, name, l); done {
			return u
		}
		r.Status, r.Message = Pass, "has no CNAME (an A/AAAA record), so nothing to reject"
		return r
	}
	i := slices.IndexFunc(chain, func(n string) bool { return !dnsInDomain(n, dom) })
	if i < 0 {
		r.Status, r.Message = Pass, "CNAME within "+dom+" ("+strings.Join(chain, " → ")+"), which mobile clients accept"
		return r
	}
	out := chain[i]
	httpPort := e.Dep.ReverseProxy.HTTPPublishedPort()
	r.Evidence["http_port"] = httpPort
	remedy := fmt.Sprintf("Make %s an A record, or a CNAME within %s, pointing at the reverse proxy", name, dom)
	switch {
	case dnsMicrosoftOnline(out):
		r.Status = Info
		r.Message = fmt.Sprintf("CNAME to %s, Microsoft's online service: a hybrid deployment, where Microsoft answers Autodiscover", out)
	case e.Dep.OverHTTPOnly(name):
		// The documented case for HTTP: the CNAME is resolved over HTTP,
		// the later requests go to HTTPS names the certificate covers.
		r.Status = Pass
		r.Message = fmt.Sprintf("is a CNAME to %s, outside %s: acceptable because lyncdiscover is published over HTTP only (port %d), where mobile clients follow it (http.lyncdiscover checks that HTTP answers)", out, dom, httpPort)
	case httpPort != 0:
		r.Status = Warn
		r.Message = fmt.Sprintf("is a CNAME to %s, outside %s: mobile clients reject it over HTTPS; they can still discover over HTTP (port %d)", out, dom, httpPort)
		r.Remedy = remedy + "; until then keep HTTP published, since it is the only way mobile clients discover (Microsoft: Lync Server 2013 technical requirements for mobility)."
	default:
		r.Status = Fail
		r.Message = fmt.Sprintf("is a CNAME to %s, outside %s: mobile clients reject it over HTTPS, and HTTP is not published (reverse_proxy.http_port: 0)", out, dom)
		r.Remedy = remedy + ", or publish HTTP (port 80 to the front ends' 8080) so that the first Autodiscover request can use HTTP (Microsoft: Lync Server 2013 technical requirements for mobility)."
	}
	return r
}

// discoverDomain is the domain a lyncdiscover name belongs to:
// lyncdiscover.<d> → <d>; an override name → its SIP domain, or its parent.
func (e *Env) discoverDomain(name string) string {
	if d, ok := strings.CutPrefix(name, "lyncdiscover."); ok {
		return d
	}
	best := ""
	for _, d := range e.Dep.SIPDomains {
		if dnsInDomain(name, d) && len(d) > len(best) {
			best = d
		}
	}
	if best != "" {
		return best
	}
	_, parent, _ := strings.Cut(name, ".")
	return parent
}

// dnsMicrosoftOnline reports a name of Microsoft's online service (Skype
// for Business Online / hybrid): lync.com, online.lync.com,
// *.infra.lync.com, *.online.lync.com — all under lync.com.
func dnsMicrosoftOnline(name string) bool {
	return dnsInDomain(name, "lync.com")
}

// dnsInternalDiscover: lyncdiscoverinternal must not resolve in public DNS
// and should resolve on the inside (learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements: split-brain DNS is not
// supported for mobility).
func dnsInternalDiscover(ctx context.Context, e *Env) []Result {
	names := make([]string, len(e.Dep.SIPDomains))
	for i, d := range e.Dep.SIPDomains {
		names[i] = "lyncdiscoverinternal." + d
	}
	public := inParallel(len(names), func(i int) []Result {
		return e.dnsPerLookup(ctx, names[i:i+1], func(name string, l Lookup) Result {
			return e.judgeInternalOutside(ctx, name, l)
		})
	})
	inside := inParallel(len(names), func(i int) []Result { return e.dnsInternalView(ctx, names[i]) })
	var out []Result
	for i := range names {
		out = append(append(out, public[i]...), inside[i]...)
	}
	return out
}

func (e *Env) judgeInternalOutside(ctx context.Context, name string, l Lookup) Result {
	return e.judgeNotPublic(ctx, name, l, notPublic{
		present: "resolves in public DNS (%s): the internal Autodiscover name must not resolve outside",
		remedy:  fmt.Sprintf("Remove %s from the public zone and keep it in the internal zone only; outside, clients try it first and must fall back to lyncdiscover (Microsoft: Skype for Business Server advanced Edge DNS planning).", name),
	})
}

// notPublic words the verdict on a name that must not resolve in public
// DNS; present takes the addresses found.
type notPublic struct{ present, remedy, absentNote string }

func (e *Env) judgeNotPublic(ctx context.Context, name string, l Lookup, w notPublic) Result {
	r := Result{Target: name, Via: l.Resolver.Label, Evidence: lookupEvidence(l)}
	if u, done := e.dnsUnjudged(ctx, r, name, l.A, l.Err, len(l.Addresses) > 0); done {
		return u
	}
	switch dnsStateOf(l.A, len(l.Addresses) > 0) {
	case dnsPresent:
		r.Status, r.Message, r.Remedy = Warn, fmt.Sprintf(w.present, strings.Join(l.Addresses, ", ")), w.remedy
	case dnsAbsent:
		r.Status, r.Message = Pass, fmt.Sprintf("does not resolve in public DNS (%s), as it should%s", dnsAbsentWord(l.A), w.absentNote)
	default:
		r.Status, r.Message = Skip, fmt.Sprintf("the resolver answered %s: cannot tell whether it is published", l.A.Rcode)
	}
	return r
}

// internalView asks each dns.internal_resolvers server about name; an
// offline run asks nobody and says so.
func (e *Env) dnsInternalView(ctx context.Context, name string) []Result {
	addrs := e.Dep.DNS.InternalResolvers
	if len(addrs) > 0 && e.zoneRun() {
		return []Result{{Target: name, Via: "inside view", Status: Skip,
			Message: "offline run: the inside view (dns.internal_resolvers) is not asked"}}
	}
	var out []Result
	for _, a := range addrs {
		res := Resolver{Addr: a, Label: "internal resolver " + a}
		out = append(out, e.judgeInternalInside(ctx, name, e.lookupOne(ctx, res, name)))
	}
	return out
}

func (e *Env) judgeInternalInside(ctx context.Context, name string, l Lookup) Result {
	r := Result{Target: name, Via: l.Resolver.Label, Evidence: lookupEvidence(l)}
	if u, done := e.dnsUnjudged(ctx, r, name, l.A, l.Err, len(l.Addresses) > 0); done {
		u.Remedy = "Run lyncprobe from inside the network to check the inside view, or remove dns.internal_resolvers."
		return u
	}
	switch dnsStateOf(l.A, len(l.Addresses) > 0) {
	case dnsPresent:
		r.Status, r.Message = Pass, "resolves on the inside to "+strings.Join(l.Addresses, ", ")
	case dnsAbsent:
		r.Status = Info
		r.Message = fmt.Sprintf("does not resolve on the inside (%s): internal clients fall back to lyncdiscover", dnsAbsentWord(l.A))
	default:
		r.Status, r.Message = Skip, fmt.Sprintf("the resolver answered %s: cannot tell", l.A.Rcode)
	}
	return r
}

// dnsAdminNotPublic: the admin simple URL (Control Panel) is internal
// only; its host resolving publicly is a warning (learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements).
func dnsAdminNotPublic(ctx context.Context, e *Env) []Result {
	host := config.HostOf(e.Dep.SimpleURLs.Admin)
	if host == "" {
		return nil
	}
	if slices.Contains(dnsPublishedNames(e), host) {
		return []Result{{Target: host, Status: Info,
			Message: "the admin URL shares its host with published URLs, so DNS cannot keep it internal: the proxy must not publish its path"}}
	}
	return e.dnsPerLookup(ctx, []string{host}, func(name string, l Lookup) Result {
		return e.judgeAdmin(ctx, name, l)
	})
}

func (e *Env) judgeAdmin(ctx context.Context, name string, l Lookup) Result {
	return e.judgeNotPublic(ctx, name, l, notPublic{
		present:    "the admin URL's host resolves in public DNS (%s), but the Control Panel is internal only",
		remedy:     fmt.Sprintf("Remove %s from the public zone (keep it in internal DNS) and make sure the reverse proxy does not publish it.", name),
		absentNote: ": Admin is internal only",
	})
}

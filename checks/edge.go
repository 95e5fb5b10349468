package checks

import (
	"context"
	"fmt"
	"strings"

	"github.com/lyncprobe/lyncprobe/probe"
)

// The edge module: what remote Lync Web App and Lync/SfB users need of the
// Edge beyond the reverse proxy (learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements). Without an edge key in
// the config the module says nothing, as http.office-web-apps does
// without office_web_apps; a role whose FQDN is not configured is a skip
// naming the key.

// accessNames are the names the Access Edge certificate must cover: the
// access FQDN and sip.<d> for every SIP domain (learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements).
func (e *Env) accessNames() []string {
	out := []string{e.Dep.Edge.Access}
	for _, d := range e.Dep.SIPDomains {
		if n := "sip." + d; !strings.EqualFold(n, e.Dep.Edge.Access) {
			out = append(out, n)
		}
	}
	return out
}

// edgeAccess: TCP sip_tls (443), and federation (5061) when enabled,
// complete TLS with a certificate covering the access names.
func edgeAccess(ctx context.Context, e *Env) []Result {
	ed := e.Dep.Edge
	if ed == nil {
		return nil
	}
	names := e.accessNames()
	rs := e.edgeTLSResults(ctx, ed.Access, "sip_tls", ed.Ports.SIPTLS, names)
	if ed.Federation {
		rs = append(rs, e.edgeTLSResults(ctx, ed.Access, "federation", ed.Ports.Federation, names)...)
	}
	return rs
}

// edgeWebConf: the Web Conferencing Edge completes TLS with a covering
// certificate.
func edgeWebConf(ctx context.Context, e *Env) []Result {
	ed := e.Dep.Edge
	switch {
	case ed == nil:
		return nil
	case ed.WebConf == "":
		return []Result{{Target: ed.Access, Status: Skip, Message: "edge.webconf is not set: the Web Conferencing Edge (meeting content) is not checked"}}
	}
	return e.edgeTLSResults(ctx, ed.WebConf, "address", ed.Ports.WebConf, []string{ed.WebConf})
}

// edgeTLSResults probes name on port at every address it resolves to.
func (e *Env) edgeTLSResults(ctx context.Context, name, label string, port int, cover []string) []Result {
	eps := e.edgeEndpoints(ctx, name, label, port)
	if len(eps) == 0 {
		return []Result{e.edgeUnresolved(ctx, name, label)}
	}
	out := make([]Result, len(eps))
	for i, ep := range eps {
		f, err := e.edgeTLS(ctx, ep.Addr, name)
		out[i] = e.judgeEdgeTLS(ctx, f, err, fmt.Sprintf("TCP %d to %s", port, name), cover)
		out[i].Target, out[i].Via = name, ep.Via
	}
	return out
}

func (e *Env) edgeUnresolved(ctx context.Context, name, label string) Result {
	r := Result{Target: name, Via: label, Status: Fail}
	if u := e.Unfinished(ctx); u != "" {
		r.Status, r.Message = Error, u
		return r
	}
	r.Message = name + " does not resolve on any public-view resolver: remote clients cannot reach this Edge role"
	r.Remedy = "Publish an A record for " + name + " with the Edge's public address in the public zone (Microsoft: Skype for Business Server Edge environmental requirements)."
	return r
}

// judgeEdgeTLS decides one Edge TLS endpoint: it answered, the chain
// covers every name, verifies (judgeChain) and is in date (judgeExpiry).
func (e *Env) judgeEdgeTLS(ctx context.Context, f *probe.MTLSFacts, err error, what string, cover []string) Result {
	if err != nil {
		return e.edgeConnectFailure(ctx, err, what)
	}
	r := Result{Evidence: map[string]any{"tls_version": probe.TLSVersionName(f.Version), "client_cert_requested": f.CertRequested}}
	if f.Aborted != nil {
		r.Evidence["after_certificate"] = f.Aborted.Error()
	}
	leaf := f.Chain[0]
	r.Evidence["sans"] = leaf.DNSNames
	var missing []string
	for _, n := range cover {
		if probe.CoveringSAN(leaf, n) == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		r.Status = Fail
		r.Message = fmt.Sprintf("the certificate does not cover %s (SANs: %s)", strings.Join(missing, ", "), strings.Join(leaf.DNSNames, ", "))
		r.Remedy = "Re-issue the Edge's external certificate with " + strings.Join(cover, ", ") + " among its SANs (the access FQDN, webcon and each SIP domain's sip name, Microsoft: Skype for Business Server Edge environmental requirements) and assign it to the Edge's external interface (Set-CsCertificate -Type AccessEdgeExternal,DataEdgeExternal)."
		return r
	}
	// Info is a passing chain that also sends certificates no client needs.
	if c := judgeChain(f.Chain, e.systemRoots(), e.trust(), e.Dep.TLS.CAFile, e.Now()); c.Status != Pass && c.Status != Info {
		r.Status, r.Message, r.Remedy = c.Status, c.Message, c.Remedy
		return r
	}
	path, _ := clientPath(f.Chain, e.trust(), e.Now())
	if x := judgeExpiry(path, e.Now(), e.Dep.TLS.WarnDays); x.Status != Pass {
		r.Status, r.Message, r.Remedy = x.Status, x.Message, x.Remedy
		return r
	}
	r.Status = Pass
	r.Message = fmt.Sprintf("%s completes TLS (%s) with a trusted certificate covering %s", what, probe.TLSVersionName(f.Version), strings.Join(cover, ", "))
	if f.CertRequested {
		r.Message += "; the server asks for a client certificate (mutual TLS, as federation does)"
	}
	return r
}

// edgeConnectFailure words a port that did not answer; what names the
// port ("TCP 443", "UDP 3478").
func (e *Env) edgeConnectFailure(ctx context.Context, err error, what string) Result {
	if u := e.Unfinished(ctx); u != "" {
		return Result{Status: Error, Message: u}
	}
	r := Result{Status: Fail, Evidence: map[string]any{"error": err.Error()}}
	switch probe.KindOf(err) {
	case probe.KindTimeout:
		r.Message = what + " got no answer (timeout): a firewall in front of the Edge drops it, or nothing listens"
	case probe.KindRefused:
		r.Message = what + " was refused: nothing listens there, or a firewall rejects it"
	default:
		r.Message = fmt.Sprintf("%s failed: %v", what, err)
	}
	r.Remedy = "Open " + what + " inbound to the Edge's external interface on the firewall and check the Edge service is running (Microsoft: Skype for Business Server Edge environmental requirements)."
	return r
}

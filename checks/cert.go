package checks

import (
	"context"
	"crypto/x509"
	"fmt"
	"slices"
	"strings"

	"github.com/lyncprobe/lyncprobe/probe"
)

// The certificate module. Two shapes of result:
//   - per published name and endpoint (cert.san-coverage,
//     cert.tls-versions; cert.node-consistency per name): Target is the
//     name, Via the address, node or file;
//   - per distinct certificate served (cert.all-names, cert.chain,
//     cert.expiry, cert.subject, cert.key-usage): Target is the first name
//     it was served for (offline: its file), Via "certificate <sha256>".
// Both come from the same observations (observeCerts), live or offline.

// servedCert is one distinct chain, with where it was seen.
type servedCert struct {
	Chain []*x509.Certificate
	// Path is the path a client builds (clientPath): verified to a trust
	// anchor when Verified, else the chain as sent.
	Path     probe.Path
	Verified bool
	Target   string
	Via      string
	Where    []string // "meet.contoso.com via address 203.0.113.10", or the files
	Hosts    []string // the published names it was served for (SNI), in order of first sight
	Notes    []string
}

func (s *servedCert) Leaf() *x509.Certificate { return s.Chain[0] }

// distinctCerts groups observations by the chain sent, in order of first
// sight.
func distinctCerts(hosts []hostCerts) []*servedCert {
	var out []*servedCert
	byChain := map[string]*servedCert{}
	vias := map[string]int{}
	for _, h := range hosts {
		for _, s := range h.Seen {
			if len(s.Chain) == 0 {
				continue
			}
			key := probe.ChainFingerprint(s.Chain)
			sc := byChain[key]
			if sc == nil {
				sc = newServed(s, vias)
				byChain[key] = sc
				out = append(out, sc)
			}
			sc.Where = appendNew(sc.Where, seenWhere(s))
			sc.Hosts = appendNew(sc.Hosts, s.Host)
			if s.Note != "" {
				sc.Notes = appendNew(sc.Notes, s.Note)
			}
		}
	}
	return out
}

func newServed(s certSeen, vias map[string]int) *servedCert {
	sc := &servedCert{Chain: s.Chain, Path: probe.BuildPath(s.Chain), Target: s.Host}
	if s.File != "" {
		sc.Target = s.File
	}
	sc.Via = "certificate " + probe.Fingerprint(s.Chain[0])[:16]
	// The same leaf served with two different chains: tell the chains apart.
	if vias[sc.Via]++; vias[sc.Via] > 1 {
		sc.Via += fmt.Sprintf(" (chain %d)", vias[sc.Via])
	}
	return sc
}

func seenWhere(s certSeen) string {
	if s.File != "" {
		return s.File
	}
	return s.Host + " via " + s.Via
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// servedCerts are the distinct certificates served, or the one result that
// says why there are none (the check's time ran out, nothing answered).
func (e *Env) servedCerts(ctx context.Context) ([]*servedCert, *Result) {
	hosts, err := e.observeCerts(ctx)
	if err != nil {
		return nil, &Result{Status: Error, Message: e.Unfinished(ctx)}
	}
	served := distinctCerts(hosts)
	if len(served) == 0 {
		r := noCertificate(hosts)
		return nil, &r
	}
	roots := e.trust()
	for _, sc := range served {
		sc.Path, sc.Verified = clientPath(sc.Chain, roots, e.Now())
	}
	return served, nil
}

// perCert runs judge on every distinct certificate served.
func (e *Env) perCert(ctx context.Context, judge func(sc *servedCert) Result) []Result {
	served, early := e.servedCerts(ctx)
	if early != nil {
		return []Result{*early}
	}
	out := make([]Result, 0, len(served))
	for _, sc := range served {
		r := judge(sc)
		r.Target, r.Via = sc.Target, sc.Via
		r.Evidence = mergeEvidence(certEvidence(sc), r.Evidence)
		out = append(out, r)
	}
	return out
}

// noCertificate: nothing to judge, because no handshake gave a chain.
func noCertificate(hosts []hostCerts) Result {
	target := ""
	if len(hosts) > 0 {
		target = hosts[0].Host
	}
	return Result{Target: target, Status: Skip,
		Message: "no certificate to judge: no TLS handshake succeeded (see cert.san-coverage)"}
}

// perTarget runs judge on every observation of every published name. A
// name that did not resolve gets the cascade skip; its nodes are still
// judged.
func (e *Env) perTarget(ctx context.Context, judge func(ctx context.Context, s certSeen) Result) []Result {
	hosts, err := e.observeCerts(ctx)
	if err != nil {
		return []Result{{Status: Error, Message: e.Unfinished(ctx)}}
	}
	var out []Result
	for _, h := range hosts {
		if !h.Resolved {
			out = append(out, skipFor("dns.resolves", h.Host, h.Host))
		}
		for _, s := range h.Seen {
			var r Result
			if s.Err == nil && len(s.Chain) == 0 {
				r = noCertificateSeen(s)
			} else {
				r = judge(ctx, s)
			}
			r.Target, r.Via = h.Host, s.Via
			out = append(out, r)
		}
	}
	return out
}

// noCertificateSeen: an observation with no error and no certificate (a
// file that holds none) has nothing a judge could index; say so.
func noCertificateSeen(s certSeen) Result {
	if s.File != "" {
		return Result{Status: Error, Message: "no certificate in " + s.File}
	}
	return Result{Status: Error, Message: s.Addr + " completed a handshake with no certificate"}
}

// noHandshake is the result for an endpoint that showed no certificate.
// A TLS-level refusal is a finding (the proxy will not serve this name);
// a connection that failed below TLS leaves nothing to judge: a skip,
// the connection itself being http.reachable's finding.
func (e *Env) noHandshake(ctx context.Context, s certSeen) Result {
	r := Result{Evidence: map[string]any{"connect": s.Addr, "error": s.Err.Error()}}
	if msg := e.Unfinished(ctx); msg != "" {
		r.Status, r.Message = Error, msg
		return r
	}
	if probe.KindOf(s.Err) == probe.KindTLSAlert {
		r.Status = Fail
		r.Message = fmt.Sprintf("%s refused a TLS handshake for %s: %v", s.Addr, s.Host, s.Err)
		r.Remedy = "Bind a certificate for " + s.Host + " to the proxy's HTTPS listener (the published rule's listener), and allow TLS 1.2."
		return r
	}
	r.Status = Skip
	r.Message = fmt.Sprintf("no connection to %s (%s), so no certificate to judge; see http.reachable", s.Addr, probe.KindOf(s.Err))
	return r
}

// sanCoverage: the certificate each endpoint presents for a published name
// covers that name.
func sanCoverage(ctx context.Context, e *Env) []Result {
	return e.perTarget(ctx, func(ctx context.Context, s certSeen) Result {
		if s.Err != nil {
			return e.noHandshake(ctx, s)
		}
		return judgeCoverage(s)
	})
}

// judgeCoverage decides cert.san-coverage for one observation.
func judgeCoverage(s certSeen) Result {
	leaf := s.Chain[0]
	r := Result{Evidence: map[string]any{"subject": leaf.Subject.String(), "sans": leaf.DNSNames,
		"sha256": probe.Fingerprint(leaf)}}
	if s.Addr != "" {
		r.Evidence["connect"] = s.Addr
	}
	if s.Note != "" {
		r.Evidence["note"] = s.Note
	}
	if san := probe.CoveringSAN(leaf, s.Host); san != "" {
		r.Status, r.Message = Pass, "the certificate covers "+s.Host+coveredBy(san, s.Host)
		return r
	}
	r.Status = Fail
	r.Message = fmt.Sprintf("the certificate (%s) does not cover %s: its SANs are %s", certName(leaf), s.Host, sanList(leaf))
	r.Remedy = "Re-issue the reverse proxy certificate with " + s.Host +
		" as a subject alternative name (cert.all-names gives the complete list) and install it on every proxy node."
	return r
}

func coveredBy(san, host string) string {
	if strings.EqualFold(san, host) {
		return ""
	}
	return " (wildcard " + san + ")"
}

// requestSANs is the SAN list to ask for: what the certificate has, plus
// what it misses, so one re-issue fixes everything.
func requestSANs(leaf *x509.Certificate, misses []string) []string {
	var out []string
	for _, s := range leaf.DNSNames {
		out = appendNew(out, strings.ToLower(s))
	}
	for _, m := range misses {
		out = appendNew(out, m)
	}
	return out
}

// certName names a certificate for people: its CN, else its subject.
func certName(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return "CN " + c.Subject.CommonName
	}
	if s := c.Subject.String(); s != "" {
		return s
	}
	return "no subject, serial " + c.SerialNumber.Text(16)
}

func sanList(c *x509.Certificate) string {
	if len(c.DNSNames) == 0 {
		return "none"
	}
	return strings.Join(c.DNSNames, ", ")
}

// certEvidence is what every per-certificate result shows of it.
func certEvidence(sc *servedCert) map[string]any {
	leaf := sc.Leaf()
	ev := map[string]any{
		"subject": leaf.Subject.String(), "issuer": leaf.Issuer.String(),
		"serial": leaf.SerialNumber.Text(16), "sha256": probe.Fingerprint(leaf),
		"not_before": leaf.NotBefore.UTC().Format(timeFormat), EvidenceNotAfter: leaf.NotAfter.UTC().Format(timeFormat),
		"sans": leaf.DNSNames, "chain": chainNames(sc.Chain), "seen": sc.Where,
	}
	if len(sc.Notes) > 0 {
		ev["notes"] = sc.Notes
	}
	return ev
}

const timeFormat = "2006-01-02T15:04:05Z"

func chainNames(chain []*x509.Certificate) []string {
	out := make([]string, len(chain))
	for i, c := range chain {
		out[i] = certName(c)
	}
	return out
}

func mergeEvidence(base, extra map[string]any) map[string]any {
	for k, v := range extra {
		base[k] = v
	}
	return base
}

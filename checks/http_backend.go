package checks

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/lyncprobe/lyncprobe/probe"
)

// httpBackendTLS: a proxy that validates its backend (TMG does) answers
// 500 when the front end's certificate does not cover the name it
// connects to or does not chain to a CA it trusts.
func httpBackendTLS(ctx context.Context, e *Env) []Result {
	type job struct{ pool, backend int }
	var jobs []job
	for i, ws := range e.Dep.WebServices {
		for j := range ws.Backends { // a pool without backends has nothing to check
			jobs = append(jobs, job{i, j})
		}
	}
	return each(len(jobs), func(k int) []Result { return []Result{e.backendTLS(ctx, jobs[k].pool, jobs[k].backend)} })
}

// proxyName is the name a proxy connects to the backend with: the
// internal web services name when set (TMG's internal site name), else
// the backend's own host (a name, or an address the certificate must list).
func proxyName(internal, backend string) string {
	if internal != "" {
		return strings.ToLower(internal)
	}
	host, _, err := net.SplitHostPort(backend)
	if err != nil {
		return backend
	}
	return strings.ToLower(host)
}

func (e *Env) backendTLS(ctx context.Context, pool, backend int) Result {
	ws := e.Dep.WebServices[pool]
	target := strings.ToLower(ws.External)
	addr := ws.Backends[backend]
	name := proxyName(ws.Internal, addr)
	r := Result{Target: target, Via: "backend " + addr, Evidence: map[string]any{"connect": addr, "name": name}}
	facts, err := e.Handshake(ctx, addr, name)
	if err != nil {
		if msg := e.Unfinished(ctx); msg != "" {
			r.Status, r.Message = Error, msg
			return r
		}
		r.Evidence["error"] = err.Error()
		r.Status = Skip
		r.Message = fmt.Sprintf("cannot reach the front end %s from here (%s); run lyncprobe where the proxy's network is, or drop backends", addr, probe.KindOf(err))
		return r
	}
	roots, note := e.backendRoots(ctx)
	r.Status, r.Message, r.Remedy = judgeBackendCert(facts.Chain, name, roots, note, e.Now())
	if len(facts.Chain) > 0 {
		leaf := facts.Chain[0]
		r.Evidence["subject"], r.Evidence["dns_names"], r.Evidence[EvidenceNotAfter] = leaf.Subject.CommonName, leaf.DNSNames, leaf.NotAfter.UTC().Format(timeFormat)
	}
	return r
}

// judgeBackendCert decides on a recorded chain: the name first (any proxy
// that verifies fails on it), then trust against tls.backend_ca_file.
func judgeBackendCert(chain []*x509.Certificate, name string, roots *x509.CertPool, note string, now time.Time) (Status, string, string) {
	if len(chain) == 0 {
		return Fail, "the front end sent no certificate", backendCertRemedy(name)
	}
	leaf := chain[0]
	if err := leaf.VerifyHostname(name); err != nil {
		return Fail, fmt.Sprintf("the front end's certificate (%s) does not cover %s, the name the proxy connects to: a proxy that validates its backend (TMG does) answers 500",
			certNames(leaf), name), backendCertRemedy(name)
	}
	if roots == nil {
		return Info, fmt.Sprintf("the certificate covers %s; its trust is not checked: %s", name, note), ""
	}
	if err := probe.VerifyChain(chain, name, roots, now); err != nil {
		return Fail, fmt.Sprintf("the front end's certificate for %s does not verify against tls.backend_ca_file: %v", name, shortX509(err)),
			"Renew the front end's certificate, or import its issuing CA (with any intermediate) into the proxy's trusted root store and point tls.backend_ca_file at it."
	}
	return Pass, fmt.Sprintf("the certificate covers %s and chains to tls.backend_ca_file (expires %s)", name, leaf.NotAfter.Format("2006-01-02")), ""
}

func backendCertRemedy(name string) string {
	return fmt.Sprintf("Reissue the front ends' certificate (Deployment Wizard → Request, Install or Assign Certificates → Web services external) with %s as a subject alternative name, "+
		"or point the proxy at a name the certificate covers (TMG: the To tab's internal site name; nginx: proxy_ssl_name; Apache: the ProxyPass host; IIS ARR: the server farm address).", name)
}

func certNames(c *x509.Certificate) string {
	names := append([]string(nil), c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 {
		return "CN " + c.Subject.CommonName
	}
	return "names " + strings.Join(names, ", ")
}

// shortX509 drops the package prefix of an x509 error for a message.
func shortX509(err error) string {
	var unknown x509.UnknownAuthorityError
	if errors.As(err, &unknown) {
		return "issued by a CA that tls.backend_ca_file does not hold"
	}
	return strings.TrimPrefix(err.Error(), "x509: ")
}

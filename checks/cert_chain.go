package checks

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/lyncprobe/lyncprobe/probe"
)

// chainFix is how to send the intermediate, per proxy family.
const chainFix = "Serve the leaf together with its intermediate certificate(s): TMG / IIS ARR / WAP: import the intermediates into the computer's Intermediate Certification Authorities store; " +
	"nginx: ssl_certificate names a file with the leaf then the intermediates; HAProxy: the crt PEM holds leaf, intermediates and key; " +
	"Apache: SSLCertificateFile with the chain appended (2.4.8+); F5: the client SSL profile's Chain; KEMP: add the intermediate under Certificates."

// certChain: the chain the server sent verifies to a trusted root.
func certChain(ctx context.Context, e *Env) []Result {
	return e.perCert(ctx, func(sc *servedCert) Result {
		return judgeChain(sc.Chain, e.systemRoots(), e.trust(), e.Dep.TLS.CAFile, e.Now())
	})
}

// judgeChain decides cert.chain from the chain as sent, and only from it:
// intermediates are never fetched, as some platform verifiers do, since
// the clients that fail (mobile, phones) do not fetch them either. It
// verifies once against the system roots and once against system roots
// plus tls.ca_file, so a private CA the user chose passes, noted.
func judgeChain(chain []*x509.Certificate, system, all *x509.CertPool, caFile string, now time.Time) Result {
	path, _ := clientPath(chain, all, now)
	at := validityTime(path.Certs, now)
	r := Result{Evidence: map[string]any{"path": chainNames(path.Certs)}}
	if len(path.Unused) > 0 {
		r.Evidence["not_on_path"] = chainNames(path.Unused)
	}
	if chains, err := probe.VerifyPath(chain, system, at); err == nil {
		r.Status, r.Message = Pass, "the chain as sent verifies to a publicly trusted root ("+rootName(chains)+")"
		r.Evidence["trusted_by"] = "system roots"
		return unneeded(r, path, now)
	}
	chains, err := probe.VerifyPath(chain, all, at)
	if err == nil {
		r.Status, r.Message = Pass, "the chain as sent verifies to "+rootName(chains)+", trusted through tls.ca_file (not a public root)"
		r.Evidence["trusted_by"] = "tls.ca_file " + caFile
		return unneeded(r, path, now)
	}
	r.Evidence["error"] = err.Error()
	r.Status = Fail
	r.Message, r.Remedy = chainFinding(path, err)
	if trustStoreMissing(system, err) && path.Top().IsCA && !path.LeafSelfSigned() {
		r.Status, r.Remedy = Error, ""
		r.Message = "cannot judge the chain, which ends at " + certName(path.Top()) + ": " + noTrustStore
	}
	return r
}

// unneeded turns a passing chain into info when the server also sends
// certificates the client's path does not use that are expired or weak:
// no client needs them, so they are not a fault, but they are worth
// removing (old clients may try them; they cost bytes in every handshake).
func unneeded(r Result, path probe.Path, now time.Time) Result {
	bad := unneededProblems(path, now)
	if len(bad) == 0 {
		return r
	}
	r.Status = Info
	r.Message += "; the server also sends " + strings.Join(bad, "; ") + ", which the verified path does not use"
	r.Remedy = "Optional: drop the unused certificate from the served chain file; clients build their path without it."
	return r
}

// noTrustStore says why a chain cannot be judged on this machine.
const noTrustStore = "this machine has no system trust store, so whether a public CA issued it cannot be told " +
	"(install the ca-certificates package, or name the root in tls.ca_file)"

// trustStoreMissing: the machine has no system roots (a container without
// ca-certificates, say), so "unknown authority" says nothing about the
// certificate. A missing intermediate or a self-signed leaf is still
// judged: no root store makes those right.
func trustStoreMissing(system *x509.CertPool, err error) bool {
	var unknown x509.UnknownAuthorityError
	return errors.As(err, &unknown) && system.Equal(x509.NewCertPool())
}

// chainFinding names why a chain does not verify, as the fix differs.
func chainFinding(p probe.Path, err error) (msg, remedy string) {
	top := p.Top()
	untrusted := "If " + certName(top) + "'s issuer is your own CA, add its root to tls.ca_file; external clients need a certificate from a public CA (Microsoft's reverse proxy certificate summary)."
	var insecure x509.InsecureAlgorithmError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &insecure):
		return fmt.Sprintf("the chain does not verify: %v (see cert.key-usage)", err),
			"Re-issue the certificate (and use intermediates) signed with SHA-256 or better."
	case errors.As(err, &invalid):
		return fmt.Sprintf("the chain does not verify: %v", err),
			"Re-issue the certificate from a public CA whose chain is valid; cert.expiry names dates."
	case p.LeafSelfSigned():
		return fmt.Sprintf("the certificate is self-signed (%s): no client trusts it", certName(top)),
			"Replace it with a certificate from a public CA that covers every published name (Microsoft's reverse proxy certificate summary)."
	case p.TopSelfSigned:
		return fmt.Sprintf("issued by %s, a CA that is neither publicly trusted nor in tls.ca_file", certName(top)),
			"Use a certificate from a public CA for the reverse proxy; if you trust this CA yourself, add its root to tls.ca_file."
	case !top.IsCA:
		return fmt.Sprintf("the server did not send the intermediate: the chain stops at the leaf, issued by %s, which is not a trusted root", issuerName(top)),
			chainFix + " " + untrusted
	}
	return fmt.Sprintf("issued by a CA that is neither publicly trusted nor in tls.ca_file: the chain ends at %s, issued by %s (or a further intermediate is missing)", certName(top), issuerName(top)),
		untrusted + " " + chainFix
}

func issuerName(c *x509.Certificate) string {
	if c.Issuer.CommonName != "" {
		return "CN " + c.Issuer.CommonName
	}
	return c.Issuer.String()
}

func rootName(chains [][]*x509.Certificate) string {
	if len(chains) == 0 || len(chains[0]) == 0 {
		return "a root"
	}
	c := chains[0]
	return certName(c[len(c)-1])
}

// validityTime is when to verify a chain's trust: now if every certificate
// is valid then, else a moment when all are, so that expiry (cert.expiry's
// finding) does not hide what is wrong with the chain.
func validityTime(certs []*x509.Certificate, now time.Time) time.Time {
	from, until := certs[0].NotBefore, certs[0].NotAfter
	for _, c := range certs[1:] {
		if c.NotBefore.After(from) {
			from = c.NotBefore
		}
		if c.NotAfter.Before(until) {
			until = c.NotAfter
		}
	}
	switch {
	case from.After(until), !now.Before(from) && !now.After(until):
		return now
	case now.Before(from):
		return from
	}
	return until
}

// belowRoot are the path's certificates a client checks: all but a
// self-signed root at the top (a self-signed leaf stays: it is all there is).
func belowRoot(p probe.Path) []*x509.Certificate {
	if p.TopSelfSigned && len(p.Certs) > 1 {
		return p.Certs[:len(p.Certs)-1]
	}
	return p.Certs
}

// certExpiry: no certificate of the chain has expired or expires soon.
func certExpiry(ctx context.Context, e *Env) []Result {
	return e.perCert(ctx, func(sc *servedCert) Result {
		return judgeExpiry(sc.Path, e.Now(), e.Dep.TLS.WarnDays)
	})
}

// judgeExpiry decides cert.expiry: the worst certificate below the root.
func judgeExpiry(p probe.Path, now time.Time, warnDays int) Result {
	certs := belowRoot(p)
	soonest := certs[0]
	for _, c := range certs {
		switch {
		case now.After(c.NotAfter):
			return Result{Status: Fail, Message: fmt.Sprintf("%s expired on %s", certRole(c, p), day(c.NotAfter)),
				Remedy: "Renew the certificate and install it on every proxy node."}
		case now.Before(c.NotBefore):
			return Result{Status: Fail, Message: fmt.Sprintf("%s is not valid before %s", certRole(c, p), day(c.NotBefore)),
				Remedy: "Check the proxy's clock, or install a certificate that is valid now."}
		case c.NotAfter.Before(soonest.NotAfter):
			soonest = c
		}
	}
	days := int(math.Ceil(soonest.NotAfter.Sub(now).Hours() / 24))
	r := Result{Evidence: map[string]any{"expires": soonest.NotAfter.UTC().Format(timeFormat), "days_left": days, "warn_days": warnDays}}
	if soonest.NotAfter.Before(now.AddDate(0, 0, warnDays)) {
		r.Status = Warn
		r.Message = fmt.Sprintf("%s expires on %s, in %d days (tls.warn_days is %d)", certRole(soonest, p), day(soonest.NotAfter), days, warnDays)
		r.Remedy = "Renew the certificate now and install it on every proxy node before it expires."
		return r
	}
	r.Status = Pass
	r.Message = fmt.Sprintf("valid until %s (%d days)", day(soonest.NotAfter), days)
	return r
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// certRole words a certificate by its place in the chain.
func certRole(c *x509.Certificate, p probe.Path) string {
	if c == p.Certs[0] {
		return "the certificate (" + certName(c) + ")"
	}
	return "the intermediate " + certName(c)
}

// certSubject: the subject CN is a real name and is also a SAN.
func certSubject(ctx context.Context, e *Env) []Result {
	return e.perCert(ctx, func(sc *servedCert) Result { return judgeSubject(sc.Leaf()) })
}

// judgeSubject decides cert.subject for one leaf.
func judgeSubject(leaf *x509.Certificate) Result {
	cn := leaf.Subject.CommonName
	r := Result{Evidence: map[string]any{"cn": cn}}
	switch {
	case cn == "":
		r.Status, r.Message = Warn, "the certificate has no subject common name"
		r.Remedy = "Re-issue with the external web services FQDN as subject name (and as a SAN)."
	case strings.Contains(cn, "*"):
		r.Status, r.Message = Fail, "the subject name is a wildcard ("+cn+"), which Lync/Skype for Business does not support as subject name"
		r.Remedy = "Re-issue with the external web services FQDN as subject name; wildcards belong only in the SANs (Microsoft's reverse proxy certificate summary)."
	case !hasSAN(leaf, cn):
		r.Status, r.Message = Fail, "the subject name "+cn+" is not among the SANs ("+sanList(leaf)+")"
		r.Remedy = "Re-issue with the subject name repeated as a subject alternative name: TLS clients ignore the subject (Microsoft's reverse proxy certificate summary)."
	default:
		r.Status, r.Message = Pass, "subject "+cn+" is also a SAN and not a wildcard"
	}
	return r
}

func hasSAN(c *x509.Certificate, name string) bool {
	for _, s := range c.DNSNames {
		if strings.EqualFold(strings.TrimSuffix(s, "."), strings.TrimSuffix(name, ".")) {
			return true
		}
	}
	return false
}

// certKeyUsage: Server Authentication EKU, strong keys, no SHA-1 or MD5
// signatures below the root. Judged here, not by crypto/x509, which
// refuses SHA-1 outright and never looks at key sizes.
func certKeyUsage(ctx context.Context, e *Env) []Result {
	return e.perCert(ctx, func(sc *servedCert) Result { return judgeKeyUsage(sc.Path) })
}

// judgeKeyUsage decides cert.key-usage for one chain.
func judgeKeyUsage(p probe.Path) Result {
	leaf := p.Certs[0]
	alg, bits := probe.KeyInfo(leaf.PublicKey)
	r := Result{Evidence: map[string]any{"key": fmt.Sprintf("%s %d", alg, bits), "signature": leaf.SignatureAlgorithm.String()}}
	var fails, warns []string
	switch {
	case len(leaf.ExtKeyUsage) == 0 && len(leaf.UnknownExtKeyUsage) == 0:
		warns = append(warns, "it has no extended key usage (Microsoft asks for Server Authentication explicitly)")
	case !hasServerAuth(leaf):
		fails = append(fails, "it lacks the Server Authentication extended key usage")
	}
	for _, c := range belowRoot(p) {
		fails = append(fails, keyProblems(c, p)...)
	}
	switch {
	case len(fails) > 0:
		r.Status, r.Message = Fail, strings.Join(append(fails, warns...), "; ")
		r.Remedy = "Re-issue with a 2048-bit RSA (or P-256 ECDSA) key, a SHA-256 signature and the Server Authentication EKU, from a CA whose intermediates are SHA-256 too (Microsoft's certificate request for the reverse proxy asks for 2048 bits)."
	case len(warns) > 0:
		r.Status, r.Message = Warn, strings.Join(warns, "; ")
		r.Remedy = "Re-issue with the Server Authentication (and Client Authentication) extended key usage, as Microsoft's certificate request for the reverse proxy does."
	default:
		r.Status, r.Message = Pass, fmt.Sprintf("Server Authentication EKU, %s %d-bit key, %s signature", alg, bits, leaf.SignatureAlgorithm)
	}
	return r
}

func hasServerAuth(c *x509.Certificate) bool {
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageServerAuth || u == x509.ExtKeyUsageAny {
			return true
		}
	}
	return false
}

// keyProblems are one certificate's weak key or weak signature. A
// self-signed certificate's own signature proves nothing, so only its key
// is judged.
func keyProblems(c *x509.Certificate, p probe.Path) []string {
	var out []string
	alg, bits := probe.KeyInfo(c.PublicKey)
	if min := minKeyBits(alg); bits < min {
		out = append(out, fmt.Sprintf("%s has a %d-bit %s key (at least %d needed)", certRole(c, p), bits, alg, min))
	}
	if weak := probe.WeakSignature(c); weak != "" && !probe.SelfSigned(c) {
		out = append(out, fmt.Sprintf("%s is signed with %s (%s)", certRole(c, p), weak, c.SignatureAlgorithm))
	}
	return out
}

// minKeyBits is the smallest acceptable key: 2048-bit RSA as Microsoft's
// recipe asks, P-256 for ECDSA; DSA and unknown keys are never enough.
func minKeyBits(alg string) int {
	switch alg {
	case "RSA":
		return 2048
	case "ECDSA", "Ed25519":
		return 256
	}
	return 1 << 20
}

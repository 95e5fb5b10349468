package checks

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/lyncprobe/lyncprobe/probe"
)

// maxRevocationBody caps a CRL download: big public CAs publish CRLs of a
// few MiB; more is not read (the address answered, which is the point).
const maxRevocationBody = 10 << 20

// revocationRef is one CRL or OCSP address and the certificates naming it.
type revocationRef struct {
	URL     string
	Kind    string              // "CRL" or "OCSP"
	Certs   []*x509.Certificate // the certificates that name it
	Issuers []*x509.Certificate // each one's issuer as sent, or nil
}

// certRevocation: the CRL and OCSP addresses the served chains name
// resolve and answer, as a client outside needs them to.
func certRevocation(ctx context.Context, e *Env) []Result {
	served, early := e.servedCerts(ctx)
	if early != nil {
		return []Result{*early}
	}
	var out []Result
	for _, sc := range served {
		if len(revocationRefs([]*servedCert{sc})) == 0 {
			out = append(out, Result{Target: sc.Target, Via: sc.Via, Status: Info, Evidence: certEvidence(sc),
				Message: "the chain names no CRL or OCSP address: there is nothing for clients to reach"})
		}
	}
	refs := revocationRefs(served)
	return append(out, inParallel(len(refs), func(i int) Result { return e.checkRevocationRef(ctx, refs[i]) })...)
}

// revocationRefs lists every HTTP(S) CRL and OCSP address of the chains'
// certificates below the root, once each, in order of first sight.
func revocationRefs(served []*servedCert) []*revocationRef {
	var out []*revocationRef
	byKey := map[string]*revocationRef{}
	add := func(kind, u string, c, issuer *x509.Certificate) {
		ref := byKey[kind+" "+u]
		if ref == nil {
			ref = &revocationRef{URL: u, Kind: kind}
			byKey[kind+" "+u] = ref
			out = append(out, ref)
		}
		if slices.ContainsFunc(ref.Certs, c.Equal) {
			return // the same intermediate above several leaves
		}
		ref.Certs = append(ref.Certs, c)
		ref.Issuers = append(ref.Issuers, issuer)
	}
	for _, sc := range served {
		certs := belowRoot(sc.Path)
		for i, c := range certs {
			var issuer *x509.Certificate
			if i+1 < len(sc.Path.Certs) {
				issuer = sc.Path.Certs[i+1]
			}
			for _, u := range c.CRLDistributionPoints {
				add("CRL", u, c, issuer)
			}
			for _, u := range c.OCSPServer {
				add("OCSP", u, c, issuer)
			}
		}
	}
	return out
}

func (e *Env) checkRevocationRef(ctx context.Context, ref *revocationRef) Result {
	r := Result{Target: ref.URL, Via: ref.Kind, Evidence: map[string]any{"named_by": chainNames(ref.Certs)}}
	u, err := url.Parse(ref.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		r.Status, r.Message = Info, fmt.Sprintf("%s address %s is not an HTTP URL: not fetched", ref.Kind, ref.URL)
		return r
	}
	if ref.Kind == "OCSP" {
		return e.checkOCSP(ctx, r, ref, u)
	}
	resp, addr, err := e.fetchRevocation(ctx, revocationGet(u))
	r.Evidence["connect"] = addr
	if err != nil {
		return e.revocationUnreachable(ctx, r, ref, err)
	}
	r.Evidence["status"], r.Evidence["bytes"] = resp.Status, len(resp.Body)
	return judgeCRL(r, ref, resp, e.Now())
}

// revocationGet is a plain GET of u, as a client fetches a CRL.
func revocationGet(u *url.URL) probe.Request {
	return probe.Request{Scheme: u.Scheme, Host: u.Host, Path: u.RequestURI(), MaxBody: maxRevocationBody}
}

// fetchRevocation resolves the address through the public resolvers (an
// IP literal needs none) and asks each address until one answers.
func (e *Env) fetchRevocation(ctx context.Context, req probe.Request) (*probe.Response, string, error) {
	u := &url.URL{Scheme: req.Scheme, Host: req.Host}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[req.Scheme]
	}
	addrs := []string{host}
	if net.ParseIP(host) == nil {
		addrs, _ = e.Addresses(ctx, host)
		if len(addrs) == 0 {
			return nil, "", errNotResolved
		}
	}
	var lastErr error
	for _, a := range addrs {
		req.Addr = net.JoinHostPort(a, port)
		resp, err := e.Fetch(ctx, req)
		if err == nil {
			return resp, req.Addr, nil
		}
		lastErr = err
	}
	return nil, req.Addr, lastErr
}

var errNotResolved = errors.New("does not resolve in public DNS")

func (e *Env) revocationUnreachable(ctx context.Context, r Result, ref *revocationRef, err error) Result {
	r.Evidence["error"] = err.Error()
	if msg := e.Unfinished(ctx); msg != "" {
		r.Status, r.Message = Error, msg
		return r
	}
	r.Status = Fail
	if err == errNotResolved {
		r.Message = fmt.Sprintf("the %s address %s does not resolve in public DNS", ref.Kind, ref.URL)
	} else {
		r.Message = fmt.Sprintf("the %s address %s did not answer: %s", ref.Kind, ref.URL, probe.KindOf(err))
	}
	r.Remedy = "Clients outside check revocation at the addresses in the certificate: a public CA's must be reachable from the clients' networks (open outbound HTTP); " +
		"for a private CA, publish its CRL (and OCSP) on a web server reachable from the Internet and re-issue with that address."
	return r
}

// judgeCRL decides one CRL answer: it must be a CRL, current, and not
// list the certificates that name it.
func judgeCRL(r Result, ref *revocationRef, resp *probe.Response, now time.Time) Result {
	if resp.Status != http.StatusOK {
		r.Status, r.Message = Fail, fmt.Sprintf("the CRL address %s answered HTTP %d", ref.URL, resp.Status)
		r.Remedy = "Publish the CA's current CRL at this address."
		return r
	}
	if resp.Truncated {
		r.Status, r.Message = Info, fmt.Sprintf("the CRL address answered; the CRL is larger than %d MiB and was not read whole", maxRevocationBody>>20)
		return r
	}
	crl, err := parseCRL(resp.Body)
	if err != nil {
		r.Status, r.Message = Fail, "the CRL address answered, but not with a CRL: "+err.Error()
		r.Remedy = "Publish the CA's CRL (DER or PEM) at this address."
		return r
	}
	r.Evidence["next_update"] = crl.NextUpdate.UTC().Format(timeFormat)
	r.Evidence["entries"] = len(crl.RevokedCertificateEntries)
	if err := crlSignature(r, ref, crl); err != nil {
		r.Status, r.Message = Error, "cannot judge revocation: the CRL's signature does not verify: "+err.Error()
		r.Remedy = "Publish the CRL the CA itself signed at this address; a CRL whose signature fails is ignored or refused by clients."
		return r
	}
	if revoked := revokedAmong(crl, ref.Certs); revoked != "" {
		r.Status, r.Message = Fail, revoked+" is revoked by this CRL"
		r.Remedy = "Install a new certificate: a revoked one is refused by every client that checks."
		return r
	}
	if !crl.NextUpdate.IsZero() && now.After(crl.NextUpdate) {
		r.Status, r.Message = Warn, "the CRL answered but is stale: its next update was due "+day(crl.NextUpdate)
		r.Remedy = "Have the CA publish a current CRL; clients that check revocation fail on a stale one."
		return r
	}
	r.Status = Pass
	r.Message = fmt.Sprintf("answered with a CRL (%d entries, next update %s)", len(crl.RevokedCertificateEntries), day(crl.NextUpdate))
	return r
}

// crlSignature checks the CRL against the issuer of the certificates it
// covers (RFC 5280 §6.3.3: the CRL issuer is the certificate's issuer).
// With no such issuer known, the signature is noted as not checked.
func crlSignature(r Result, ref *revocationRef, crl *x509.RevocationList) error {
	for _, issuer := range ref.Issuers {
		if issuer != nil && bytes.Equal(issuer.RawSubject, crl.RawIssuer) {
			if err := crl.CheckSignatureFrom(issuer); err != nil {
				return fmt.Errorf("not signed by %s: %w", certName(issuer), err)
			}
			r.Evidence["signed_by"] = certName(issuer)
			return nil
		}
	}
	r.Evidence["signed_by"] = "not checked: the CRL's issuer (" + crl.Issuer.String() + ") is not the issuer of any certificate on the path"
	return nil
}

func parseCRL(body []byte) (*x509.RevocationList, error) {
	if b, _ := pem.Decode(body); b != nil {
		body = b.Bytes
	}
	return x509.ParseRevocationList(body)
}

func revokedAmong(crl *x509.RevocationList, certs []*x509.Certificate) string {
	for _, entry := range crl.RevokedCertificateEntries {
		for _, c := range certs {
			if entry.SerialNumber.Cmp(c.SerialNumber) == 0 && c.Issuer.String() == crl.Issuer.String() {
				return certName(c) + " (serial " + c.SerialNumber.Text(16) + ", since " + day(entry.RevocationTime) + ")"
			}
		}
	}
	return ""
}

package checks

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/lyncprobe/lyncprobe/probe"
)

// OCSP (RFC 6960), judged as a client judges it: the responder is asked
// about each certificate that names it, the answer's signature must come
// from the certificate's issuer or a responder the issuer authorised
// (§4.2.2.2), and then its status decides: good passes, revoked fails,
// unknown warns.

// ocspAnswer is the verdict on one certificate's OCSP answer.
type ocspAnswer struct {
	cert *x509.Certificate
	r    Result
}

// checkOCSP asks the responder at u about every certificate naming it,
// and sums the answers up in r.
func (e *Env) checkOCSP(ctx context.Context, r Result, ref *revocationRef, u *url.URL) Result {
	var answers []ocspAnswer
	for i, c := range ref.Certs {
		a := e.askOCSP(ctx, ref, u, c, ref.Issuers[i])
		if a.r.Status == Fail && a.r.Evidence["unreachable"] != nil {
			return e.revocationUnreachable(ctx, r, ref, a.r.Evidence["unreachable"].(error))
		}
		answers = append(answers, a)
	}
	return sumOCSP(r, answers)
}

// askOCSP sends one OCSP GET request (RFC 6960 A.1) for cert, or, when
// its issuer is unknown (not sent, not on a verified path), a plain GET
// that shows the responder answers at all.
func (e *Env) askOCSP(ctx context.Context, ref *revocationRef, u *url.URL, cert, issuer *x509.Certificate) ocspAnswer {
	a := ocspAnswer{cert: cert, r: Result{Evidence: map[string]any{}}}
	req := revocationGet(u)
	var der []byte
	if issuer != nil {
		der, _ = ocsp.CreateRequest(cert, issuer, nil)
	}
	if der != nil {
		req.Path = strings.TrimSuffix(u.EscapedPath(), "/") + "/" + url.PathEscape(base64.StdEncoding.EncodeToString(der))
	}
	resp, addr, err := e.fetchRevocation(ctx, req)
	a.r.Evidence["connect"] = addr
	if err != nil {
		a.r.Status, a.r.Evidence["unreachable"] = Fail, err
		return a
	}
	if der == nil {
		a.r.Status = Pass
		a.r.Message = fmt.Sprintf("the OCSP responder answers (HTTP %d; not queried: the issuer's certificate was neither sent nor found)", resp.Status)
		return a
	}
	a.r = judgeOCSP(resp, cert, issuer, e.Now())
	a.r.Evidence["connect"] = addr
	return a
}

const ocspFix = "Check the CA's OCSP responder: it must know this CA, sign with the CA's key or a responder certificate the CA issued for OCSP signing, and answer GET requests (RFC 6960) from outside."

// judgeOCSP decides one OCSP answer about cert, issued by issuer.
func judgeOCSP(resp *probe.Response, cert, issuer *x509.Certificate, now time.Time) Result {
	r := Result{Evidence: map[string]any{"http_status": resp.Status}}
	if resp.Status != http.StatusOK {
		r.Status, r.Message, r.Remedy = Fail, fmt.Sprintf("the OCSP responder answered HTTP %d", resp.Status), ocspFix
		return r
	}
	answer, err := ocsp.ParseResponseForCert(resp.Body, cert, nil)
	var status ocsp.ResponseError
	var parseErr ocsp.ParseError
	switch {
	case errors.As(err, &status):
		r.Status, r.Message, r.Remedy = Fail, "the OCSP responder answered "+status.Status.String(), ocspFix
		return r
	case errors.As(err, &parseErr) && strings.HasPrefix(string(parseErr), "bad signature"):
		r.Status, r.Message = Error, "the OCSP response cannot be trusted: "+err.Error()
		return r
	case err != nil:
		r.Status, r.Message, r.Remedy = Fail, "the OCSP address answered, but not with an OCSP response about this certificate: "+err.Error(), ocspFix
		return r
	}
	if err := ocspSigner(answer, issuer); err != nil {
		r.Status, r.Message = Error, "cannot judge revocation: the OCSP response's signature does not verify: "+err.Error()
		r.Remedy = ocspFix
		return r
	}
	return ocspStatus(r, answer, now)
}

// ocspSigner checks who signed the answer: the issuer itself, or a
// responder certificate the issuer signed with the OCSP Signing EKU
// (RFC 6960 §4.2.2.2). The parser already checked the answer against an
// embedded responder certificate.
func ocspSigner(answer *ocsp.Response, issuer *x509.Certificate) error {
	rc := answer.Certificate
	if rc == nil || bytes.Equal(rc.Raw, issuer.Raw) {
		if err := answer.CheckSignatureFrom(issuer); err != nil {
			return fmt.Errorf("not signed by the issuer %s: %w", certName(issuer), err)
		}
		return nil
	}
	if err := issuer.CheckSignature(rc.SignatureAlgorithm, rc.RawTBSCertificate, rc.Signature); err != nil {
		return fmt.Errorf("signed by %s, which the issuer %s did not issue: %w", certName(rc), certName(issuer), err)
	}
	if !slices.Contains(rc.ExtKeyUsage, x509.ExtKeyUsageOCSPSigning) {
		return fmt.Errorf("signed by %s, which lacks the OCSP Signing extended key usage (RFC 6960 §4.2.2.2)", certName(rc))
	}
	return nil
}

// ocspStatus decides a verified answer by its certificate status.
func ocspStatus(r Result, answer *ocsp.Response, now time.Time) Result {
	r.Evidence["this_update"] = answer.ThisUpdate.UTC().Format(timeFormat)
	if !answer.NextUpdate.IsZero() {
		r.Evidence["next_update"] = answer.NextUpdate.UTC().Format(timeFormat)
	}
	switch {
	case answer.Status == ocsp.Revoked:
		r.Evidence["revoked_at"] = answer.RevokedAt.UTC().Format(timeFormat)
		r.Status = Fail
		r.Message = fmt.Sprintf("the OCSP responder says the certificate is revoked (since %s, reason %d)", day(answer.RevokedAt), answer.RevocationReason)
		r.Remedy = "Install a new certificate: a revoked one is refused by every client that checks."
	case answer.Status == ocsp.Unknown:
		r.Status, r.Message = Warn, "the OCSP responder does not know the certificate (status unknown)"
		r.Remedy = "Check that the certificate was issued by the CA this responder serves; clients that require an answer fail on unknown."
	case !answer.NextUpdate.IsZero() && now.After(answer.NextUpdate):
		r.Status, r.Message = Warn, "the OCSP answer is good but stale: its next update was due "+day(answer.NextUpdate)
		r.Remedy = "Have the CA's responder sign fresh answers; clients refuse stale ones."
	default:
		r.Status, r.Message = Pass, "the OCSP responder answered good"
	}
	return r
}

// sumOCSP makes one result of the answers about several certificates:
// the worst status, with each certificate named.
func sumOCSP(r Result, answers []ocspAnswer) Result {
	if len(answers) == 1 {
		a := answers[0].r
		r.Status, r.Message, r.Remedy = a.Status, a.Message, a.Remedy
		r.Evidence = mergeEvidence(r.Evidence, a.Evidence)
		return r
	}
	var msgs []string
	per := map[string]string{}
	r.Status = Pass
	for _, a := range answers {
		per[certName(a.cert)+" serial "+a.cert.SerialNumber.Text(16)] = a.r.Status.String() + ": " + a.r.Message
		if a.r.Status != Pass {
			msgs = append(msgs, certName(a.cert)+": "+a.r.Message)
		}
		if worse(a.r.Status, r.Status) {
			r.Status, r.Remedy = a.r.Status, a.r.Remedy
		}
	}
	r.Evidence["answers"] = per
	r.Message = strings.Join(msgs, "; ")
	if len(msgs) == 0 {
		r.Message = fmt.Sprintf("the OCSP responder answered good for all %d certificates that name it", len(answers))
	}
	return r
}

// worse: a is a worse verdict than b (error above fail).
func worse(a, b Status) bool {
	rank := map[Status]int{Pass: 0, Info: 1, Skip: 2, Warn: 3, Fail: 4, Error: 5}
	return rank[a] > rank[b]
}

package probe

import (
	"bytes"
	//lint:ignore SA1019 only to recognise DSA keys in certificates, never to use them
	"crypto/dsa"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// This file holds pure inspection of certificates: facts read from a chain
// as the server sent it (or as a file holds it). It judges nothing; the
// checks package decides what the facts mean.

// Fingerprint is the SHA-256 of the certificate's DER, in lower-case hex.
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// ChainFingerprint identifies a chain as sent: the SHA-256 over every
// certificate's DER, in order.
func ChainFingerprint(chain []*x509.Certificate) string {
	h := sha256.New()
	for _, c := range chain {
		h.Write(c.Raw)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// SANMatch reports whether one SAN dNSName pattern covers name, per RFC
// 6125 §6.4.3 as browsers apply it: an exact match, or "*" as the whole
// left-most label standing for exactly one label ("*.contoso.com" covers
// meet.contoso.com, not contoso.com nor a.meet.contoso.com). Partial-label
// wildcards ("m*.contoso.com") and wildcards over a single label ("*.com")
// cover nothing. Case and a final dot do not matter.
func SANMatch(pattern, name string) bool {
	pattern, name = normName(pattern), normName(name)
	if pattern == "" || name == "" {
		return false
	}
	rest, wild := strings.CutPrefix(pattern, "*.")
	if !wild {
		return !strings.Contains(pattern, "*") && pattern == name
	}
	if strings.Contains(rest, "*") || !strings.Contains(rest, ".") {
		return false
	}
	label, parent, ok := strings.Cut(name, ".")
	return ok && label != "" && parent == rest
}

func normName(s string) string { return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".") }

// CoveringSAN is the first SAN dNSName of c that covers name, "" if none.
// Only SANs count: clients ignore the subject CN when SANs are present,
// and current ones ignore it altogether.
func CoveringSAN(c *x509.Certificate, name string) string {
	for _, san := range c.DNSNames {
		if SANMatch(san, name) {
			return san
		}
	}
	return ""
}

// SelfSigned reports whether c names itself as issuer and is signed by its
// own key. A SHA-1 signature cannot be checked with crypto/x509, so then
// matching key identifiers (or none) decide.
func SelfSigned(c *x509.Certificate) bool {
	if !bytes.Equal(c.RawIssuer, c.RawSubject) {
		return false
	}
	err := c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature)
	var insecure x509.InsecureAlgorithmError
	if err == nil {
		return true
	}
	return errors.As(err, &insecure) && keyIDsAgree(c.AuthorityKeyId, c.SubjectKeyId)
}

// issuedBy reports whether parent issued child: names chain, key
// identifiers agree, and the signature checks (or is SHA-1, which
// crypto/x509 cannot check: names and key identifiers then decide).
func issuedBy(child, parent *x509.Certificate) bool {
	if !bytes.Equal(child.RawIssuer, parent.RawSubject) || !keyIDsAgree(child.AuthorityKeyId, parent.SubjectKeyId) {
		return false
	}
	err := parent.CheckSignature(child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature)
	var insecure x509.InsecureAlgorithmError
	return err == nil || errors.As(err, &insecure)
}

func keyIDsAgree(aki, ski []byte) bool {
	return len(aki) == 0 || len(ski) == 0 || bytes.Equal(aki, ski)
}

// Path is a chain as sent, followed from the leaf through the issuers the
// sender included, whatever order they came in.
type Path struct {
	Certs  []*x509.Certificate // the leaf, then each issuer found among the sent certificates
	Unused []*x509.Certificate // sent but not on the path
	// TopSelfSigned: the path ends at a self-signed certificate (a root,
	// or the leaf itself when len(Certs) == 1).
	TopSelfSigned bool
}

// Top is the last certificate on the path.
func (p Path) Top() *x509.Certificate { return p.Certs[len(p.Certs)-1] }

// LeafSelfSigned: the leaf is its own issuer.
func (p Path) LeafSelfSigned() bool { return len(p.Certs) == 1 && p.TopSelfSigned }

// BuildPath follows chain[0] up through the other certificates of chain.
// It never looks anywhere else: a missing intermediate stays missing.
func BuildPath(chain []*x509.Certificate) Path {
	if len(chain) == 0 {
		return Path{}
	}
	p := Path{Certs: []*x509.Certificate{chain[0]}}
	used := map[int]bool{0: true}
	for cur := chain[0]; !SelfSigned(cur); {
		next := -1
		for i, c := range chain {
			if !used[i] && issuedBy(cur, c) {
				next = i
				break
			}
		}
		if next < 0 {
			break
		}
		used[next] = true
		cur = chain[next]
		p.Certs = append(p.Certs, cur)
	}
	p.TopSelfSigned = SelfSigned(p.Top())
	for i, c := range chain {
		if !used[i] {
			p.Unused = append(p.Unused, c)
		}
	}
	return p
}

// VerifyPath verifies chain (leaf first, as sent) against roots at time
// at, using only the intermediates that were sent. It ignores the name
// and the extended key usage: other checks judge those.
func VerifyPath(chain []*x509.Certificate, roots *x509.CertPool, at time.Time) ([][]*x509.Certificate, error) {
	if len(chain) == 0 {
		return nil, &Error{Op: "tls", Kind: KindTLSAlert, Err: errNoCertificate}
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	return chain[0].Verify(x509.VerifyOptions{
		Roots: roots, Intermediates: inter, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
}

// KeyInfo names a public key's algorithm and its size in bits ("RSA",
// 2048; "ECDSA", 256).
func KeyInfo(pub any) (alg string, bits int) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		return "ECDSA", k.Curve.Params().BitSize
	case ed25519.PublicKey:
		return "Ed25519", 256
	case *dsa.PublicKey:
		return "DSA", k.P.BitLen()
	}
	return "unknown", 0
}

// WeakSignature names a broken hash in c's signature ("SHA-1", "MD5",
// "MD2"), or "" when the signature uses a current one.
func WeakSignature(c *x509.Certificate) string {
	switch c.SignatureAlgorithm {
	case x509.MD2WithRSA:
		return "MD2"
	case x509.MD5WithRSA:
		return "MD5"
	case x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
		return "SHA-1"
	}
	return ""
}

// TLSVersions are the protocol versions a version probe tries, oldest first.
var TLSVersions = []uint16{tls.VersionTLS10, tls.VersionTLS11, tls.VersionTLS12, tls.VersionTLS13}

// legacySuites are the CBC suites TLS 1.0 and 1.1 servers offer. crypto/tls
// leaves RSA key exchange and 3DES out of its defaults, so a probe that
// must find an old server names them itself.
var legacySuites = []uint16{
	tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
	tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_256_CBC_SHA,
	tls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
}

// VersionOptions pins a handshake to exactly version v, with the cipher
// suites a server of that version would offer.
func VersionOptions(v uint16) TLSOptions {
	o := TLSOptions{MinVersion: v, MaxVersion: v}
	if v < tls.VersionTLS12 {
		o.CipherSuites = legacySuites
	}
	return o
}

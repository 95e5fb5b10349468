package tlstest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/internal/certmint"
)

// Certificates for tests are minted here, at run time, and signed by
// internal/certmint: the packages' own helpers (checks' certPKI, probe's
// path tests, the exporter's web config, the e2e proxy certificate) only
// pick templates.

// CA is a certificate authority a test minted.
type CA = certmint.CA

// Serial is a serial number unique within the test binary.
func Serial() *big.Int { return certmint.Serial() }

// ECKey is a fresh P-256 key.
func ECKey(t testing.TB) crypto.Signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// RSAKey is a fresh RSA key of bits.
func RSAKey(t testing.TB, bits int) crypto.Signer {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Sign issues tmpl for key, signed by parent (nil: self-signed). A
// template without a serial number gets a unique one.
func Sign(t testing.TB, tmpl *x509.Certificate, key crypto.Signer, parent *CA) *x509.Certificate {
	t.Helper()
	c, err := certmint.Sign(tmpl, key, parent)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// NewCA makes a root (parent nil) or an intermediate named cn, valid from
// two years ago for seven; mods bend the template first.
func NewCA(t testing.TB, cn string, parent *CA, mods ...func(*x509.Certificate)) *CA {
	t.Helper()
	now := time.Now()
	tmpl := &x509.Certificate{
		Subject: pkix.Name{CommonName: cn}, NotBefore: now.AddDate(-2, 0, 0), NotAfter: now.AddDate(5, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	for _, m := range mods {
		m(tmpl)
	}
	key := ECKey(t)
	return &CA{Cert: Sign(t, tmpl, key, parent), Key: key}
}

// LeafTemplate is a server certificate for names (the first is the
// subject CN), valid from an hour ago for a year, with the Server and
// Client Authentication EKUs Microsoft's recipe asks for.
func LeafTemplate(names ...string) *x509.Certificate {
	now := time.Now()
	return &x509.Certificate{
		Subject: pkix.Name{CommonName: names[0]}, DNSNames: names,
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
}

// Leaf issues tmpl from parent (nil: self-signed) with a fresh EC key and
// returns it ready to serve, the issuer's certificate sent after it.
func Leaf(t testing.TB, tmpl *x509.Certificate, parent *CA) tls.Certificate {
	t.Helper()
	key := ECKey(t)
	c := Sign(t, tmpl, key, parent)
	chain := [][]byte{c.Raw}
	if parent != nil && parent.Cert.Raw != nil && !isSelfSigned(parent.Cert) {
		chain = append(chain, parent.Cert.Raw)
	}
	return tls.Certificate{Certificate: chain, PrivateKey: key, Leaf: c}
}

func isSelfSigned(c *x509.Certificate) bool {
	return c.CheckSignatureFrom(c) == nil
}

// Pool is a certificate pool holding certs.
func Pool(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

// PEM encodes a certificate and its key (PKCS #8) as PEM, for the tests
// that write files a server or the exporter reads.
func PEM(t testing.TB, c tls.Certificate) (certPEM, keyPEM []byte) {
	t.Helper()
	for _, der := range c.Certificate {
		certPEM = append(certPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	return certPEM, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}

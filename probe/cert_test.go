package probe

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"github.com/lyncprobe/lyncprobe/internal/tlstest"
	"math/big"
	"testing"
	"time"
)

func TestSANMatch(t *testing.T) {
	cases := []struct {
		pattern, name string
		want          bool
	}{
		{"meet.contoso.com", "meet.contoso.com", true},
		{"MEET.Contoso.com.", "meet.contoso.com", true},
		{"meet.contoso.com", "dialin.contoso.com", false},
		{"*.contoso.com", "meet.contoso.com", true},
		{"*.contoso.com", "MEET.CONTOSO.COM.", true},
		{"*.contoso.com", "contoso.com", false},        // the wildcard needs a label
		{"*.contoso.com", "a.meet.contoso.com", false}, // exactly one label
		{"*.contoso.com", ".contoso.com", false},       // an empty label is none
		{"m*.contoso.com", "meet.contoso.com", false},  // partial-label wildcards cover nothing
		{"meet.*.com", "meet.contoso.com", false},      // only the left-most label
		{"*.com", "contoso.com", false},                // not over a single label
		{"*.*.contoso.com", "a.b.contoso.com", false},  // one wildcard at most
		{"", "meet.contoso.com", false},
	}
	for _, c := range cases {
		if got := SANMatch(c.pattern, c.name); got != c.want {
			t.Errorf("SANMatch(%q, %q) = %v, want %v", c.pattern, c.name, got, c.want)
		}
	}
}

// ca mints a CA (parent nil: a root) for the path tests.
type ca struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func mintCA(t *testing.T, cn string, parent *ca) *ca {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	return &ca{cert: mintWith(t, tmpl, key, parent), key: key}
}

func mintWith(t *testing.T, tmpl *x509.Certificate, key crypto.Signer, parent *ca) *x509.Certificate {
	t.Helper()
	issuer, signer := tmpl, key
	if parent != nil {
		issuer, signer = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c
}

func mintLeaf(t *testing.T, parent *ca, names ...string) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: names[0]},
		DNSNames: names, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	return mintWith(t, tmpl, key, parent), key
}

func TestBuildPath(t *testing.T) {
	root := mintCA(t, "root", nil)
	inter := mintCA(t, "inter", root)
	leaf, key := mintLeaf(t, inter, "a.test")
	self := mintWith(t, &x509.Certificate{SerialNumber: big.NewInt(9), Subject: pkix.Name{CommonName: "self"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}, key, nil)
	stray := mintCA(t, "stray", nil)

	p := BuildPath([]*x509.Certificate{leaf, root.cert, stray.cert, inter.cert})
	if len(p.Certs) != 3 || p.Certs[1] != inter.cert || p.Certs[2] != root.cert || !p.TopSelfSigned {
		t.Errorf("out-of-order chain: path %v, top self-signed %v", names(p.Certs), p.TopSelfSigned)
	}
	if len(p.Unused) != 1 || p.Unused[0] != stray.cert {
		t.Errorf("unused %v, want the stray root", names(p.Unused))
	}
	if p := BuildPath([]*x509.Certificate{leaf}); len(p.Certs) != 1 || p.TopSelfSigned || p.LeafSelfSigned() {
		t.Errorf("leaf alone: %+v", p)
	}
	if p := BuildPath([]*x509.Certificate{self}); !p.LeafSelfSigned() {
		t.Error("a self-signed leaf is not seen as such")
	}
	if _, err := VerifyPath([]*x509.Certificate{leaf, inter.cert}, pool(root.cert), time.Now()); err != nil {
		t.Errorf("complete chain: %v", err)
	}
	if _, err := VerifyPath([]*x509.Certificate{leaf}, pool(root.cert), time.Now()); err == nil {
		t.Error("a chain without its intermediate verified: something fetched it")
	}
}

func names(cs []*x509.Certificate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Subject.CommonName)
	}
	return out
}

func pool(cs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range cs {
		p.AddCert(c)
	}
	return p
}

// TestVersionOptions: each version is probed with its own config against
// a loopback server that speaks only TLS 1.0 and 1.1.
func TestVersionOptions(t *testing.T) {
	root := mintCA(t, "root", nil)
	leaf, key := mintLeaf(t, root, "old.test")
	cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{leaf.Raw}, PrivateKey: key}},
		MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}
	addr := tlstest.HandshakeServer(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, v := range TLSVersions {
		f, err := Handshake(ctx, addr, "old.test", VersionOptions(v))
		accepted := v <= tls.VersionTLS11
		switch {
		case accepted && (err != nil || f.Version != v):
			t.Errorf("%s: want accepted, got %v", TLSVersionName(v), err)
		case !accepted && KindOf(err) != KindTLSAlert:
			t.Errorf("%s: want a TLS refusal, got %v", TLSVersionName(v), err)
		}
	}
	// The default handshake (TLS 1.2 and up) is refused by such a server.
	if _, err := Handshake(ctx, addr, "old.test", TLSOptions{}); KindOf(err) != KindTLSAlert {
		t.Errorf("default handshake: %v", err)
	}
}

func TestKeyInfoAndWeakSignature(t *testing.T) {
	root := mintCA(t, "root", nil)
	if alg, bits := KeyInfo(root.cert.PublicKey); alg != "ECDSA" || bits != 256 {
		t.Errorf("KeyInfo = %s %d", alg, bits)
	}
	if w := WeakSignature(root.cert); w != "" {
		t.Errorf("ECDSA-SHA256 called weak: %s", w)
	}
	if w := WeakSignature(&x509.Certificate{SignatureAlgorithm: x509.SHA1WithRSA}); w != "SHA-1" {
		t.Errorf("SHA1WithRSA: %q", w)
	}
	if w := WeakSignature(&x509.Certificate{SignatureAlgorithm: x509.MD5WithRSA}); w != "MD5" {
		t.Errorf("MD5WithRSA: %q", w)
	}
}

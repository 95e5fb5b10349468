package probe

import (
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/internal/tlstest"
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

// mintLeaf issues a server certificate for names, valid for an hour
// either side of now, from parent (internal/tlstest signs it).
func mintLeaf(t *testing.T, parent *tlstest.CA, names ...string) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	key := tlstest.ECKey(t)
	tmpl := &x509.Certificate{Subject: pkix.Name{CommonName: names[0]},
		DNSNames: names, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	return tlstest.Sign(t, tmpl, key, parent), key
}

func TestBuildPath(t *testing.T) {
	root := tlstest.NewCA(t, "root", nil)
	inter := tlstest.NewCA(t, "inter", root)
	leaf, key := mintLeaf(t, inter, "a.test")
	self := tlstest.Sign(t, &x509.Certificate{SerialNumber: big.NewInt(9), Subject: pkix.Name{CommonName: "self"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}, key, nil)
	stray := tlstest.NewCA(t, "stray", nil)

	p := BuildPath([]*x509.Certificate{leaf, root.Cert, stray.Cert, inter.Cert})
	if len(p.Certs) != 3 || p.Certs[1] != inter.Cert || p.Certs[2] != root.Cert || !p.TopSelfSigned {
		t.Errorf("out-of-order chain: path %v, top self-signed %v", names(p.Certs), p.TopSelfSigned)
	}
	if len(p.Unused) != 1 || p.Unused[0] != stray.Cert {
		t.Errorf("unused %v, want the stray root", names(p.Unused))
	}
	if p := BuildPath([]*x509.Certificate{leaf}); len(p.Certs) != 1 || p.TopSelfSigned || p.LeafSelfSigned() {
		t.Errorf("leaf alone: %+v", p)
	}
	if p := BuildPath([]*x509.Certificate{self}); !p.LeafSelfSigned() {
		t.Error("a self-signed leaf is not seen as such")
	}
	if _, err := VerifyPath([]*x509.Certificate{leaf, inter.Cert}, pool(root.Cert), time.Now()); err != nil {
		t.Errorf("complete chain: %v", err)
	}
	if _, err := VerifyPath([]*x509.Certificate{leaf}, pool(root.Cert), time.Now()); err == nil {
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
	root := tlstest.NewCA(t, "root", nil)
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
	root := tlstest.NewCA(t, "root", nil)
	if alg, bits := KeyInfo(root.Cert.PublicKey); alg != "ECDSA" || bits != 256 {
		t.Errorf("KeyInfo = %s %d", alg, bits)
	}
	if w := WeakSignature(root.Cert); w != "" {
		t.Errorf("ECDSA-SHA256 called weak: %s", w)
	}
	if w := WeakSignature(&x509.Certificate{SignatureAlgorithm: x509.SHA1WithRSA}); w != "SHA-1" {
		t.Errorf("SHA1WithRSA: %q", w)
	}
	if w := WeakSignature(&x509.Certificate{SignatureAlgorithm: x509.MD5WithRSA}); w != "MD5" {
		t.Errorf("MD5WithRSA: %q", w)
	}
}

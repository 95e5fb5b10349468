package certmint

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"testing"
	"time"
)

// TestSignMakesAChainThatVerifies: a root, a leaf it signs, distinct
// serials, and the leaf verifies for its name against the root.
func TestSignMakesAChainThatVerifies(t *testing.T) {
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	now := time.Now()
	rootKey := key()
	root, err := Sign(&x509.Certificate{Subject: pkix.Name{CommonName: "root"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, rootKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := Sign(&x509.Certificate{Subject: pkix.Name{CommonName: "a.test"}, DNSNames: []string{"a.test"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}},
		key(), &CA{Cert: root, Key: rootKey})
	if err != nil {
		t.Fatal(err)
	}
	if root.SerialNumber.Cmp(leaf.SerialNumber) == 0 {
		t.Errorf("root and leaf share serial %v", root.SerialNumber)
	}
	pool := x509.NewCertPool()
	pool.AddCert(root)
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "a.test", Roots: pool}); err != nil {
		t.Errorf("the leaf does not verify: %v", err)
	}
	if _, err := Sign(&x509.Certificate{Subject: pkix.Name{CommonName: "bad"}}, key(), &CA{Cert: root, Key: key()}); err == nil {
		t.Error("signed with a key that is not the issuer's")
	}
}

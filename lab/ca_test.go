package lab

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"slices"
	"testing"
	"time"
)

func TestProxyCertificateChain(t *testing.T) {
	l := startLab(t, Options{})
	roots := certPool(t, l.CAFile)
	conn, err := tls.Dial("tcp", l.ProxyAddr, &tls.Config{ServerName: MeetHost, RootCAs: roots})
	if err != nil {
		t.Fatalf("handshake with SNI %s: %v", MeetHost, err)
	}
	defer conn.Close()
	chain := conn.ConnectionState().PeerCertificates
	if len(chain) != 2 {
		t.Fatalf("chain has %d certificates, want leaf + intermediate", len(chain))
	}
	leaf := chain[0]
	if leaf.Subject.CommonName != ExternalWeb {
		t.Errorf("CN %q, want %s", leaf.Subject.CommonName, ExternalWeb)
	}
	if k, ok := leaf.PublicKey.(*rsa.PublicKey); !ok || k.N.BitLen() != 2048 {
		t.Errorf("leaf key %T, want RSA 2048", leaf.PublicKey)
	}
	for _, eku := range []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth} {
		if !slices.Contains(leaf.ExtKeyUsage, eku) {
			t.Errorf("leaf lacks EKU %v", eku)
		}
	}
	if time.Until(leaf.NotAfter) < 300*24*time.Hour || time.Since(leaf.NotBefore) < 0 {
		t.Errorf("leaf valid %v .. %v", leaf.NotBefore, leaf.NotAfter)
	}
	inter := x509.NewCertPool()
	inter.AddCert(chain[1])
	for _, h := range publishedHosts {
		opts := x509.VerifyOptions{DNSName: h, Roots: roots, Intermediates: inter}
		if _, err := leaf.Verify(opts); err != nil {
			t.Errorf("does not verify for %s: %v", h, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: AdminHost, Roots: roots, Intermediates: inter}); err == nil {
		t.Errorf("the certificate covers %s, which is not published", AdminHost)
	}
}

func TestFrontEndCertificate(t *testing.T) {
	l := startLab(t, Options{})
	roots := certPool(t, l.InternalCAFile)
	for _, name := range []string{PoolFQDN, "fe01." + PoolFQDN, "fe02." + PoolFQDN, "127.0.0.1"} {
		conn, err := tls.Dial("tcp", l.FrontEnds[0], &tls.Config{ServerName: name, RootCAs: roots})
		if err != nil {
			t.Errorf("front end as %s: %v", name, err)
			continue
		}
		conn.Close()
	}
	// The public CA does not vouch for the front ends.
	if conn, err := tls.Dial("tcp", l.FrontEnds[0], &tls.Config{ServerName: PoolFQDN, RootCAs: certPool(t, l.CAFile)}); err == nil {
		conn.Close()
		t.Error("the front end verifies against the public CA")
	}
}

// TestKeyringReusesAcrossLabsNotWithin: under ReuseKeys a second lab gets
// the first lab's RSA keys, in the same order, while the keys within one
// lab stay distinct; without it every key is fresh.
func TestKeyringReusesAcrossLabsNotWithin(t *testing.T) {
	key := func(k *keyring) *rsa.PublicKey {
		t.Helper()
		s, err := k.key(1024)
		if err != nil {
			t.Fatal(err)
		}
		return s.Public().(*rsa.PublicKey)
	}
	first, second := &keyring{reuse: true, taken: map[int]int{}}, &keyring{reuse: true, taken: map[int]int{}}
	a1, a2 := key(first), key(first)
	b1, b2 := key(second), key(second)
	if a1.Equal(a2) {
		t.Error("one lab got the same key twice")
	}
	if !a1.Equal(b1) || !a2.Equal(b2) {
		t.Error("a second lab did not reuse the first lab's keys in order")
	}
	if fresh := key(&keyring{}); fresh.Equal(a1) || fresh.Equal(a2) {
		t.Error("a lab without ReuseKeys got a pooled key")
	}
	if k, err := (&keyring{reuse: true, taken: map[int]int{}}).key(0); err != nil || k.Public() == nil {
		t.Errorf("an ECDSA key under reuse: %v", err)
	} else if _, ok := k.Public().(*ecdsa.PublicKey); !ok {
		t.Errorf("rsaBits 0 gave %T, want ECDSA", k.Public())
	}
}

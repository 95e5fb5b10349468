package lab

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/tls"
	"fmt"
	"testing"
	"time"
)

// TestSessionsAreEvictedByAge: a front end that has issued more than
// maxSessions join sessions forgets the oldest, never the ones just
// issued (a standing lab used to forget all of them at once and fail the
// next deployment's join), and a session past its age is forgotten.
func TestSessionsAreEvictedByAge(t *testing.T) {
	var b sessionBook
	now := time.Unix(1_700_000_000, 0)
	for i := range 3 * maxSessions {
		id := fmt.Sprint("s", i)
		b.add(id, now)
		if !b.knows(id, now) {
			t.Fatalf("session %d forgotten as soon as it was issued", i)
		}
		if i > 0 && !b.knows(fmt.Sprint("s", i-1), now) {
			t.Fatalf("after %d sessions, the one issued just before is forgotten", i+1)
		}
	}
	if len(b.born) != maxSessions {
		t.Errorf("remembers %d sessions, want the bound %d", len(b.born), maxSessions)
	}
	if b.knows("s0", now) || !b.knows(fmt.Sprint("s", 2*maxSessions), now) {
		t.Error("past the bound, want the oldest forgotten and the newest maxSessions kept")
	}
	later := now.Add(sessionTTL)
	if b.knows(fmt.Sprint("s", 3*maxSessions-1), later) {
		t.Error("a session is still known after sessionTTL")
	}
	b.add("fresh", later)
	if len(b.born) != 1 || !b.knows("fresh", later) {
		t.Errorf("after sessionTTL, a new session leaves %d remembered, want only itself", len(b.born))
	}
}

// TestECDSASetting: under ECDSA the proxy serves a P-256 key; by default
// RSA-2048, as real proxies mostly do.
func TestECDSASetting(t *testing.T) {
	for _, ecdsaOn := range []bool{false, true} {
		l := startLab(t, Options{ECDSA: ecdsaOn})
		c, err := tls.Dial("tcp", l.ProxyAddr, &tls.Config{ServerName: ExternalWeb, RootCAs: certPool(t, l.CAFile)})
		if err != nil {
			t.Fatal(err)
		}
		key := c.ConnectionState().PeerCertificates[0].PublicKey
		c.Close()
		switch k := key.(type) {
		case *ecdsa.PublicKey:
			if !ecdsaOn || k.Curve.Params().BitSize != 256 {
				t.Errorf("ECDSA=%v: the proxy serves an ECDSA %d key", ecdsaOn, k.Curve.Params().BitSize)
			}
		case *rsa.PublicKey:
			if ecdsaOn || k.N.BitLen() != 2048 {
				t.Errorf("ECDSA=%v: the proxy serves an RSA-%d key", ecdsaOn, k.N.BitLen())
			}
		default:
			t.Errorf("ECDSA=%v: the proxy serves a %T", ecdsaOn, key)
		}
	}
}

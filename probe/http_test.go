package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/internal/tlstest"
)

// mint makes a root CA and a leaf for names, valid from notBefore for d.
func mint(t *testing.T, names []string, notBefore time.Time, d time.Duration) (*x509.CertPool, tls.Certificate) {
	t.Helper()
	valid := func(c *x509.Certificate) { c.NotBefore, c.NotAfter = notBefore, notBefore.Add(d) }
	root := tlstest.NewCA(t, "probe test root", nil, valid)
	tmpl := tlstest.LeafTemplate(names...)
	valid(tmpl)
	return tlstest.Pool(root.Cert), tlstest.Leaf(t, tmpl, root)
}

func tlsServer(t *testing.T, cert tls.Certificate, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	s := httptest.NewUnstartedServer(h)
	s.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

func TestFetchSendsHostAndSNIIndependently(t *testing.T) {
	roots, cert := mint(t, []string{"meet.contoso.test"}, time.Now().Add(-time.Hour), 24*time.Hour)
	var gotHost, gotSNI string
	s := tlsServer(t, cert, func(w http.ResponseWriter, r *http.Request) {
		gotHost, gotSNI = r.Host, r.TLS.ServerName
		w.Header().Set("Location", "https://elsewhere.test/")
		w.WriteHeader(http.StatusFound)
	})
	addr := s.Listener.Addr().String()
	resp, err := Fetch(context.Background(), Request{Addr: addr, SNI: "meet.contoso.test", Host: "pool01.contoso.local", Path: "/alice/X"})
	if err != nil {
		t.Fatal(err)
	}
	if gotHost != "pool01.contoso.local" || gotSNI != "meet.contoso.test" {
		t.Fatalf("host %q sni %q", gotHost, gotSNI)
	}
	if resp.Status != http.StatusFound {
		t.Fatalf("a redirect must not be followed: got %d", resp.Status)
	}
	if err := VerifyChain(resp.TLS.Chain, "meet.contoso.test", roots, time.Now()); err != nil {
		t.Fatalf("chain should verify: %v", err)
	}
	if err := VerifyChain(resp.TLS.Chain, "dialin.contoso.test", roots, time.Now()); err == nil {
		t.Fatal("chain must not verify for a name it lacks")
	}
}

func TestFetchCapsBody(t *testing.T) {
	_, cert := mint(t, []string{"big.test"}, time.Now().Add(-time.Hour), time.Hour*2)
	s := tlsServer(t, cert, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(strings.Repeat("x", 5000)))
	})
	resp, err := Fetch(context.Background(), Request{Addr: s.Listener.Addr().String(), Host: "big.test", MaxBody: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Body) != 1000 || !resp.Truncated {
		t.Fatalf("want 1000 bytes, truncated; got %d, %v", len(resp.Body), resp.Truncated)
	}
}

func TestFetchCapturesAnUntrustedChain(t *testing.T) {
	_, cert := mint(t, []string{"expired.test"}, time.Now().Add(-48*time.Hour), time.Hour)
	s := tlsServer(t, cert, func(w http.ResponseWriter, r *http.Request) {})
	resp, err := Fetch(context.Background(), Request{Addr: s.Listener.Addr().String(), Host: "expired.test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.TLS.Chain) != 1 || resp.TLS.Chain[0].Subject.CommonName != "expired.test" {
		t.Fatalf("chain not captured: %+v", resp.TLS)
	}
	if err := VerifyChain(resp.TLS.Chain, "expired.test", x509.NewCertPool(), time.Now()); err == nil {
		t.Fatal("an expired, untrusted chain must not verify")
	}
}

func TestFetchSlowServerHitsDeadline(t *testing.T) {
	_, cert := mint(t, []string{"slow.test"}, time.Now().Add(-time.Hour), time.Hour*2)
	release := make(chan struct{})
	s := tlsServer(t, cert, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		<-release // a body that never ends
	})
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Fetch(ctx, Request{Addr: s.Listener.Addr().String(), Host: "slow.test"})
	if KindOf(err) != KindTimeout {
		t.Fatalf("want a timeout, got %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatal("the deadline was not honoured")
	}
}

func TestHandshakeRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = Handshake(context.Background(), addr, "x.test", TLSOptions{})
	if KindOf(err) != KindRefused {
		t.Fatalf("want refused, got %v", err)
	}
}

func TestHandshakeOnPlainTCPIsATLSFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			_, _ = c.Write([]byte("HTTP/1.0 400 Bad Request\r\n\r\n"))
			c.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err = Handshake(ctx, ln.Addr().String(), "x.test", TLSOptions{})
	if KindOf(err) != KindTLSAlert {
		t.Fatalf("want a TLS failure, got %v (%s)", err, KindOf(err))
	}
}

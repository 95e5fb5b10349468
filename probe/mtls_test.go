package probe

import (
	"context"
	"crypto/tls"
	"github.com/lyncprobe/lyncprobe/internal/tlstest"
	"net"
	"testing"
	"time"
)

// A federation port requires a client certificate: the probe has none,
// the server aborts, and the probe still reports the server's chain.
func TestHandshakeMTLSKeepsTheChainWhenTheServerRequiresACert(t *testing.T) {
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		_, cert := mint(t, []string{"sip.example"}, time.Now().Add(-time.Hour), time.Hour)
		addr := tlstest.HandshakeServer(t, &tls.Config{Certificates: []tls.Certificate{cert},
			ClientAuth: tls.RequireAnyClientCert, MinVersion: v, MaxVersion: v})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		f, err := HandshakeMTLS(ctx, addr, "sip.example")
		cancel()
		if err != nil {
			t.Fatalf("%s: %v", TLSVersionName(v), err)
		}
		if !f.CertRequested || len(f.Chain) == 0 || f.Chain[0].DNSNames[0] != "sip.example" {
			t.Errorf("%s: requested %v, chain %d", TLSVersionName(v), f.CertRequested, len(f.Chain))
		}
		if v == tls.VersionTLS12 && f.Aborted == nil {
			t.Errorf("TLS 1.2: the server's abort after the empty certificate is not reported")
		}
	}
}

func TestHandshakeMTLSRefused(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := HandshakeMTLS(ctx, addr, "sip.example"); KindOf(err) != KindRefused {
		t.Errorf("closed port: %v", err)
	}
}

package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"time"
)

// MTLSFacts is a handshake with a server that may ask for a client
// certificate (an Access Edge's federation port, 5061, is mutual TLS).
type MTLSFacts struct {
	TLSFacts
	CertRequested bool  // the server sent a CertificateRequest
	Aborted       error // the server ended the handshake after its certificate was seen
}

// HandshakeMTLS is Handshake for servers that may ask for a client
// certificate. The probe has none to give: it answers with an empty
// Certificate message (GetClientCertificate returns an empty one), and
// keeps the chain the server sent even when the server then aborts, as a
// federation port that requires a partner's certificate does.
func HandshakeMTLS(ctx context.Context, addr, sni string) (*MTLSFacts, error) {
	release, err := acquireHandshake(ctx) // before the dial, as in Handshake
	if err != nil {
		return nil, err
	}
	defer release()
	start := time.Now() // the handshake's time, not the wait for the budget
	raw, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, classify("dial", err)
	}
	defer raw.Close()
	f := &MTLSFacts{TLSFacts: TLSFacts{Addr: addr, SNI: sni}}
	cfg := clientConfig(sni, TLSOptions{})
	cfg.VerifyPeerCertificate = func(rawCerts [][]byte, _ [][]*x509.Certificate) error {
		for _, der := range rawCerts {
			if c, err := x509.ParseCertificate(der); err == nil {
				f.Chain = append(f.Chain, c)
			}
		}
		return nil
	}
	cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
		f.CertRequested = true
		return &tls.Certificate{}, nil
	}
	conn := tls.Client(raw, cfg)
	err = conn.HandshakeContext(ctx)
	f.Handshake = time.Since(start)
	if err != nil && len(f.Chain) == 0 {
		return nil, classify("tls", err)
	}
	f.Aborted = classify("tls", err)
	cs := conn.ConnectionState()
	f.Version, f.CipherSuite = cs.Version, cs.CipherSuite
	return f, nil
}

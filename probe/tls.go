package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"time"
)

// TLSFacts is what a TLS handshake showed, whatever verification says.
type TLSFacts struct {
	Addr        string
	SNI         string
	Version     uint16
	CipherSuite uint16
	Chain       []*x509.Certificate // as the server sent it, leaf first
	Handshake   time.Duration       // TCP connect plus TLS handshake
}

// TLSOptions narrows a handshake, e.g. to test one protocol version.
type TLSOptions struct {
	MinVersion, MaxVersion uint16
	CipherSuites           []uint16
}

// Handshake connects to exactly addr, sends sni, and returns the presented
// chain. It never verifies (verification is a separate step, VerifyChain)
// and never resumes a session.
func Handshake(ctx context.Context, addr, sni string, o TLSOptions) (*TLSFacts, error) {
	// The budget first: a connection opened and then left waiting for it
	// is one a server may close for want of a ClientHello.
	release, err := acquireHandshake(ctx)
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
	conn := tls.Client(raw, clientConfig(sni, o))
	if err := conn.HandshakeContext(ctx); err != nil {
		stalled := phase{}
		stalled.Store(phaseTLS)
		return nil, stalled.explain(classify("tls", err))
	}
	return factsOf(addr, sni, conn.ConnectionState(), time.Since(start)), nil
}

// clientConfig accepts any certificate so that the chain is captured even
// when it is wrong; ClientSessionCache stays nil so nothing is resumed.
func clientConfig(sni string, o TLSOptions) *tls.Config {
	return &tls.Config{
		ServerName:         sni,
		InsecureSkipVerify: true, // verified explicitly by VerifyChain
		MinVersion:         o.MinVersion,
		MaxVersion:         o.MaxVersion,
		CipherSuites:       o.CipherSuites,
	}
}

func factsOf(addr, sni string, cs tls.ConnectionState, d time.Duration) *TLSFacts {
	return &TLSFacts{
		Addr: addr, SNI: sni, Version: cs.Version, CipherSuite: cs.CipherSuite,
		Chain: cs.PeerCertificates, Handshake: d,
	}
}

// VerifyChain checks chain (leaf first, as sent) for name against roots,
// using only the intermediates the server sent.
func VerifyChain(chain []*x509.Certificate, name string, roots *x509.CertPool, now time.Time) error {
	if len(chain) == 0 {
		return &Error{Op: "tls", Kind: KindTLSAlert, Err: errNoCertificate}
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	_, err := chain[0].Verify(x509.VerifyOptions{
		DNSName: name, Roots: roots, Intermediates: inter, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	return err
}

// TLSVersionName is "TLS 1.2" and the like.
func TLSVersionName(v uint16) string { return tls.VersionName(v) }

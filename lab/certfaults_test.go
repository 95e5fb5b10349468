package lab

import (
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// served is the chain addr sends for sni, whatever it is.
func served(t *testing.T, addr, sni string, maxVersion uint16) []*x509.Certificate {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, &tls.Config{ServerName: sni, InsecureSkipVerify: true, MinVersion: tls.VersionTLS10, MaxVersion: maxVersion})
	if err != nil {
		t.Fatalf("handshake with %s: %v", addr, err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates
}

// TestCRLSite: the healthy lab publishes the CRLs its certificates name,
// on loopback, signed by the CA that issued them.
func TestCRLSite(t *testing.T) {
	l := startLab(t, Options{})
	chain := served(t, l.ProxyAddr, MeetHost, 0)
	if len(chain) != 2 {
		t.Fatalf("chain of %d", len(chain))
	}
	for i, c := range chain {
		if len(c.CRLDistributionPoints) != 1 || !strings.HasPrefix(c.CRLDistributionPoints[0], "http://127.0.0.1:") {
			t.Fatalf("certificate %d names %v", i, c.CRLDistributionPoints)
		}
	}
	resp, err := http.Get(chain[0].CRLDistributionPoints[0])
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	der, _ := io.ReadAll(resp.Body)
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatalf("not a CRL: %v", err)
	}
	if err := crl.CheckSignatureFrom(chain[1]); err != nil || crl.NextUpdate.Before(time.Now()) {
		t.Errorf("CRL: signature %v, next update %v", err, crl.NextUpdate)
	}
	// The file for cert inspect is what the proxy serves.
	pem, err := os.ReadFile(l.ProxyCertFile)
	if err != nil || strings.Count(string(pem), "BEGIN CERTIFICATE") != 2 {
		t.Errorf("%s: %v", l.ProxyCertFile, err)
	}
}

func TestCertFaultsBendTheServedCertificate(t *testing.T) {
	now := time.Now()
	cases := map[string]func(t *testing.T, l *Lab){
		"missing-san=dialin": func(t *testing.T, l *Lab) {
			if leaf := served(t, l.ProxyAddr, MeetHost, 0)[0]; leaf.VerifyHostname(DialinHost) == nil || leaf.VerifyHostname(MeetHost) != nil {
				t.Errorf("SANs %v", leaf.DNSNames)
			}
		},
		"expired-cert": func(t *testing.T, l *Lab) {
			if leaf := served(t, l.ProxyAddr, MeetHost, 0)[0]; !leaf.NotAfter.Before(now) {
				t.Errorf("not after %v", leaf.NotAfter)
			}
		},
		"expiring-cert": func(t *testing.T, l *Lab) {
			if leaf := served(t, l.ProxyAddr, MeetHost, 0)[0]; leaf.NotAfter.Before(now) || leaf.NotAfter.After(now.AddDate(0, 0, 30)) {
				t.Errorf("not after %v", leaf.NotAfter)
			}
		},
		"missing-intermediate": func(t *testing.T, l *Lab) {
			if n := len(served(t, l.ProxyAddr, MeetHost, 0)); n != 1 {
				t.Errorf("chain of %d", n)
			}
		},
		"self-signed": func(t *testing.T, l *Lab) {
			chain := served(t, l.ProxyAddr, MeetHost, 0)
			if len(chain) != 1 || chain[0].Issuer.String() != chain[0].Subject.String() {
				t.Errorf("chain %d, issuer %s", len(chain), chain[0].Issuer)
			}
		},
		"weak-key": func(t *testing.T, l *Lab) {
			if k, ok := served(t, l.ProxyAddr, MeetHost, 0)[0].PublicKey.(*rsa.PublicKey); !ok || k.N.BitLen() != 1024 {
				t.Error("not an RSA 1024 key")
			}
		},
		"wildcard-subject": func(t *testing.T, l *Lab) {
			if cn := served(t, l.ProxyAddr, MeetHost, 0)[0].Subject.CommonName; cn != "*."+Domain {
				t.Errorf("CN %s", cn)
			}
		},
		"legacy-tls": func(t *testing.T, l *Lab) {
			served(t, l.ProxyAddr, MeetHost, tls.VersionTLS10)
		},
		"no-tls12": func(t *testing.T, l *Lab) {
			served(t, l.ProxyAddr, MeetHost, tls.VersionTLS11)
			if c, err := tls.Dial("tcp", l.ProxyAddr, &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}); err == nil {
				c.Close()
				t.Error("TLS 1.2 accepted")
			}
		},
		"node-cert-mismatch": func(t *testing.T, l *Lab) {
			if len(l.Nodes) != 2 {
				t.Fatalf("%d nodes, the fault implies 2", len(l.Nodes))
			}
			a, b := served(t, l.Nodes[0], MeetHost, 0)[0], served(t, l.Nodes[1], MeetHost, 0)[0]
			if a.Equal(b) || !b.NotBefore.Before(a.NotBefore) {
				t.Errorf("node 2 serves %v from %v, node 1 from %v", b.SerialNumber, b.NotBefore, a.NotBefore)
			}
		},
		"crl-unreachable": func(t *testing.T, l *Lab) {
			leaf := served(t, l.ProxyAddr, MeetHost, 0)[0]
			if _, err := http.Get(leaf.CRLDistributionPoints[0]); err == nil {
				t.Error("the CRL address answered")
			}
		},
	}
	for fault, check := range cases {
		t.Run(fault, func(t *testing.T) {
			spec, err := ParseFault(fault)
			if err != nil {
				t.Fatal(err)
			}
			check(t, startLab(t, Options{Faults: []FaultSpec{spec}}))
		})
	}
}

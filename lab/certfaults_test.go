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

	"golang.org/x/crypto/ocsp"
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
	crl := fetchCRL(t, chain[0].CRLDistributionPoints[0])
	if err := crl.CheckSignatureFrom(chain[1]); err != nil || crl.NextUpdate.Before(time.Now()) || len(crl.RevokedCertificateEntries) != 0 {
		t.Errorf("CRL: signature %v, next update %v, %d entries", err, crl.NextUpdate, len(crl.RevokedCertificateEntries))
	}
	if st := ocspStatus(t, chain[0], chain[1]); st != ocsp.Good {
		t.Errorf("OCSP status %d, want good", st)
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
		"revoked-cert": func(t *testing.T, l *Lab) {
			chain := served(t, l.ProxyAddr, MeetHost, 0)
			if st := ocspStatus(t, chain[0], chain[1]); st != ocsp.Revoked {
				t.Errorf("OCSP status %d, want revoked", st)
			}
			crl := fetchCRL(t, chain[0].CRLDistributionPoints[0])
			if len(crl.RevokedCertificateEntries) != 1 || crl.RevokedCertificateEntries[0].SerialNumber.Cmp(chain[0].SerialNumber) != 0 {
				t.Errorf("CRL entries %v, want the leaf's serial", crl.RevokedCertificateEntries)
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

func fetchCRL(t *testing.T, url string) *x509.RevocationList {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	der, _ := io.ReadAll(resp.Body)
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatalf("not a CRL: %v", err)
	}
	return crl
}

// ocspStatus asks the responder cert names, by POST, about cert; the
// answer must verify against issuer.
func ocspStatus(t *testing.T, cert, issuer *x509.Certificate) int {
	t.Helper()
	if len(cert.OCSPServer) != 1 {
		t.Fatalf("OCSP servers %v", cert.OCSPServer)
	}
	req, err := ocsp.CreateRequest(cert, issuer, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(cert.OCSPServer[0], "application/ocsp-request", strings.NewReader(string(req)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	der, _ := io.ReadAll(resp.Body)
	answer, err := ocsp.ParseResponseForCert(der, cert, issuer)
	if err != nil {
		t.Fatalf("OCSP answer: %v", err)
	}
	return answer.Status
}

// The certificate settings: a certificate per name, chosen by SNI, and an
// expired cross-certificate sent beside the valid path.
func TestCertSettings(t *testing.T) {
	l := startLab(t, Options{SNICerts: true, OWA: true, CrossCert: true})
	main := served(t, l.ProxyAddr, MeetHost, 0)
	for _, h := range []string{DiscoverHost, OWAHost} {
		own := served(t, l.ProxyAddr, h, 0)
		if own[0].Equal(main[0]) || len(own[0].DNSNames) != 1 || own[0].DNSNames[0] != h {
			t.Errorf("%s: served %v", h, own[0].DNSNames)
		}
		if main[0].VerifyHostname(h) == nil {
			t.Errorf("the main certificate still names %s", h)
		}
	}
	if len(main) != 3 || !main[2].NotAfter.Before(time.Now()) || main[2].Subject.String() != l.pki.publicRoot.cert.Subject.String() {
		t.Fatalf("chain of %d; want leaf, intermediate, expired cross-certificate of the root", len(main))
	}
	roots := x509.NewCertPool()
	roots.AddCert(l.pki.publicRoot.cert)
	inter := x509.NewCertPool()
	inter.AddCert(main[1])
	inter.AddCert(main[2])
	if _, err := main[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, DNSName: MeetHost}); err != nil {
		t.Errorf("the valid path beside the cross-certificate: %v", err)
	}
}

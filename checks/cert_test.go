package checks

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/internal/tlstest"
	"golang.org/x/crypto/ocsp"
)

// The cert checks against loopback TLS listeners serving certificates
// minted here; the names resolve to 127.0.0.1 through recorded answers.

const (
	webext  = "webext.contoso.test"
	meet    = "meet.contoso.test"
	dialin  = "dialin.contoso.test"
	discovr = "lyncdiscover.contoso.test"
)

// crlServer publishes CRLs signed by ca (listing what revoked returns at
// request time) and an OCSP responder on loopback. With ocspStatus 0 the
// responder answers as RFC 6960 says, signed by ca: revoked for what
// revoked lists, unknown for serials in unknown, good otherwise; any other
// ocspStatus is sent as the responseStatus alone (6 = unauthorized).
// /bad.crl and /ocsp-forged/ are signed by another key.
func crlServer(t *testing.T, ca *tlstest.CA, revoked func() []*x509.Certificate, ocspStatus int, unknown ...*big.Int) *httptest.Server {
	t.Helper()
	forger := &tlstest.CA{Cert: ca.Cert, Key: tlstest.ECKey(t)}
	crl := func(w http.ResponseWriter, next time.Time, signer *tlstest.CA) {
		var entries []x509.RevocationListEntry
		for _, c := range revoked() {
			entries = append(entries, x509.RevocationListEntry{SerialNumber: c.SerialNumber, RevocationTime: time.Now().Add(-time.Hour)})
		}
		der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1),
			ThisUpdate: time.Now().Add(-48 * time.Hour), NextUpdate: next, RevokedCertificateEntries: entries}, ca.Cert, signer.Key)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Write(der)
	}
	answer := func(w http.ResponseWriter, r *http.Request, prefix string, signer *tlstest.CA) {
		der, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(r.URL.Path, prefix))
		q, err2 := ocsp.ParseRequest(der)
		if err != nil || err2 != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/ocsp-response")
		if ocspStatus != 0 {
			resp, _ := asn1.Marshal(struct{ Status asn1.Enumerated }{asn1.Enumerated(ocspStatus)})
			w.Write(resp)
			return
		}
		tmpl := ocsp.Response{Status: ocsp.Good, SerialNumber: q.SerialNumber, ThisUpdate: time.Now().Add(-time.Hour), NextUpdate: time.Now().Add(24 * time.Hour)}
		for _, c := range revoked() {
			if c.SerialNumber.Cmp(q.SerialNumber) == 0 {
				tmpl.Status, tmpl.RevokedAt, tmpl.RevocationReason = ocsp.Revoked, time.Now().Add(-time.Hour), ocsp.KeyCompromise
			}
		}
		if slices.ContainsFunc(unknown, func(n *big.Int) bool { return n.Cmp(q.SerialNumber) == 0 }) {
			tmpl.Status = ocsp.Unknown
		}
		resp, err := ocsp.CreateResponse(ca.Cert, ca.Cert, tmpl, signer.Key)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Write(resp)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/ca.crl", func(w http.ResponseWriter, _ *http.Request) { crl(w, time.Now().AddDate(0, 0, 7), ca) })
	mux.HandleFunc("/stale.crl", func(w http.ResponseWriter, _ *http.Request) { crl(w, time.Now().Add(-time.Hour), ca) })
	mux.HandleFunc("/bad.crl", func(w http.ResponseWriter, _ *http.Request) { crl(w, time.Now().AddDate(0, 0, 7), forger) })
	mux.HandleFunc("/ocsp/", func(w http.ResponseWriter, r *http.Request) { answer(w, r, "/ocsp/", ca) })
	mux.HandleFunc("/ocsp-forged/", func(w http.ResponseWriter, r *http.Request) { answer(w, r, "/ocsp-forged/", forger) })
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func none() []*x509.Certificate { return nil }

func TestCertModuleOnLoopback(t *testing.T) {
	p := newCertPKI(t)
	site := crlServer(t, p.inter, none, 0)
	key := tlstest.RSAKey(t, 2048)
	leaf := p.leaf(t, key, []string{webext, meet, discovr}, func(c *x509.Certificate) {
		c.CRLDistributionPoints = []string{site.URL + "/ca.crl"}
		c.OCSPServer = []string{site.URL + "/ocsp"}
	})
	addr := certServeTLS(t, []*x509.Certificate{leaf, p.inter.Cert}, key, tls.VersionTLS12, 0)
	rs := runCertModule(t, certDeployment(certPort(t, addr), p.writeCAFile(t)), certProbes(webext, meet, dialin, discovr))

	want := []struct {
		id, target string
		status     Status
		msg        string
	}{
		{"cert.san-coverage", webext, Pass, "covers webext.contoso.test"},
		{"cert.san-coverage", dialin, Fail, "does not cover dialin.contoso.test"},
		{"cert.all-names", webext, Fail, "covers 3 of 4 published names; misses dialin.contoso.test"},
		{"cert.chain", webext, Pass, "trusted through tls.ca_file"},
		{"cert.expiry", webext, Pass, "valid until"},
		{"cert.subject", webext, Pass, "also a SAN"},
		{"cert.key-usage", webext, Pass, "RSA 2048-bit"},
		{"cert.tls-versions", meet, Pass, "accepts TLS 1.2, TLS 1.3; refuses TLS 1.0, TLS 1.1"},
		{"cert.node-consistency", meet, Info, "nothing to compare"},
		{"cert.revocation", site.URL + "/ca.crl", Pass, "answered with a CRL (0 entries"},
		{"cert.revocation", site.URL + "/ocsp", Pass, "the OCSP responder answered good"},
	}
	for _, w := range want {
		r := certResult(t, rs, w.id, w.target, "")
		if r.Status != w.status || !strings.Contains(r.Message, w.msg) {
			t.Errorf("%s %s: %s %q; want %s containing %q", w.id, w.target, r.Status, r.Message, w.status, w.msg)
		}
	}
	if r := certResult(t, rs, "cert.all-names", webext, ""); !strings.Contains(r.Remedy, "webext.contoso.test, meet.contoso.test, lyncdiscover.contoso.test, dialin.contoso.test") {
		t.Errorf("all-names remedy: %s", r.Remedy)
	}
	if r := certResult(t, rs, "cert.chain", webext, ""); r.Evidence["trusted_by"] == nil || !strings.HasPrefix(r.Evidence["trusted_by"].(string), "tls.ca_file") {
		t.Errorf("chain evidence: %v", r.Evidence)
	}
}

// A name that does not resolve is skipped, naming dns.resolves, and still
// judged on the nodes; a node with an older certificate is named.
func TestCertModuleNodesAndCascade(t *testing.T) {
	p := newCertPKI(t)
	key := tlstest.ECKey(t)
	names := []string{webext, meet, dialin, discovr}
	current := p.leaf(t, key, names)
	old := p.leaf(t, key, names, func(c *x509.Certificate) { c.NotBefore = time.Now().AddDate(0, 0, -200) })
	nodeA := certServeTLS(t, []*x509.Certificate{current, p.inter.Cert}, key, tls.VersionTLS12, 0)
	nodeB := certServeTLS(t, []*x509.Certificate{old, p.inter.Cert}, key, tls.VersionTLS12, 0)
	dep := certDeployment(certPort(t, nodeA), p.writeCAFile(t), nodeA, nodeB)
	rs := runCertModule(t, dep, certProbes(webext, meet, discovr)) // dialin: NXDOMAIN

	if r := certResult(t, rs, "cert.san-coverage", dialin, ""); r.Status != Skip || !strings.Contains(r.Message, "depends on dns.resolves") {
		t.Errorf("dialin: %s %q", r.Status, r.Message)
	}
	if r := certResult(t, rs, "cert.san-coverage", dialin, "node "+nodeB); r.Status != Pass {
		t.Errorf("dialin on node B: %s %q", r.Status, r.Message)
	}
	if r := certResult(t, rs, "cert.node-consistency", dialin, "nodes"); r.Status != Fail {
		t.Errorf("dialin's nodes are still compared: %s %q", r.Status, r.Message)
	}
	r := certResult(t, rs, "cert.node-consistency", meet, "")
	if r.Status != Fail || !strings.Contains(r.Message, "node "+nodeB+" serves an older certificate") {
		t.Errorf("node-consistency: %s %q", r.Status, r.Message)
	}
	// Two distinct certificates: one result each for the per-certificate checks.
	n := 0
	for _, r := range rs {
		if r.ID == "cert.expiry" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d cert.expiry results, want one per distinct certificate (2):\n%s", n, certDump(rs))
	}
}

// A proxy that stops at TLS 1.1: cert.tls-versions fails, and the other
// checks still judge the certificate it shows over TLS 1.1.
func TestCertModuleOldTLSOnly(t *testing.T) {
	p := newCertPKI(t)
	key := tlstest.RSAKey(t, 2048)
	leaf := p.leaf(t, key, []string{webext, meet, dialin, discovr})
	addr := certServeTLS(t, []*x509.Certificate{leaf, p.inter.Cert}, key, tls.VersionTLS10, tls.VersionTLS11)
	rs := runCertModule(t, certDeployment(certPort(t, addr), p.writeCAFile(t)), certProbes(webext, meet, dialin, discovr))
	r := certResult(t, rs, "cert.tls-versions", webext, "")
	if r.Status != Fail || !strings.Contains(r.Message, "does not offer TLS 1.2") || !strings.Contains(r.Message, "accepts TLS 1.0, TLS 1.1") {
		t.Errorf("tls-versions: %s %q", r.Status, r.Message)
	}
	r = certResult(t, rs, "cert.san-coverage", webext, "")
	if r.Status != Pass || !strings.Contains(r.Evidence["note"].(string), "captured over TLS 1.1") {
		t.Errorf("san-coverage over TLS 1.1: %s %q %v", r.Status, r.Message, r.Evidence)
	}
}

// Revocation findings, one certificate per name (served by SNI): a CRL
// that lists the certificate, a stale CRL, an OCSP responder that does not
// know the CA, and a CRL host that does not resolve. Nothing leaves loopback.
func TestCertRevocationFindings(t *testing.T) {
	p := newCertPKI(t)
	var revoked []*x509.Certificate
	site := crlServer(t, p.inter, func() []*x509.Certificate { return revoked }, 6)
	urls := map[string]func(*x509.Certificate){
		webext:  func(c *x509.Certificate) { c.CRLDistributionPoints = []string{site.URL + "/ca.crl"} },
		meet:    func(c *x509.Certificate) { c.CRLDistributionPoints = []string{site.URL + "/stale.crl"} },
		dialin:  func(c *x509.Certificate) { c.OCSPServer = []string{site.URL + "/ocsp"} },
		discovr: func(c *x509.Certificate) { c.CRLDistributionPoints = []string{"http://crl.nowhere.test/ca.crl"} },
	}
	issued := func(name string, leaf *x509.Certificate) {
		if name == webext {
			revoked = append(revoked, leaf)
		}
	}
	assertRevocation(t, p, urls, issued, []revocationWant{
		{site.URL + "/ca.crl", Fail, "is revoked by this CRL"},
		{site.URL + "/stale.crl", Warn, "stale: its next update was due"},
		{site.URL + "/ocsp", Fail, "the OCSP responder answered unauthorized"},
		{"http://crl.nowhere.test/ca.crl", Fail, "does not resolve in public DNS"},
	})
}

// certServeSNI serves a certificate per SNI name on one loopback port.
func certServeSNI(t *testing.T, certs map[string]tls.Certificate) string {
	t.Helper()
	cfg := &tls.Config{GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
		c := certs[h.ServerName]
		return &c, nil
	}}
	return tlstest.HandshakeServer(t, cfg)
}

// revocationWant is one cert.revocation result a test expects: its target
// (the CRL or OCSP address), its status and part of its message.
type revocationWant struct {
	target string
	status Status
	msg    string
}

// assertRevocation serves, for each published name, a leaf of p's
// intermediate that urls[name] gives its revocation addresses (issued
// learns each leaf, so that the test's servers can list it), runs the
// cert module against them and checks every wanted result.
func assertRevocation(t *testing.T, p *certPKI, urls map[string]func(*x509.Certificate), issued func(name string, leaf *x509.Certificate), want []revocationWant) {
	t.Helper()
	key := tlstest.ECKey(t)
	certs := map[string]tls.Certificate{}
	for name, mod := range urls {
		leaf := p.leaf(t, key, []string{webext, meet, dialin, discovr}, mod)
		issued(name, leaf)
		certs[name] = tls.Certificate{Certificate: [][]byte{leaf.Raw, p.inter.Cert.Raw}, PrivateKey: key}
	}
	addr := certServeSNI(t, certs)
	rs := runCertModule(t, certDeployment(certPort(t, addr), p.writeCAFile(t)), certProbes(webext, meet, dialin, discovr))
	for _, w := range want {
		r := certResult(t, rs, "cert.revocation", w.target, "")
		if r.Status != w.status || !strings.Contains(r.Message, w.msg) {
			t.Errorf("%s: %s %q; want %s containing %q", w.target, r.Status, r.Message, w.status, w.msg)
		}
	}
}

// What the revocation answers say is judged, one certificate per name:
// OCSP revoked fails, unknown warns, an answer signed by another key is an
// error, and so is a CRL whose signature does not verify.
func TestCertRevocationJudged(t *testing.T) {
	p := newCertPKI(t)
	var revoked []*x509.Certificate
	unknownSerial := new(big.Int)
	site := crlServer(t, p.inter, func() []*x509.Certificate { return revoked }, 0, unknownSerial)
	urls := map[string]func(*x509.Certificate){
		webext:  func(c *x509.Certificate) { c.OCSPServer = []string{site.URL + "/ocsp"} },
		meet:    func(c *x509.Certificate) { c.OCSPServer = []string{site.URL + "/ocsp/"} },
		dialin:  func(c *x509.Certificate) { c.OCSPServer = []string{site.URL + "/ocsp-forged"} },
		discovr: func(c *x509.Certificate) { c.CRLDistributionPoints = []string{site.URL + "/bad.crl"} },
	}
	issued := func(name string, leaf *x509.Certificate) {
		switch name {
		case webext, discovr:
			revoked = append(revoked, leaf)
		case meet:
			unknownSerial.Set(leaf.SerialNumber)
		}
	}
	assertRevocation(t, p, urls, issued, []revocationWant{
		{site.URL + "/ocsp", Fail, "the OCSP responder says the certificate is revoked"},
		{site.URL + "/ocsp/", Warn, "does not know the certificate (status unknown)"},
		{site.URL + "/ocsp-forged", Error, "signature does not verify: not signed by the issuer CN Test Issuing CA"},
		{site.URL + "/bad.crl", Error, "the CRL's signature does not verify"},
	})
}

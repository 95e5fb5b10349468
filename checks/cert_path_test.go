package checks

import (
	"crypto/tls"
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/internal/tlstest"
)

// Expiry, key strength and trust are judged on the path a client builds
// (x509.Verify's), not on every certificate sent: a cross-certificate the
// client does not need is info at most, while a path whose own
// certificates are expired or weak, or that lacks its intermediate, fails.
func TestCertVerdictsOnTheClientPath(t *testing.T) {
	p := newCertPKI(t)
	legacy := tlstest.NewCA(t, "Test Legacy Root", nil)
	cross := func(mods ...func(*x509.Certificate)) *x509.Certificate {
		tmpl := &x509.Certificate{Subject: p.root.Cert.Subject, IsCA: true, BasicConstraintsValid: true,
			KeyUsage:  x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
			NotBefore: time.Now().AddDate(-6, 0, 0), NotAfter: time.Now().AddDate(5, 0, 0)}
		for _, m := range mods {
			m(tmpl)
		}
		return tlstest.Sign(t, tmpl, p.root.Key, legacy)
	}
	expiredCross := cross(func(c *x509.Certificate) { c.NotAfter = time.Now().AddDate(-1, 0, 0) })
	sha1Cross := cross(func(c *x509.Certificate) { c.SignatureAlgorithm = x509.ECDSAWithSHA1 })
	expiredInter := tlstest.NewCA(t, "Test Expired Issuing CA", p.root, func(c *x509.Certificate) { c.NotAfter = time.Now().AddDate(0, 0, -2) })
	sha1Inter := tlstest.NewCA(t, "Test SHA-1 Issuing CA", p.root, func(c *x509.Certificate) { c.SignatureAlgorithm = x509.ECDSAWithSHA1 })
	key := tlstest.ECKey(t)
	names := []string{webext, meet, dialin, discovr}
	leaf := p.leaf(t, key, names)
	issued := func(ca *tlstest.CA) *x509.Certificate {
		return tlstest.Sign(t, tlstest.LeafTemplate(names...), key, ca)
	}
	type want struct {
		id     string
		status Status
		msg    string
	}
	cases := map[string]struct {
		chain []*x509.Certificate
		want  []want
	}{
		"expired cross-certificate beside the path": {[]*x509.Certificate{leaf, p.inter.Cert, expiredCross}, []want{
			{"cert.chain", Info, "the server also sends CN " + p.root.Cert.Subject.CommonName + " (expired on"},
			{"cert.expiry", Pass, "valid until"}, {"cert.key-usage", Pass, "ECDSA 256-bit"},
		}},
		"SHA-1 cross-certificate beside the path": {[]*x509.Certificate{leaf, p.inter.Cert, sha1Cross}, []want{
			{"cert.chain", Info, "signed with SHA-1"}, {"cert.key-usage", Pass, "ECDSA 256-bit"},
		}},
		"expired intermediate on the path": {[]*x509.Certificate{issued(expiredInter), expiredInter.Cert}, []want{
			{"cert.expiry", Fail, "the intermediate CN Test Expired Issuing CA expired on"},
		}},
		"SHA-1 intermediate on the path": {[]*x509.Certificate{issued(sha1Inter), sha1Inter.Cert}, []want{
			{"cert.key-usage", Fail, "the intermediate CN Test SHA-1 Issuing CA is signed with SHA-1"},
		}},
		"missing intermediate": {[]*x509.Certificate{leaf}, []want{
			{"cert.chain", Fail, "the server did not send the intermediate"},
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			addr := certServeTLS(t, tc.chain, key, tls.VersionTLS12, 0)
			rs := runCertModule(t, certDeployment(certPort(t, addr), p.writeCAFile(t)), certProbes(names...))
			for _, w := range tc.want {
				r := certResult(t, rs, w.id, webext, "")
				if r.Status != w.status || !strings.Contains(r.Message, w.msg) {
					t.Errorf("%s: %s %q; want %s containing %q", w.id, r.Status, r.Message, w.status, w.msg)
				}
			}
		})
	}
}

// A certificate per name, chosen by SNI: each certificate is judged on
// the names it is served for, and the nodes are compared name by name.
func TestCertPerNameCertificates(t *testing.T) {
	p := newCertPKI(t)
	key := tlstest.ECKey(t)
	main := p.leaf(t, key, []string{webext, meet, dialin})
	own := p.leaf(t, key, []string{discovr})
	oldOwn := p.leaf(t, key, []string{discovr}, func(c *x509.Certificate) { c.NotBefore = time.Now().AddDate(0, 0, -200) })
	serve := func(discover *x509.Certificate) string {
		certs := map[string]tls.Certificate{}
		for _, n := range []string{webext, meet, dialin} {
			certs[n] = tls.Certificate{Certificate: [][]byte{main.Raw, p.inter.Cert.Raw}, PrivateKey: key}
		}
		certs[discovr] = tls.Certificate{Certificate: [][]byte{discover.Raw, p.inter.Cert.Raw}, PrivateKey: key}
		return certServeSNI(t, certs)
	}
	nodeA, nodeB := serve(own), serve(oldOwn)
	rs := runCertModule(t, certDeployment(certPort(t, nodeA), p.writeCAFile(t), nodeA, nodeB), certProbes(webext, meet, dialin, discovr))
	for _, id := range []string{"cert.all-names"} {
		for _, r := range rs {
			if r.ID == id && r.Status != Pass {
				t.Errorf("%s: %s", id, describeResult(r))
			}
		}
	}
	if r := certResult(t, rs, "cert.all-names", webext, ""); !strings.Contains(r.Message, "covers all 3 names it is served for (webext.contoso.test, meet.contoso.test, dialin.contoso.test); lyncdiscover.contoso.test is served with certificates of their own") {
		t.Errorf("all-names: %q", r.Message)
	}
	for _, h := range []string{webext, meet, dialin} {
		if r := certResult(t, rs, "cert.node-consistency", h, ""); r.Status != Pass {
			t.Errorf("%s: %s", h, describeResult(r))
		}
	}
	if r := certResult(t, rs, "cert.node-consistency", discovr, ""); r.Status != Fail || !strings.Contains(r.Message, "node "+nodeB+" serves an older certificate") {
		t.Errorf("lyncdiscover: %s", describeResult(r))
	}
}

// Microsoft requires one certificate across names in one place: mobile
// clients do not support multiple certificates from different domains,
// so lyncdiscover with a certificate of its own fails when the external
// web services name is in another domain.
func TestCertPerNameAcrossDomains(t *testing.T) {
	p := newCertPKI(t)
	key := tlstest.ECKey(t)
	const web = "webext.contoso.net"
	main := p.leaf(t, key, []string{web, meet, dialin})
	own := p.leaf(t, key, []string{discovr})
	certs := map[string]tls.Certificate{discovr: {Certificate: [][]byte{own.Raw, p.inter.Cert.Raw}, PrivateKey: key}}
	for _, n := range []string{web, meet, dialin} {
		certs[n] = tls.Certificate{Certificate: [][]byte{main.Raw, p.inter.Cert.Raw}, PrivateKey: key}
	}
	addr := certServeSNI(t, certs)
	dep := certDeployment(certPort(t, addr), p.writeCAFile(t))
	dep.WebServices[0].External = web
	rs := runCertModule(t, dep, certProbes(web, meet, dialin, discovr))
	r := certResult(t, rs, "cert.all-names", discovr, "")
	if r.Status != Fail || !strings.Contains(r.Message, "mobile device clients do not support multiple SSL certificates from different domains") {
		t.Errorf("lyncdiscover's certificate: %s", describeResult(r))
	}
	if r := certResult(t, rs, "cert.all-names", web, ""); r.Status != Pass {
		t.Errorf("web services certificate: %s", describeResult(r))
	}
}

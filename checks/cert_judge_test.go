package checks

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/internal/tlstest"
	"github.com/lyncprobe/lyncprobe/probe"
)

// Decision functions on chains minted here (recorded facts); the checks
// themselves run against loopback listeners in cert_test.go.

func TestJudgeChain(t *testing.T) {
	p := newCertPKI(t)
	key := tlstest.ECKey(t)
	leaf := p.leaf(t, key, []string{"webext.contoso.test"})
	selfTmpl := tlstest.LeafTemplate("webext.contoso.test")
	self := tlstest.Sign(t, selfTmpl, key, nil)
	other := newCertPKI(t) // a CA nobody trusts
	otherLeaf := other.leaf(t, key, []string{"webext.contoso.test"})
	expired := p.leaf(t, key, []string{"webext.contoso.test"}, func(c *x509.Certificate) {
		c.NotBefore, c.NotAfter = time.Now().AddDate(-1, 0, 0), time.Now().AddDate(0, 0, -1)
	})
	empty := x509.NewCertPool()
	public := newCertPKI(t).pool() // a machine's public roots: none issued these chains
	cases := []struct {
		name          string
		chain         []*x509.Certificate
		system, all   *x509.CertPool
		status        Status
		want, trusted string
	}{
		{"public root", []*x509.Certificate{leaf, p.inter.Cert}, p.pool(), p.pool(), Pass, "publicly trusted root", "system roots"},
		{"through ca_file", []*x509.Certificate{leaf, p.inter.Cert}, public, p.pool(), Pass, "trusted through tls.ca_file", "tls.ca_file ca.pem"},
		{"intermediate sent in the wrong order, root sent too", []*x509.Certificate{leaf, p.root.Cert, p.inter.Cert}, public, p.pool(), Pass, "tls.ca_file", "tls.ca_file ca.pem"},
		{"expired leaf still chains", []*x509.Certificate{expired, p.inter.Cert}, public, p.pool(), Pass, "tls.ca_file", "tls.ca_file ca.pem"},
		{"intermediate not sent", []*x509.Certificate{leaf}, public, p.pool(), Fail, "did not send the intermediate", ""},
		{"self-signed", []*x509.Certificate{self}, public, p.pool(), Fail, "self-signed", ""},
		{"untrusted CA, root sent", []*x509.Certificate{otherLeaf, other.inter.Cert, other.root.Cert}, public, p.pool(), Fail, "neither publicly trusted nor in tls.ca_file", ""},
		{"untrusted CA, root not sent", []*x509.Certificate{otherLeaf, other.inter.Cert}, public, p.pool(), Fail, "neither publicly trusted nor in tls.ca_file", ""},
		// A machine without a trust store (a container without ca-certificates)
		// cannot tell a public CA from a private one: error, not fail.
		{"no trust store: untrusted CA", []*x509.Certificate{otherLeaf, other.inter.Cert}, empty, empty, Error, "no system trust store", ""},
		{"no trust store: intermediate not sent", []*x509.Certificate{leaf}, empty, empty, Fail, "did not send the intermediate", ""},
		{"no trust store: self-signed", []*x509.Certificate{self}, empty, empty, Fail, "self-signed", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := judgeChain(tc.chain, tc.system, tc.all, "ca.pem", time.Now())
			if r.Status != tc.status || !strings.Contains(r.Message, tc.want) {
				t.Fatalf("got %s %q; want %s containing %q", r.Status, r.Message, tc.status, tc.want)
			}
			if got, _ := r.Evidence["trusted_by"].(string); got != tc.trusted {
				t.Errorf("trusted_by %q, want %q", got, tc.trusted)
			}
			if tc.status == Fail && r.Remedy == "" {
				t.Error("a failure without a remedy")
			}
		})
	}
}

func TestJudgeExpiry(t *testing.T) {
	p := newCertPKI(t)
	key := tlstest.ECKey(t)
	now := time.Now()
	validity := func(from, until time.Time) func(*x509.Certificate) {
		return func(c *x509.Certificate) { c.NotBefore, c.NotAfter = from, until }
	}
	shortInter := tlstest.NewCA(t, "Short Issuing CA", p.root, validity(now.AddDate(-1, 0, 0), now.AddDate(0, 0, 5)))
	cases := []struct {
		name   string
		chain  []*x509.Certificate
		status Status
		want   string
	}{
		{"valid", []*x509.Certificate{p.leaf(t, key, []string{"a.test"}), p.inter.Cert}, Pass, "valid until"},
		{"expired", []*x509.Certificate{p.leaf(t, key, []string{"a.test"}, validity(now.AddDate(-1, 0, 0), now.AddDate(0, 0, -2))), p.inter.Cert},
			Fail, "expired on " + now.AddDate(0, 0, -2).UTC().Format("2006-01-02")},
		{"not yet valid", []*x509.Certificate{p.leaf(t, key, []string{"a.test"}, validity(now.AddDate(0, 0, 3), now.AddDate(1, 0, 0))), p.inter.Cert},
			Fail, "not valid before"},
		{"expiring", []*x509.Certificate{p.leaf(t, key, []string{"a.test"}, validity(now.AddDate(0, 0, -300), now.AddDate(0, 0, 12))), p.inter.Cert},
			Warn, "expires on " + now.AddDate(0, 0, 12).UTC().Format("2006-01-02") + ", in 12 days"},
		{"intermediate expiring", []*x509.Certificate{tlstest.Sign(t, tlstest.LeafTemplate("a.test"), key, shortInter), shortInter.Cert},
			Warn, "the intermediate CN Short Issuing CA expires"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := judgeExpiry(probe.BuildPath(tc.chain), now, 30)
			if r.Status != tc.status || !strings.Contains(r.Message, tc.want) {
				t.Fatalf("got %s %q; want %s containing %q", r.Status, r.Message, tc.status, tc.want)
			}
		})
	}
}

func TestJudgeSubjectAndNames(t *testing.T) {
	p := newCertPKI(t)
	key := tlstest.ECKey(t)
	hosts := []string{"webext.contoso.test", "meet.contoso.test", "dialin.contoso.test"}
	good := p.leaf(t, key, hosts)
	wild := p.leaf(t, key, []string{"*.contoso.test", "webext.contoso.test"}, func(c *x509.Certificate) { c.Subject.CommonName = "*.contoso.test" })
	cnOnly := p.leaf(t, key, []string{"meet.contoso.test"}, func(c *x509.Certificate) { c.Subject.CommonName = "webext.contoso.test" })
	noCN := p.leaf(t, key, hosts, func(c *x509.Certificate) { c.Subject = pkix.Name{} })
	for name, tc := range map[string]struct {
		leaf   *x509.Certificate
		status Status
		want   string
	}{
		"good": {good, Pass, "also a SAN"}, "wildcard": {wild, Fail, "is a wildcard"},
		"cn not in sans": {cnOnly, Fail, "not among the SANs"}, "no cn": {noCN, Warn, "no subject common name"},
	} {
		if r := judgeSubject(tc.leaf); r.Status != tc.status || !strings.Contains(r.Message, tc.want) {
			t.Errorf("%s: got %s %q", name, r.Status, r.Message)
		}
	}
	// all-names: the wildcard covers meet and dialin; cnOnly misses two,
	// and the request lists every name once.
	if r := judgeAllNames(wild, hosts, hosts, nil); r.Status != Pass {
		t.Errorf("wildcard: %s %q", r.Status, r.Message)
	}
	r := judgeAllNames(cnOnly, hosts, hosts, nil)
	if r.Status != Fail || !strings.Contains(r.Message, "misses webext.contoso.test, dialin.contoso.test") {
		t.Fatalf("got %s %q", r.Status, r.Message)
	}
	if got := strings.Join(r.Evidence["request_sans"].([]string), ","); got != "meet.contoso.test,webext.contoso.test,dialin.contoso.test" {
		t.Errorf("request_sans %s", got)
	}
}

func TestJudgeCoverage(t *testing.T) {
	p := newCertPKI(t)
	leaf := p.leaf(t, tlstest.ECKey(t), []string{"webext.contoso.test", "*.contoso.test"})
	for host, want := range map[string]Status{
		"webext.contoso.test": Pass, "meet.contoso.test": Pass, "MEET.contoso.test.": Pass,
		"contoso.test": Fail, "a.meet.contoso.test": Fail, "meet.fabrikam.test": Fail,
	} {
		r := judgeCoverage(certSeen{Host: host, Chain: []*x509.Certificate{leaf}})
		if r.Status != want {
			t.Errorf("%s: %s %q, want %s", host, r.Status, r.Message, want)
		}
	}
}

func TestJudgeKeyUsage(t *testing.T) {
	p := newCertPKI(t)
	names := []string{"webext.contoso.test"}
	rsaRoot := &tlstest.CA{Key: tlstest.RSAKey(t, 2048)}
	rsaRoot.Cert = tlstest.Sign(t, &x509.Certificate{Subject: pkix.Name{CommonName: "RSA root"}, IsCA: true, BasicConstraintsValid: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0), KeyUsage: x509.KeyUsageCertSign}, rsaRoot.Key, nil)
	sha1Leaf := tlstest.Sign(t, func() *x509.Certificate {
		c := tlstest.LeafTemplate(names...)
		c.SignatureAlgorithm = x509.SHA1WithRSA
		return c
	}(), tlstest.ECKey(t), rsaRoot)
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	cases := []struct {
		name   string
		chain  []*x509.Certificate
		status Status
		want   string
	}{
		{"good", []*x509.Certificate{p.leaf(t, tlstest.RSAKey(t, 2048), names), p.inter.Cert}, Pass, "RSA 2048-bit"},
		{"rsa 1024", []*x509.Certificate{p.leaf(t, tlstest.RSAKey(t, 1024), names), p.inter.Cert}, Fail, "1024-bit RSA key (at least 2048"},
		{"p-224", []*x509.Certificate{p.leaf(t, p224, names), p.inter.Cert}, Fail, "224-bit ECDSA key"},
		{"client auth only", []*x509.Certificate{p.leaf(t, tlstest.ECKey(t), names, func(c *x509.Certificate) {
			c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		}), p.inter.Cert}, Fail, "lacks the Server Authentication"},
		{"no eku", []*x509.Certificate{p.leaf(t, tlstest.ECKey(t), names, func(c *x509.Certificate) { c.ExtKeyUsage = nil }), p.inter.Cert}, Warn, "no extended key usage"},
		{"sha-1 leaf", []*x509.Certificate{sha1Leaf, rsaRoot.Cert}, Fail, "signed with SHA-1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := judgeKeyUsage(probe.BuildPath(tc.chain))
			if r.Status != tc.status || !strings.Contains(r.Message, tc.want) {
				t.Fatalf("got %s %q; want %s containing %q", r.Status, r.Message, tc.status, tc.want)
			}
		})
	}
	// A self-signed root signed with SHA-1 is not judged by its signature.
	oldRoot := &tlstest.CA{Key: tlstest.RSAKey(t, 2048)}
	oldRoot.Cert = tlstest.Sign(t, &x509.Certificate{Subject: pkix.Name{CommonName: "Old root"}, IsCA: true, BasicConstraintsValid: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0), KeyUsage: x509.KeyUsageCertSign,
		SignatureAlgorithm: x509.SHA1WithRSA}, oldRoot.Key, nil)
	leaf := tlstest.Sign(t, tlstest.LeafTemplate(names...), tlstest.ECKey(t), oldRoot)
	if r := judgeKeyUsage(probe.BuildPath([]*x509.Certificate{leaf, oldRoot.Cert})); r.Status != Pass {
		t.Errorf("SHA-1 self-signed root: %s %q", r.Status, r.Message)
	}
}

func TestJudgeVersions(t *testing.T) {
	alert := &probe.Error{Op: "tls", Kind: probe.KindTLSAlert, Err: errors.New("protocol version not supported")}
	refused := &probe.Error{Op: "dial", Kind: probe.KindRefused}
	probes := func(errs ...error) []versionProbe {
		var out []versionProbe
		for i, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11, tls.VersionTLS12, tls.VersionTLS13} {
			out = append(out, versionProbe{Version: v, Err: errs[i]})
		}
		return out
	}
	cases := []struct {
		name   string
		in     []versionProbe
		status Status
		want   string
	}{
		{"modern", probes(alert, alert, nil, nil), Pass, "accepts TLS 1.2, TLS 1.3; refuses TLS 1.0, TLS 1.1"},
		{"legacy", probes(nil, nil, nil, alert), Warn, "still accepts TLS 1.0/1.1"},
		{"no 1.2", probes(nil, nil, alert, alert), Fail, "does not offer TLS 1.2"},
		{"1.3 only", probes(alert, alert, alert, nil), Fail, "does not offer TLS 1.2"},
		{"one refused connection decides nothing", probes(alert, alert, refused, nil), Error, "could not probe TLS 1.2: connection refused"},
		{"no connection at all", probes(refused, refused, refused, refused), Skip, "no connection (connection refused)"},
	}
	for _, tc := range cases {
		r := judgeVersions(tc.in)
		if r.Status != tc.status || !strings.Contains(r.Message, tc.want) {
			t.Errorf("%s: got %s %q; want %s containing %q", tc.name, r.Status, r.Message, tc.status, tc.want)
		}
	}
}

func TestJudgeConsistency(t *testing.T) {
	p := newCertPKI(t)
	key := tlstest.ECKey(t)
	names := []string{"webext.contoso.test"}
	current := []*x509.Certificate{p.leaf(t, key, names), p.inter.Cert}
	old := []*x509.Certificate{p.leaf(t, key, names, func(c *x509.Certificate) { c.NotBefore = time.Now().AddDate(0, 0, -200) }), p.inter.Cert}
	seen := func(chains ...[]*x509.Certificate) []certSeen {
		var out []certSeen
		for i, c := range chains {
			out = append(out, certSeen{Via: []string{"address 192.0.2.10", "node 192.0.2.11:443", "node 192.0.2.12:443"}[i], Chain: c})
		}
		return out
	}
	if r := judgeConsistency(seen(current, current, current)); r.Status != Pass {
		t.Errorf("same everywhere: %s %q", r.Status, r.Message)
	}
	if r := judgeConsistency(seen(current)); r.Status != Info {
		t.Errorf("one endpoint: %s %q", r.Status, r.Message)
	}
	// The older certificate is named even where it is the majority.
	r := judgeConsistency(seen(old, current, old))
	if r.Status != Fail || !strings.Contains(r.Message, "address 192.0.2.10 serves an older certificate") ||
		!strings.Contains(r.Message, "node 192.0.2.12:443 serves an older") || !strings.Contains(r.Message, "than node 192.0.2.11:443") {
		t.Errorf("old on two of three: %s %q", r.Status, r.Message)
	}
	r = judgeConsistency(seen(current, current[:1]))
	if r.Status != Fail || !strings.Contains(r.Message, "the same certificate with a different chain (1 certificates, not 2)") {
		t.Errorf("chain differs: %s %q", r.Status, r.Message)
	}
}

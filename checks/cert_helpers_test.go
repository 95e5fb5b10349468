package checks

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/internal/tlstest"
	"github.com/lyncprobe/lyncprobe/probe"
	"github.com/miekg/dns"
)

// Certificates for the cert tests are minted here, at run time.

type certCA struct {
	cert *x509.Certificate
	key  crypto.Signer
}

var certSerialNo atomic.Int64

func certSerial() *big.Int { return big.NewInt(1000 + certSerialNo.Add(1)) }

func certECKey(t *testing.T) crypto.Signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func certRSAKey(t *testing.T, bits int) crypto.Signer {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// certSign issues tmpl for key, signed by parent (nil = self-signed).
func certSign(t *testing.T, tmpl *x509.Certificate, key crypto.Signer, parent *certCA) *x509.Certificate {
	t.Helper()
	if tmpl.SerialNumber == nil { // a test that writes an index first picks its own
		tmpl.SerialNumber = certSerial()
	}
	issuer, signer := tmpl, key
	if parent != nil {
		issuer, signer = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newCertCA makes a root (parent nil) or an intermediate.
func newCertCA(t *testing.T, cn string, parent *certCA, mods ...func(*x509.Certificate)) *certCA {
	t.Helper()
	now := time.Now()
	tmpl := &x509.Certificate{
		Subject: pkix.Name{CommonName: cn}, NotBefore: now.AddDate(-2, 0, 0), NotAfter: now.AddDate(5, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	for _, m := range mods {
		m(tmpl)
	}
	key := certECKey(t)
	return &certCA{cert: certSign(t, tmpl, key, parent), key: key}
}

// certLeafTmpl is a server certificate as Microsoft's recipe asks for it.
func certLeafTmpl(names ...string) *x509.Certificate {
	now := time.Now()
	return &x509.Certificate{
		Subject: pkix.Name{CommonName: names[0]}, DNSNames: names,
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
}

// certPKI is a root, an intermediate and what they issue.
type certPKI struct {
	root, inter *certCA
}

func newCertPKI(t *testing.T) *certPKI {
	root := newCertCA(t, "Test Root", nil)
	return &certPKI{root: root, inter: newCertCA(t, "Test Issuing CA", root)}
}

// leaf issues a leaf from the intermediate; mods bend the template.
func (p *certPKI) leaf(t *testing.T, key crypto.Signer, names []string, mods ...func(*x509.Certificate)) *x509.Certificate {
	t.Helper()
	tmpl := certLeafTmpl(names...)
	for _, m := range mods {
		m(tmpl)
	}
	return certSign(t, tmpl, key, p.inter)
}

func (p *certPKI) pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.root.cert)
	return pool
}

// writeCAFile writes the root as a tls.ca_file.
func (p *certPKI) writeCAFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.root.cert.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// certServeTLS serves chain on a loopback port with the given versions and
// returns its address; every connection is handshaken and closed.
func certServeTLS(t *testing.T, chain []*x509.Certificate, key crypto.Signer, minV, maxV uint16) string {
	t.Helper()
	var raw [][]byte
	for _, c := range chain {
		raw = append(raw, c.Raw)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: raw, PrivateKey: key}}, MinVersion: minV, MaxVersion: maxV}
	return tlstest.HandshakeServer(t, cfg)
}

// certProbes resolve every name in names to 127.0.0.1 (others get
// NXDOMAIN) and do real handshakes and fetches, on loopback only.
func certProbes(names ...string) Probes {
	known := map[string]bool{}
	for _, n := range names {
		known[n] = true
	}
	return Probes{
		Resolve: func(_ context.Context, server, name string, qtype uint16) (*probe.DNSAnswer, error) {
			a := &probe.DNSAnswer{Server: server, Name: name, Rcode: "NOERROR", Type: dns.TypeToString[qtype]}
			switch {
			case !known[name]:
				a.Rcode = "NXDOMAIN"
			case qtype == dns.TypeA:
				a.Addresses = []string{"127.0.0.1"}
			}
			return a, nil
		},
		Handshake: probe.Handshake,
		Fetch:     probe.Fetch,
	}
}

// certDeployment publishes webext, meet, dialin and lyncdiscover of
// contoso.test on port; the resolvers are never asked (certProbes).
func certDeployment(port int, caFile string, nodes ...string) *config.Deployment {
	d := testDeployment()
	d.ReverseProxy.Port = port
	d.ReverseProxy.Nodes = nodes
	d.TLS = config.TLS{CAFile: caFile, WarnDays: 30}
	return d
}

func certPort(t *testing.T, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(p)
	return n
}

// runCertModule runs the cert module against dep with probes; (ID,
// Target, Via) must be unique.
func runCertModule(t *testing.T, dep *config.Deployment, p Probes) []Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rs := Run(ctx, dep, Options{Only: []string{"cert"}, Probes: p})
	seen := map[string]bool{}
	for _, r := range rs {
		key := r.ID + "|" + r.Target + "|" + r.Via
		if seen[key] {
			t.Errorf("(ID, Target, Via) twice: %s", key)
		}
		seen[key] = true
	}
	return rs
}

// certResult is the one result of id for target and via ("" = any via).
func certResult(t *testing.T, rs []Result, id, target, via string) Result {
	t.Helper()
	for _, r := range rs {
		if r.ID == id && r.Target == target && (via == "" || r.Via == via) {
			return r
		}
	}
	t.Fatalf("no %s result for %s %s; have:\n%s", id, target, via, certDump(rs))
	return Result{}
}

func certDump(rs []Result) string {
	s := ""
	for _, r := range rs {
		s += r.Status.String() + " " + r.ID + " " + r.Target + " [" + r.Via + "] " + r.Message + "\n"
	}
	return s
}

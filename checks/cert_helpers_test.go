package checks

import (
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/internal/tlstest"
	"github.com/lyncprobe/lyncprobe/probe"
	"github.com/miekg/dns"
)

// Certificates for the cert tests are minted by internal/tlstest.

// certPKI is a root, an intermediate and what they issue.
type certPKI struct {
	root, inter *tlstest.CA
}

func newCertPKI(t *testing.T) *certPKI {
	root := tlstest.NewCA(t, "Test Root", nil)
	return &certPKI{root: root, inter: tlstest.NewCA(t, "Test Issuing CA", root)}
}

// leaf issues a leaf from the intermediate; mods bend the template.
func (p *certPKI) leaf(t *testing.T, key crypto.Signer, names []string, mods ...func(*x509.Certificate)) *x509.Certificate {
	t.Helper()
	tmpl := tlstest.LeafTemplate(names...)
	for _, m := range mods {
		m(tmpl)
	}
	return tlstest.Sign(t, tmpl, key, p.inter)
}

func (p *certPKI) pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.root.Cert)
	return pool
}

// writeCAFile writes the root as a tls.ca_file.
func (p *certPKI) writeCAFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.root.Cert.Raw}), 0o644); err != nil {
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

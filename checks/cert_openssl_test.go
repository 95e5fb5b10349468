package checks

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/internal/tlstest"
)

// cert.revocation against a real OCSP responder, OpenSSL's: `openssl
// ocsp -index index.txt -port 0` serves a good and a revoked certificate
// from an index file, signed by the CA itself, by a delegated responder
// with the OCSP Signing EKU, and by one without it. OpenSSL 3.0 cannot be
// told which address to bind: it listens on all of them on a free port,
// for the test's duration only; the test connects to 127.0.0.1.
func TestCertRevocationOpenSSLResponder(t *testing.T) {
	openssl := needOpenSSL(t)
	p := newCertPKI(t)
	dir := t.TempDir()
	good, revoked := big.NewInt(0x6001), big.NewInt(0x6002)
	index := filepath.Join(dir, "index.txt")
	exp := time.Now().AddDate(1, 0, 0).UTC().Format("060102150405Z")
	rev := time.Now().Add(-time.Hour).UTC().Format("060102150405Z")
	writeFile(t, index, fmt.Sprintf("V\t%s\t\t%X\tunknown\t/CN=%s\nR\t%s\t%s,keyCompromise\t%X\tunknown\t/CN=%s\n",
		exp, good, webext, exp, rev, revoked, meet))
	caPEM := writeCertPEM(t, dir, "ca", p.inter.Cert)
	caKey := writeKeyPEM(t, dir, "ca", p.inter)
	responder := func(eku bool) *tlstest.CA {
		return tlstest.NewCA(t, "Test OCSP Responder", p.inter, func(c *x509.Certificate) {
			c.IsCA, c.BasicConstraintsValid, c.KeyUsage = false, true, x509.KeyUsageDigitalSignature
			if eku {
				c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
			}
		})
	}
	withEKU, withoutEKU := responder(true), responder(false)
	cases := []struct {
		name           string
		signer, key    string
		status         Status
		msg            string
		goodToo, named bool
	}{
		{"signed by the CA", caPEM, caKey, Fail, "CN " + meet + ": the OCSP responder says the certificate is revoked", true, true},
		{"delegated responder", writeCertPEM(t, dir, "eku", withEKU.Cert), writeKeyPEM(t, dir, "eku", withEKU), Fail, "says the certificate is revoked", true, true},
		{"responder without the OCSP Signing EKU", writeCertPEM(t, dir, "noeku", withoutEKU.Cert), writeKeyPEM(t, dir, "noeku", withoutEKU), Error, "lacks the OCSP Signing extended key usage", false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			port := startOpenSSLOCSP(t, openssl, index, tc.signer, tc.key, caPEM)
			url := fmt.Sprintf("http://127.0.0.1:%d", port)
			key := tlstest.ECKey(t)
			certs := map[string]tls.Certificate{}
			for name, sn := range map[string]*big.Int{webext: good, meet: revoked, dialin: good, discovr: good} {
				leaf := p.leaf(t, key, []string{name}, func(c *x509.Certificate) {
					c.SerialNumber, c.OCSPServer = new(big.Int).Set(sn), []string{url}
					c.Subject = pkix.Name{CommonName: name}
				})
				certs[name] = tls.Certificate{Certificate: [][]byte{leaf.Raw, p.inter.Cert.Raw}, PrivateKey: key}
			}
			addr := certServeSNI(t, certs)
			rs := runCertModule(t, certDeployment(certPort(t, addr), p.writeCAFile(t)), certProbes(webext, meet, dialin, discovr))
			r := certResult(t, rs, "cert.revocation", url, "OCSP")
			if r.Status != tc.status || !strings.Contains(r.Message, tc.msg) {
				t.Errorf("%s %q; want %s containing %q", r.Status, r.Message, tc.status, tc.msg)
			}
			answers, _ := r.Evidence["answers"].(map[string]string)
			if got := answers[fmt.Sprintf("CN %s serial %x", webext, good)]; tc.goodToo && !strings.HasPrefix(got, "pass: the OCSP responder answered good") {
				t.Errorf("the good certificate's answer: %q (all: %v)", got, answers)
			}
		})
	}
}

// needOpenSSL finds the openssl binary: a skip outside CI, a failure
// under CI=true, where .ci/run installs it.
func needOpenSSL(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("openssl is missing under CI: .ci/run installs the Debian package openssl")
	}
	t.Skip("openssl is not installed (Debian package openssl); the real-responder test needs it")
	return ""
}

// startOpenSSLOCSP runs `openssl ocsp` as a responder on a free port and
// returns the port once it listens; the process is killed
// when the test ends.
func startOpenSSLOCSP(t *testing.T, openssl, index, signer, key, ca string) int {
	t.Helper()
	cmd := exec.Command(openssl, "ocsp", "-index", index, "-port", "0", "-rsigner", signer, "-rkey", key, "-CA", ca, "-ignore_err")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	ports := make(chan int, 1)
	go func() { // "ACCEPT [::]:PORT PID=…", then keep draining
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var port int
			if f := strings.Fields(sc.Text()); len(f) > 1 && f[0] == "ACCEPT" {
				if _, p, err := net.SplitHostPort(f[1]); err == nil {
					fmt.Sscan(p, &port)
					ports <- port
				}
			}
		}
		io.Copy(io.Discard, out)
		close(ports)
	}()
	var port int
	select {
	case port = <-ports:
	case <-time.After(30 * time.Second):
		t.Fatal("openssl ocsp did not say which port it listens on")
	}
	if port == 0 {
		t.Fatal("openssl ocsp exited before listening")
	}
	// No connect-and-close poll: OpenSSL 3.0's responder serves one
	// connection at a time and hangs on one that closes without a request.
	// It prints ACCEPT once its socket listens, which is the readiness sign.
	return port
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func writeCertPEM(t *testing.T, dir, name string, c *x509.Certificate) string {
	t.Helper()
	path := filepath.Join(dir, name+".pem")
	writeFile(t, path, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})))
	return path
}

func writeKeyPEM(t *testing.T, dir, name string, ca *tlstest.CA) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".key")
	writeFile(t, path, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})))
	return path
}

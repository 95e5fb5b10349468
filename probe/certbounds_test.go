//go:build unix

package probe

import (
	"context"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/internal/fifotest"
	"github.com/lyncprobe/lyncprobe/internal/inputfile"
	"github.com/lyncprobe/lyncprobe/internal/tlstest"
	"software.sslmate.com/src/go-pkcs12"
)

// Every input that holds no certificate is ErrNoCertificate, never an
// empty chain (an empty chain made cert.san-coverage index [0]).
func TestReadCertFileNoCertificateIsAnError(t *testing.T) {
	_, key := mintLeaf(t, tlstest.NewCA(t, "root", nil), "meet.contoso.test")
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"empty.pem":      nil,
		"blank.pem":      []byte(" \r\n\t\n"),
		"key-only.pem":   pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		"other-pem.pem":  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: []byte{0x30, 0}}),
		"begin-only.pem": []byte("-----BEGIN CERTIFICATE-----\n"),
	} {
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		certs, err := ReadCertFile(context.Background(), path, noPassword)
		if !errors.Is(err, ErrNoCertificate) || len(certs) != 0 {
			t.Errorf("%s: got %d certificates, %v; want ErrNoCertificate", name, len(certs), err)
		}
	}
}

// withMACIterations re-encodes pfx with its macData iteration count set.
func withMACIterations(t *testing.T, pfx []byte, n int64) []byte {
	t.Helper()
	var p struct {
		Version  int
		AuthSafe asn1.RawValue
		MacData  struct {
			Mac        asn1.RawValue
			MacSalt    []byte
			Iterations int64
		}
	}
	if _, err := asn1.Unmarshal(pfx, &p); err != nil {
		t.Fatal(err)
	}
	p.MacData.Iterations = n
	out, err := asn1.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A PFX whose MAC asks for 2^40 iterations is refused before go-pkcs12
// starts on them (it would run for days); real PFX files still read.
func TestReadCertFileCapsPFXIterations(t *testing.T) {
	leaf, key := mintLeaf(t, tlstest.NewCA(t, "root", nil), "meet.contoso.test")
	pfx, err := pkcs12.Modern.Encode(key, leaf, nil, "pw")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ok := filepath.Join(dir, "ok.pfx")
	os.WriteFile(ok, withMACIterations(t, pfx, 2048), 0o600)
	if _, err := ReadCertFile(context.Background(), ok, password("pw")); err != nil {
		t.Fatalf("a PFX with 2048 MAC iterations: %v", err)
	}
	for _, fixture := range []string{"rp.pfx", "rp-legacy.pfx"} {
		data, _ := os.ReadFile(filepath.Join(fixtures, fixture))
		if err := checkPFXIterations(data, 0); err != nil {
			t.Errorf("%s (OpenSSL-made): %v", fixture, err)
		}
	}
	bomb := filepath.Join(dir, "bomb.pfx")
	os.WriteFile(bomb, withMACIterations(t, pfx, 1<<40), 0o600)
	done := make(chan error, 1)
	go func() { _, err := ReadCertFile(context.Background(), bomb, password("pw")); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "1099511627776 key-derivation iterations, more than the 1000000") {
			t.Errorf("a PFX asking for 2^40 MAC iterations: got %v, want it refused for its iteration count", err)
		}
	case <-time.After(20 * time.Second): // only reached when the cap is gone
		t.Fatal("a PFX asking for 2^40 MAC iterations is still being decoded")
	}
}

// A FIFO or a device as a certificate file is refused at once, by name.
func TestReadCertFileRegularFilesOnly(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "cert.pem")
	if err := fifotest.Make(fifo); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	for _, path := range []string{fifo, "/dev/zero"} {
		done := make(chan error, 1)
		go func() { _, err := ReadCertFile(context.Background(), path, noPassword); done <- err }()
		select {
		case err := <-done:
			if !errors.Is(err, inputfile.ErrNotRegular) || !strings.Contains(err.Error(), path) {
				t.Errorf("%s: got %v, want it named as not a regular file", path, err)
			}
		case <-time.After(20 * time.Second): // only reached when the check is gone
			t.Fatalf("%s: still reading", path)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ReadCertFile(ctx, filepath.Join(fixtures, "rp.pfx"), password("lyncprobe-fixture")); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled read: got %v, want context.Canceled", err)
	}
}

package probe

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lyncprobe/lyncprobe/internal/tlstest"
	"software.sslmate.com/src/go-pkcs12"
)

const fixtures = "../testdata/cert" // see its README.md

func password(pw string) func() (string, error) {
	return func() (string, error) { return pw, nil }
}

func noPassword() (string, error) { return "", nil }

// The OpenSSL-made fixtures: every format reads as leaf then intermediate.
func TestReadCertFileFixtures(t *testing.T) {
	cases := map[string]struct {
		pw   func() (string, error)
		want int
	}{
		"rp-chain.pem":  {noPassword, 2},
		"leaf.der":      {noPassword, 1},
		"rp.pfx":        {password("lyncprobe-fixture"), 2},
		"rp-legacy.pfx": {password("lyncprobe-fixture"), 2},
	}
	for file, tc := range cases {
		t.Run(file, func(t *testing.T) {
			certs, err := ReadCertFile(context.Background(), filepath.Join(fixtures, file), tc.pw)
			if err != nil {
				t.Fatal(err)
			}
			if len(certs) != tc.want || certs[0].Subject.CommonName != "webext.contoso.com" {
				t.Fatalf("got %v, want %d certificates, the leaf first", names(certs), tc.want)
			}
			if tc.want == 2 && certs[1].Subject.CommonName != "lyncprobe fixture issuing CA" {
				t.Errorf("second is %s", certs[1].Subject.CommonName)
			}
		})
	}
}

func TestReadCertFileWrongPasswordNeverShown(t *testing.T) {
	const secret = "not-the-password-5e3f"
	_, err := ReadCertFile(context.Background(), filepath.Join(fixtures, "rp.pfx"), password(secret))
	if !errors.Is(err, ErrPFXPassword) {
		t.Fatalf("want ErrPFXPassword, got %v", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatalf("the password is in the error: %v", err)
	}
	// The password is asked for only when the file is a PFX.
	asked := false
	_, err = ReadCertFile(context.Background(), filepath.Join(fixtures, "rp-chain.pem"), func() (string, error) { asked = true; return "", nil })
	if err != nil || asked {
		t.Errorf("PEM: err %v, password asked %v", err, asked)
	}
}

// A PFX minted here with the CA certificates after the leaf.
func TestReadCertFileFindsTheLeafInAPFX(t *testing.T) {
	root := tlstest.NewCA(t, "root", nil)
	inter := tlstest.NewCA(t, "inter", root)
	leaf, key := mintLeaf(t, inter, "meet.contoso.test")
	pfx, err := pkcs12.Modern.Encode(key, leaf, []*x509.Certificate{root.Cert, inter.Cert}, "pw")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rp.pfx")
	if err := os.WriteFile(path, pfx, 0o600); err != nil {
		t.Fatal(err)
	}
	certs, err := ReadCertFile(context.Background(), path, password("pw"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(names(certs), ","); got != "meet.contoso.test,root,inter" {
		t.Errorf("order %s", got)
	}
}

// A PEM file with the root first and the key in it, as people paste them.
func TestReadCertFilePEMOrder(t *testing.T) {
	root := tlstest.NewCA(t, "root", nil)
	inter := tlstest.NewCA(t, "inter", root)
	leaf, _ := mintLeaf(t, inter, "meet.contoso.test")
	var data []byte
	for _, c := range []*x509.Certificate{root.Cert, inter.Cert, leaf} {
		data = append(data, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	path := filepath.Join(t.TempDir(), "chain.pem")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	certs, err := ReadCertFile(context.Background(), path, noPassword)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(names(certs), ","); got != "meet.contoso.test,root,inter" {
		t.Errorf("order %s", got)
	}
	junk := filepath.Join(t.TempDir(), "junk.txt")
	os.WriteFile(junk, []byte("hello"), 0o644)
	if _, err := ReadCertFile(context.Background(), junk, noPassword); err == nil {
		t.Error("a text file read as certificates")
	}
}

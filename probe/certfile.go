package probe

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/lyncprobe/lyncprobe/internal/inputfile"
	"software.sslmate.com/src/go-pkcs12"
)

// maxCertFile caps what ReadCertFile reads: certificate files are small,
// and a wrong path (a disk image, say) must not be read whole.
const maxCertFile = 4 << 20

// ErrPFXPassword means a PKCS#12 file did not open with the password given
// (or with none). The password itself never appears in an error.
var ErrPFXPassword = errors.New("the PFX password is wrong or missing")

// ErrNoCertificate means a file read whole but held no certificate: an
// empty file, PEM with only keys, DER of nothing.
var ErrNoCertificate = errors.New("no certificate in the file")

// ReadCertFile reads the certificates of a PEM, DER or PFX/PKCS#12 file,
// leaf first, then the rest in file order: the chain as a server would
// send it. password is asked for only when the file is a PFX. Private keys
// in the file are read only to find the leaf, and never kept. It reads a
// regular file only, of at most 4 MiB, and stops when ctx ends; it returns
// at least one certificate or an error.
func ReadCertFile(ctx context.Context, path string, password func() (string, error)) ([]*x509.Certificate, error) {
	data, err := inputfile.Read(ctx, path, maxCertFile)
	if err != nil {
		return nil, err
	}
	return ParseCertFile(ctx, data, password)
}

// ParseCertFile is ReadCertFile on the bytes of the file.
func ParseCertFile(ctx context.Context, data []byte, password func() (string, error)) ([]*x509.Certificate, error) {
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return nil, ErrNoCertificate
	case bytes.Contains(data, []byte("-----BEGIN")):
		return readPEM(data)
	case isDER(data):
		certs, err := x509.ParseCertificates(data)
		if err != nil {
			return nil, fmt.Errorf("not a DER certificate: %w", err)
		}
		return leafFirst(certs, nil), nil
	}
	return readPFX(ctx, data, password)
}

// isDER tells a bare certificate (one or several concatenated) from a PFX:
// both are DER SEQUENCEs, but only certificates parse as such. Nothing
// (no bytes) parses as no certificates: that is not DER either.
func isDER(data []byte) bool {
	certs, err := x509.ParseCertificates(data)
	return err == nil && len(certs) > 0
}

func readPEM(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	var keys []crypto.PublicKey
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		switch block.Type {
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("certificate %d: %w", len(certs)+1, err)
			}
			certs = append(certs, c)
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
			if pub := publicOf(block); pub != nil {
				keys = append(keys, pub)
			}
		}
	}
	if len(certs) == 0 {
		return nil, ErrNoCertificate
	}
	return leafFirst(certs, keys), nil
}

// publicOf is the public half of a PEM private key, nil if unreadable.
func publicOf(block *pem.Block) crypto.PublicKey {
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	}
	if s, ok := key.(crypto.Signer); ok && err == nil {
		return s.Public()
	}
	return nil
}

func readPFX(ctx context.Context, data []byte, password func() (string, error)) ([]*x509.Certificate, error) {
	if err := checkPFXIterations(data, 0); err != nil {
		return nil, err
	}
	pw, err := password()
	if err != nil {
		return nil, err
	}
	key, leaf, cas, err := decodePFX(ctx, data, pw)
	switch {
	case errors.Is(err, pkcs12.ErrIncorrectPassword):
		return nil, ErrPFXPassword
	case err != nil:
		return nil, fmt.Errorf("neither PEM, DER nor a PFX with its key: %w", err)
	}
	var keys []crypto.PublicKey
	if s, ok := key.(crypto.Signer); ok {
		keys = append(keys, s.Public())
	}
	return leafFirst(append([]*x509.Certificate{leaf}, cas...), keys), nil
}

// leafFirst moves the leaf to the front: the certificate that matches a
// private key in the file, else the first that is not a CA, else the
// first. Files are exported in every order (Windows puts the root first).
func leafFirst(certs []*x509.Certificate, keys []crypto.PublicKey) []*x509.Certificate {
	idx := -1
	for i, c := range certs {
		for _, k := range keys {
			if eq, ok := k.(interface{ Equal(crypto.PublicKey) bool }); ok && eq.Equal(c.PublicKey) {
				idx = i
			}
		}
	}
	for i := 0; idx < 0 && i < len(certs); i++ {
		if !certs[i].IsCA {
			idx = i
		}
	}
	if idx <= 0 {
		return certs
	}
	out := append([]*x509.Certificate{certs[idx]}, certs[:idx]...)
	return append(out, certs[idx+1:]...)
}

// Package certmint signs the certificates tests and test targets use: the
// test helpers (internal/tlstest, which fails the test on an error) and
// the hostile servers (internal/hostile, run by tests and bench/hostile)
// pick templates and call Sign here. The lab's CA (lab/ca.go) is a target
// of its own, with CRLs and OCSP, and keeps its own signer.
package certmint

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"math/big"
	"sync/atomic"
)

// CA is a certificate authority: its certificate and key.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

var serialNo atomic.Int64

// Serial is a serial number unique within the process.
func Serial() *big.Int { return big.NewInt(1000 + serialNo.Add(1)) }

// Sign issues tmpl for key, signed by parent (nil: self-signed). A
// template without a serial number gets a unique one.
func Sign(tmpl *x509.Certificate, key crypto.Signer, parent *CA) (*x509.Certificate, error) {
	if tmpl.SerialNumber == nil {
		tmpl.SerialNumber = Serial()
	}
	issuer, signer := tmpl, key
	if parent != nil {
		issuer, signer = parent.Cert, parent.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, key.Public(), signer)
	if err != nil {
		return nil, fmt.Errorf("sign %q: %w", tmpl.Subject.CommonName, err)
	}
	return x509.ParseCertificate(der)
}

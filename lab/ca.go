package lab

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"sync"
	"time"
)

// authority is a CA that can issue: a certificate and its key.
type authority struct {
	cert *x509.Certificate
	key  crypto.Signer
	keys *keyring // where issue takes its leaves' keys; nil = fresh ones
}

// leafSpec is everything a later fault may want to bend in a server
// certificate: names, validity, key size.
type leafSpec struct {
	CN        string
	DNS       []string
	IPs       []net.IP
	NotBefore time.Time
	NotAfter  time.Time
	RSABits   int      // 0 = ECDSA P-256
	CRL       []string // CRL distribution points
	OCSP      []string // OCSP responders (authority information access)
	// SelfSigned: the leaf signs itself and is served alone.
	SelfSigned bool
}

// leaf is an issued server certificate with the chain it is served with.
type leaf struct {
	cert  *x509.Certificate
	key   crypto.Signer
	chain [][]byte // DER: the leaf first, then intermediates
}

// newKey makes an ECDSA P-256 key, or RSA of the given size.
func newKey(rsaBits int) (crypto.Signer, error) {
	if rsaBits > 0 {
		return rsa.GenerateKey(rand.Reader, rsaBits)
	}
	return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
}

// keyring hands out one lab's leaf keys. Under Options.ReuseKeys the n-th
// RSA key of a size that a lab asks for is the n-th of a pool kept for the
// life of the process: tests start a hundred labs, and generating their
// RSA keys was a sixth of the checks package's test CPU. The keys within
// one lab stay distinct, so no certificate of a lab shares its key with
// another certificate of that lab.
type keyring struct {
	reuse bool
	taken map[int]int // RSA keys handed out, by size
}

// rsaPool is the process's reused RSA keys, by size, in the order made.
var rsaPool struct {
	sync.Mutex
	keys map[int][]*rsa.PrivateKey
}

// key is a leaf key: ECDSA P-256 (rsaBits 0) or RSA of that size.
func (k *keyring) key(rsaBits int) (crypto.Signer, error) {
	if k == nil || !k.reuse || rsaBits == 0 {
		return newKey(rsaBits)
	}
	n := k.taken[rsaBits]
	k.taken[rsaBits]++
	rsaPool.Lock()
	defer rsaPool.Unlock()
	if rsaPool.keys == nil {
		rsaPool.keys = map[int][]*rsa.PrivateKey{}
	}
	for len(rsaPool.keys[rsaBits]) <= n {
		key, err := rsa.GenerateKey(rand.Reader, rsaBits)
		if err != nil {
			return nil, err
		}
		rsaPool.keys[rsaBits] = append(rsaPool.keys[rsaBits], key)
	}
	return rsaPool.keys[rsaBits][n], nil
}

func serial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
}

// sign issues tmpl for pub, signed by parent (nil = self-signed).
func sign(tmpl *x509.Certificate, pub crypto.PublicKey, parent *authority, self crypto.Signer) (*x509.Certificate, error) {
	sn, err := serial()
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = sn
	issuer, signer := tmpl, self
	if parent != nil {
		issuer, signer = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, pub, signer)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", tmpl.Subject.CommonName, err)
	}
	return x509.ParseCertificate(der)
}

// newCA makes a root CA (parent nil) or an intermediate under parent;
// crl is where the parent publishes the CRL that covers it.
func newCA(cn string, parent *authority, now time.Time, crl ...string) (*authority, error) {
	key, err := newKey(0)
	if err != nil {
		return nil, err
	}
	pathLen := 0
	if parent == nil {
		pathLen = 1
	}
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"lyncprobe lab"}},
		NotBefore:             now.AddDate(-2, 0, 0), // CAs predate their leaves, even expired ones
		NotAfter:              now.Add(5 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            pathLen,
		MaxPathLenZero:        pathLen == 0,
		CRLDistributionPoints: crl,
	}
	cert, err := sign(tmpl, key.Public(), parent, key)
	if err != nil {
		return nil, err
	}
	return &authority{cert: cert, key: key}, nil
}

// issue mints a server certificate as Microsoft's CSR recipe asks:
// KU digital signature (+ key encipherment for RSA), EKU server and
// client auth. The CN is repeated in the SANs, since TLS ignores the CN.
func (a *authority) issue(s leafSpec, intermediates ...*authority) (*leaf, error) {
	key, err := a.keys.key(s.RSABits)
	if err != nil {
		return nil, err
	}
	ku := x509.KeyUsageDigitalSignature
	if s.RSABits > 0 {
		ku |= x509.KeyUsageKeyEncipherment
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: s.CN, Organization: []string{"Contoso (lab)"}},
		DNSNames:    s.DNS,
		IPAddresses: s.IPs,
		NotBefore:   s.NotBefore,
		NotAfter:    s.NotAfter,
		KeyUsage:    ku,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},

		CRLDistributionPoints: s.CRL,
		OCSPServer:            s.OCSP,
	}
	parent := a
	if s.SelfSigned {
		parent, intermediates = nil, nil
	}
	cert, err := sign(tmpl, key.Public(), parent, key)
	if err != nil {
		return nil, err
	}
	l := &leaf{cert: cert, key: key, chain: [][]byte{cert.Raw}}
	for _, im := range intermediates {
		l.chain = append(l.chain, im.cert.Raw)
	}
	return l, nil
}

// tlsCert is the leaf as crypto/tls serves it.
func (l *leaf) tlsCert() tls.Certificate {
	return tls.Certificate{Certificate: l.chain, PrivateKey: l.key, Leaf: l.cert}
}

// writePEM writes certificates as PEM to path (world-readable: no keys).
func writePEM(path string, certs ...*x509.Certificate) error {
	var buf []byte
	for _, c := range certs {
		buf = append(buf, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return os.WriteFile(path, buf, 0o644)
}

// pki is the lab's certificates: a "public" root and intermediate that
// issue the proxy certificate, and an internal CA for the front ends.
type pki struct {
	publicRoot, intermediate, internalRoot *authority
	proxy, frontEnd                        *leaf
	oldProxy                               *leaf   // node-cert-mismatch: what the odd node serves
	perName                                []*leaf // SNICerts: the names served with their own certificate
}

// proxyPlan is the proxy's side of the PKI: its leaf, whether the
// intermediate is sent with it, where the root publishes its CRL, and an
// older leaf for one node.
type proxyPlan struct {
	leaf    leafSpec
	sendInt bool       // serve the intermediate with the leaf
	rootCRL string     // the intermediate's CRL distribution point
	oldLeaf *leafSpec  // nil = every node serves leaf
	perName []leafSpec // certificates of their own for some names, chosen by SNI
	cross   bool       // also send an expired cross-certificate of the public root
}

func newPKI(now time.Time, plan proxyPlan, feSpec leafSpec, keys *keyring) (*pki, error) {
	var p pki
	var err error
	if p.publicRoot, err = newCA("Lab Public Root CA", nil, now); err != nil {
		return nil, err
	}
	if p.intermediate, err = newCA("Lab Public Issuing CA 1", p.publicRoot, now, plan.rootCRL); err != nil {
		return nil, err
	}
	if p.internalRoot, err = newCA("Contoso Internal Root CA", nil, now); err != nil {
		return nil, err
	}
	p.intermediate.keys, p.internalRoot.keys = keys, keys
	var sent []*authority
	if plan.sendInt {
		sent = append(sent, p.intermediate)
	}
	if plan.cross {
		cross, err := expiredCross(p.publicRoot, now)
		if err != nil {
			return nil, err
		}
		sent = append(sent, cross)
	}
	if p.proxy, err = p.intermediate.issue(plan.leaf, sent...); err != nil {
		return nil, err
	}
	if plan.oldLeaf != nil {
		if p.oldProxy, err = p.intermediate.issue(*plan.oldLeaf, sent...); err != nil {
			return nil, err
		}
	}
	for _, spec := range plan.perName {
		lf, err := p.intermediate.issue(spec, sent...)
		if err != nil {
			return nil, err
		}
		p.perName = append(p.perName, lf)
	}
	if p.frontEnd, err = p.internalRoot.issue(feSpec); err != nil {
		return nil, err
	}
	return &p, nil
}

// expiredCross is root's key and name certified by an older root in a
// certificate that expired last year: what a server sends when its chain
// file still carries the cross-signature of a retired root. A client
// that trusts root directly never needs it.
func expiredCross(root *authority, now time.Time) (*authority, error) {
	old, err := newCA("Lab Legacy Root CA", nil, now.AddDate(-10, 0, 0))
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		Subject:   root.cert.Subject,
		NotBefore: now.AddDate(-6, 0, 0), NotAfter: now.AddDate(-1, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true, IsCA: true, MaxPathLen: 1,
	}
	cert, err := sign(tmpl, root.key.Public(), old, nil)
	if err != nil {
		return nil, err
	}
	return &authority{cert: cert}, nil
}

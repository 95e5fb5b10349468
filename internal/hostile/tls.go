package hostile

import (
	"bufio"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/lyncprobe/lyncprobe/internal/certmint"
)

// Published are the names of the deployment Config describes.
var Published = []string{"webext.contoso.test", "meet.contoso.test", "dialin.contoso.test", "lyncdiscover.contoso.test"}

func tlsBehaviours() []Behaviour {
	return []Behaviour{
		{"tls-stall", "tls", "accepts TCP, then never answers the handshake", func(s *Server) error { return s.rawTCP(func(net.Conn) { s.wait() }) }},
		{"tls-plain-http", "tls", "answers plain HTTP instead of TLS", func(s *Server) error { return s.rawTCP(plainHTTP) }},
		{"tls-no-cert", "tls", "aborts the handshake without a certificate", func(s *Server) error { return s.tlsServe(noCert, okPage) }},
		{"tls-chain-50", "tls", "sends a chain of 50 certificates", func(s *Server) error { return s.tlsServe(chainOf(50), okPage) }},
		{"tls-10000-sans", "tls", "presents a certificate with 10,000 SANs", func(s *Server) error { return s.tlsServe(manySANs(10000), okPage) }},
		{"tls-rsa-1024", "tls", "presents an RSA 1024-bit key", func(s *Server) error { return s.tlsServe(rsa1024, okPage) }},
	}
}

// issuer is a CA: its certificate and key.
type issuer = certmint.CA

// mintCert signs tmpl, valid for a year from an hour ago (certmint signs).
func mintCert(tmpl *x509.Certificate, key crypto.Signer, parent *issuer) (*x509.Certificate, error) {
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().Add(365 * 24 * time.Hour)
	return certmint.Sign(tmpl, key, parent)
}

func newCA(name string, parent *issuer) (*issuer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	c, err := mintCert(&x509.Certificate{Subject: pkix.Name{CommonName: name}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, key, parent)
	return &issuer{Cert: c, Key: key}, err
}

func newLeaf(names []string, key crypto.Signer, ca *issuer) (*x509.Certificate, error) {
	return mintCert(&x509.Certificate{Subject: pkix.Name{CommonName: names[0]}, DNSNames: names,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}, key, ca)
}

// certPlan mints the chain a server presents, given the root to trust.
type certPlan func(root *issuer) (*tls.Certificate, error)

func healthy(root *issuer) (*tls.Certificate, error) { return chainOf(0)(root) }

// chainOf: a leaf under n intermediates, all sent.
func chainOf(n int) certPlan {
	return func(root *issuer) (*tls.Certificate, error) {
		ca, inter := root, [][]byte{}
		for i := range n {
			next, err := newCA(fmt.Sprintf("hostile intermediate %d", i+1), ca)
			if err != nil {
				return nil, err
			}
			inter = append([][]byte{next.Cert.Raw}, inter...)
			ca = next
		}
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		leaf, err := newLeaf(Published, key, ca)
		if err != nil {
			return nil, err
		}
		return &tls.Certificate{Certificate: append([][]byte{leaf.Raw}, inter...), PrivateKey: key}, nil
	}
}

func manySANs(n int) certPlan {
	return func(root *issuer) (*tls.Certificate, error) {
		names := append([]string{}, Published...)
		for i := len(names); i < n; i++ {
			names = append(names, fmt.Sprintf("h%05d.contoso.test", i))
		}
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		leaf, err := newLeaf(names, key, root)
		if err != nil {
			return nil, err
		}
		return &tls.Certificate{Certificate: [][]byte{leaf.Raw}, PrivateKey: key}, nil
	}
}

func rsa1024(root *issuer) (*tls.Certificate, error) {
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		return nil, err
	}
	leaf, err := newLeaf(Published, key, root)
	if err != nil {
		return nil, err
	}
	return &tls.Certificate{Certificate: [][]byte{leaf.Raw}, PrivateKey: key}, nil
}

// noCert stands for a server with no certificate configured: it aborts
// every handshake.
func noCert(*issuer) (*tls.Certificate, error) { return nil, nil }

// tlsConfig mints the root (written to CAFile) and the plan's chain.
func (s *Server) tlsConfig(plan certPlan) (*tls.Config, error) {
	root, err := newCA("hostile test root", nil)
	if err != nil {
		return nil, err
	}
	s.CAFile = filepath.Join(s.dir, "hostile-ca.pem")
	if err := os.WriteFile(s.CAFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.Cert.Raw}), 0o644); err != nil {
		return nil, err
	}
	cert, err := plan(root)
	if err != nil {
		return nil, err
	}
	if cert == nil {
		return &tls.Config{GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			return nil, errors.New("no certificate configured")
		}}, nil
	}
	return &tls.Config{Certificates: []tls.Certificate{*cert}, NextProtos: []string{"http/1.1"}}, nil
}

// rawTCP listens on a loopback port and hands it each raw connection.
func (s *Server) rawTCP(handle func(net.Conn)) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.Port = ln.Addr().(*net.TCPAddr).Port
	s.serveTCP(ln, handle)
	return nil
}

// tlsServe completes a handshake with plan's chain, reads the request
// head and hands the connection to respond.
func (s *Server) tlsServe(plan certPlan, respond func(s *Server, c net.Conn, path string)) error {
	cfg, err := s.tlsConfig(plan)
	if err != nil {
		return err
	}
	return s.rawTCP(func(raw net.Conn) {
		c := tls.Server(raw, cfg)
		_ = c.SetDeadline(time.Now().Add(30 * time.Second))
		if c.Handshake() != nil {
			return
		}
		path, ok := readHead(c)
		if !ok {
			return
		}
		_ = c.SetDeadline(time.Time{})
		respond(s, c, path)
	})
}

// readHead reads the request line and headers (at most 64 KB) and
// returns the path.
func readHead(c net.Conn) (string, bool) {
	br := bufio.NewReader(io.LimitReader(c, 64<<10))
	line, err := br.ReadString('\n')
	if err != nil {
		return "", false
	}
	var method, path, proto string
	if _, err := fmt.Sscanf(line, "%s %s %s", &method, &path, &proto); err != nil {
		return "", false
	}
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			return "", false
		}
		if l == "\r\n" || l == "\n" {
			return path, true
		}
	}
}

func plainHTTP(c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _ = c.Read(make([]byte, 1024))
	_, _ = io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nConnection: close\r\n\r\nbad request")
}

func okPage(_ *Server, c net.Conn, _ string) {
	body := "<html><body>ok</body></html>"
	_, _ = fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
}

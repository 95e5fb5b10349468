package lab

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// The front-end-only lab: the emulated front ends alone, on given
// addresses, so that a real reverse proxy (nginx, HAProxy, Apache, ARR in
// staging) can be put in front of them; and the public certificate such a
// proxy serves, minted by the lab's CA code as files.

// FrontEndOptions configure StartFrontEnds.
type FrontEndOptions struct {
	Addrs []string // where each front end listens, host:port (port 0 = a free one); default two on 127.0.0.1
	// PublicPort is the HTTPS port the proxy publishes, which the front
	// ends put in their links (the Autodiscover document); 0 or 443 = none.
	PublicPort int
	Version    string // default sfb2019
	Dir        string // where the CA, certificate and key files go; "" = a temp dir removed on Close
	// CertFile and KeyFile: the front ends' certificate (PEM); empty = one
	// minted from a new internal CA for the pool and front-end names and
	// the listen IPs.
	CertFile, KeyFile string
}

// FrontEnds are running emulated front ends.
type FrontEnds struct {
	Addrs    []string // the listen addresses, in the order given
	Names    []string // each one's FQDN (fe01.pool01.contoso.local, …): what X-MS-Server-Fqdn says
	Dir      string
	CAFile   string // the internal CA that issued the minted certificate ("" with CertFile)
	CertFile string // the certificate served (PEM), the given one or Dir/frontend-cert.pem
	KeyFile  string

	servers []*http.Server
	wg      sync.WaitGroup
	ownDir  bool
	once    sync.Once
}

// StartFrontEnds serves the emulated front ends; everything listens
// before it returns. They run until Close.
func StartFrontEnds(ctx context.Context, o FrontEndOptions) (*FrontEnds, error) {
	if o.Version == "" {
		o.Version = defaultVersion
	}
	if !slices.Contains(versions, o.Version) {
		return nil, fmt.Errorf("lab: version %q: want one of %s", o.Version, strings.Join(versions, ", "))
	}
	if len(o.Addrs) == 0 {
		o.Addrs = []string{"127.0.0.1:0", "127.0.0.1:0"}
	}
	if (o.CertFile == "") != (o.KeyFile == "") {
		return nil, errors.New("lab: a front-end certificate needs both a certificate and a key file")
	}
	f := &FrontEnds{CertFile: o.CertFile, KeyFile: o.KeyFile}
	if err := f.start(ctx, o); err != nil {
		f.Close()
		return nil, fmt.Errorf("lab: %w", err)
	}
	return f, nil
}

func (f *FrontEnds) start(ctx context.Context, o FrontEndOptions) error {
	var err error
	if f.Dir, f.ownDir, err = labDir(o.Dir, "lyncprobe-frontends-"); err != nil {
		return err
	}
	var lns []net.Listener
	var lc net.ListenConfig
	for _, a := range o.Addrs {
		ln, err := lc.Listen(ctx, "tcp", a)
		if err != nil {
			closeAll(lns)
			return err
		}
		lns = append(lns, ln)
	}
	if f.CertFile == "" {
		if err := f.mint(lns); err != nil {
			closeAll(lns)
			return err
		}
	}
	cert, err := tls.LoadX509KeyPair(f.CertFile, f.KeyFile)
	if err != nil {
		closeAll(lns)
		return err
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}, MinVersion: tls.VersionTLS12}
	s := &site{version: o.Version, port: o.PublicPort}
	for i, ln := range lns {
		fe := newFrontEnd(fmt.Sprintf("fe%02d", i+1), s)
		f.Addrs, f.Names = append(f.Addrs, ln.Addr().String()), append(f.Names, fe.fqdn)
		srv := &http.Server{Handler: fe, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
			WriteTimeout: 2 * time.Minute, IdleTimeout: time.Minute, MaxHeaderBytes: 64 << 10, ErrorLog: quietLog}
		f.servers = append(f.servers, srv)
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			srv.Serve(tls.NewListener(ln, cfg))
		}()
	}
	return nil
}

// mint issues the front ends' certificate from a new internal CA, for the
// pool name, every front end's name and the listen IPs.
func (f *FrontEnds) mint(lns []net.Listener) error {
	now := time.Now()
	ca, err := newCA("Contoso Internal Root CA", nil, now)
	if err != nil {
		return err
	}
	spec := leafSpec{CN: PoolFQDN, DNS: []string{PoolFQDN}, NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0)}
	for i, ln := range lns {
		spec.DNS = append(spec.DNS, frontEndFQDN(fmt.Sprintf("fe%02d", i+1)))
		if ip := ln.Addr().(*net.TCPAddr).IP; !slices.ContainsFunc(spec.IPs, ip.Equal) {
			spec.IPs = append(spec.IPs, ip)
		}
	}
	lf, err := ca.issue(spec)
	if err != nil {
		return err
	}
	f.CAFile = filepath.Join(f.Dir, "internal-ca.pem")
	f.CertFile = filepath.Join(f.Dir, "frontend-cert.pem")
	f.KeyFile = filepath.Join(f.Dir, "frontend-key.pem")
	if err := writePEM(f.CAFile, ca.cert); err != nil {
		return err
	}
	return writeLeaf(lf, f.CertFile, f.KeyFile)
}

// Close stops the front ends and removes Dir if StartFrontEnds made it.
func (f *FrontEnds) Close() error {
	f.once.Do(func() {
		for _, s := range f.servers {
			s.Close()
		}
		f.wg.Wait()
		if f.ownDir {
			os.RemoveAll(f.Dir)
		}
	})
	return nil
}

func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		ln.Close()
	}
}

// labDir is dir made absolute and created, or a new temp dir (own=true).
func labDir(dir, pattern string) (string, bool, error) {
	if dir == "" {
		d, err := os.MkdirTemp("", pattern)
		return d, err == nil, err
	}
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", false, err
	}
	return d, false, os.MkdirAll(d, 0o755)
}

// writeLeaf writes the chain as served (leaf first) and the key (0600).
func writeLeaf(lf *leaf, certFile, keyFile string) error {
	var buf []byte
	for _, der := range lf.chain {
		buf = append(buf, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	if err := os.WriteFile(certFile, buf, 0o644); err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(lf.key)
	if err != nil {
		return err
	}
	return os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
}

// ProxyCertOptions bend the public proxy certificate as the certificate
// faults do (missing-san, expired-cert, missing-intermediate).
type ProxyCertOptions struct {
	Names          []string // the SANs; default the lab's published names
	MissingSAN     []string // names left out (short labels or FQDNs)
	Expired        bool     // expired yesterday
	NoIntermediate bool     // the chain file holds the leaf alone
	// CrossCert: the chain files also hold an expired cross-certificate of
	// the root (the lab setting CrossCert).
	CrossCert bool
	// PerName are names served with a certificate of their own (the lab
	// setting SNICerts): the main certificate leaves them out.
	PerName []string
}

// ProxyCert is a public proxy certificate as files.
type ProxyCert struct {
	ChainFile string // the leaf, then the intermediate unless NoIntermediate (PEM)
	KeyFile   string // the leaf's key (PEM, 0600)
	RootFile  string // the public root (PEM): tls.ca_file
	PerName   []NameCert
}

// NameCert is the certificate of one name served with its own (PerName).
type NameCert struct {
	Name, ChainFile, KeyFile string
}

// WriteProxyCert mints, under a new public root and intermediate, the
// certificate a reverse proxy serves for the published names, and writes
// it into dir as proxy-chain.pem, proxy-key.pem and ca.pem.
func WriteProxyCert(dir string, o ProxyCertOptions) (ProxyCert, error) {
	now := time.Now()
	names := o.Names
	if len(names) == 0 {
		names = publishedHosts
	}
	spec := leafSpec{CN: ExternalWeb, RSABits: 2048, NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0)}
	for _, n := range names {
		if !slices.ContainsFunc(o.MissingSAN, func(m string) bool { return hostFQDN(m) == hostFQDN(n) }) {
			spec.DNS = append(spec.DNS, hostFQDN(n))
		}
	}
	if o.Expired {
		spec.NotBefore, spec.NotAfter = now.AddDate(-1, 0, -1), now.AddDate(0, 0, -1)
	}
	var own []leafSpec
	if len(o.PerName) > 0 {
		var hosts []string
		for _, n := range o.PerName {
			hosts = append(hosts, hostFQDN(n))
		}
		spec, own = splitPerName(spec, hosts)
	}
	root, err := newCA("Lab Public Root CA", nil, now)
	if err != nil {
		return ProxyCert{}, err
	}
	im, err := newCA("Lab Public Issuing CA 1", root, now)
	if err != nil {
		return ProxyCert{}, err
	}
	var sent []*authority
	if !o.NoIntermediate {
		sent = append(sent, im)
	}
	if o.CrossCert {
		cross, err := expiredCross(root, now)
		if err != nil {
			return ProxyCert{}, err
		}
		sent = append(sent, cross)
	}
	lf, err := im.issue(spec, sent...)
	if err != nil {
		return ProxyCert{}, err
	}
	pc := ProxyCert{ChainFile: filepath.Join(dir, "proxy-chain.pem"), KeyFile: filepath.Join(dir, "proxy-key.pem"), RootFile: filepath.Join(dir, "ca.pem")}
	if err := writePEM(pc.RootFile, root.cert); err != nil {
		return ProxyCert{}, err
	}
	for _, s := range own {
		nc := NameCert{Name: s.CN, ChainFile: filepath.Join(dir, s.CN+"-chain.pem"), KeyFile: filepath.Join(dir, s.CN+"-key.pem")}
		olf, err := im.issue(s, sent...)
		if err == nil {
			err = writeLeaf(olf, nc.ChainFile, nc.KeyFile)
		}
		if err != nil {
			return ProxyCert{}, err
		}
		pc.PerName = append(pc.PerName, nc)
	}
	return pc, writeLeaf(lf, pc.ChainFile, pc.KeyFile)
}

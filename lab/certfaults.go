package lab

import (
	"crypto/tls"
	"crypto/x509"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The certificate faults' behaviour: bendProxyLeaf bends the proxy's
// leaf, proxyPlan the served chain, proxyTLS what each node serves.

// bendProxyLeaf applies the faults that live in the certificate itself.
func (l *Lab) bendProxyLeaf(s leafSpec, now time.Time) leafSpec {
	fs := l.faults
	if fs.has("missing-san") {
		s.DNS = slices.DeleteFunc(slices.Clone(s.DNS), func(h string) bool { return slices.Contains(fs["missing-san"], h) })
	}
	switch {
	case fs.has("expired-cert"):
		s.NotBefore, s.NotAfter = now.AddDate(-1, 0, -1), now.AddDate(0, 0, -1)
	case fs.has("expiring-cert"):
		s.NotBefore, s.NotAfter = now.AddDate(0, 0, -355), now.AddDate(0, 0, 10)
	}
	if fs.has("weak-key") {
		s.RSABits = 1024 // the least crypto/rsa still creates and crypto/tls still serves
	}
	if fs.has("wildcard-subject") {
		s.CN = "*." + Domain
		s.DNS = append(slices.Clone(s.DNS), s.CN)
	}
	if fs.has("self-signed") {
		s.SelfSigned, s.CRL, s.OCSP = true, nil, nil // no CA, so no CRL or OCSP
	}
	if fs.has("crl-unreachable") {
		s.CRL = []string{l.crl.deadURL}
	}
	return s
}

// proxyPlan is the proxy's side of the PKI under the faults.
func (l *Lab) proxyPlan(now time.Time) proxyPlan {
	plan := proxyPlan{leaf: l.proxyLeafSpec(now), sendInt: !l.faults.has("missing-intermediate"), rootCRL: l.crlURL("root"),
		cross: l.opts.CrossCert}
	if l.opts.SNICerts {
		plan.leaf, plan.perName = splitPerName(plan.leaf, l.perNameHosts())
	}
	if l.faults.has("node-cert-mismatch") {
		// Last year's certificate, still valid: the node nobody renewed.
		old := plan.leaf
		old.NotBefore, old.NotAfter = now.AddDate(0, 0, -200), now.AddDate(0, 0, 165)
		plan.oldLeaf = &old
	}
	if l.faults.has("ipv6-wrong-cert") {
		plan.oldLeaf = ipv6Leaf(plan.leaf) // topology.go
	}
	return plan
}

// perNameHosts are the names SNICerts serves with a certificate of their
// own: lyncdiscover, and Office Web Apps when published.
func (l *Lab) perNameHosts() []string {
	if l.opts.OWA {
		return []string{DiscoverHost, OWAHost}
	}
	return []string{DiscoverHost}
}

// splitPerName takes hosts out of the main certificate and gives each a
// certificate of its own, alike in everything else.
func splitPerName(main leafSpec, hosts []string) (leafSpec, []leafSpec) {
	var own []leafSpec
	for _, h := range hosts {
		s := main
		s.CN, s.DNS = h, []string{h}
		own = append(own, s)
	}
	main.DNS = slices.DeleteFunc(slices.Clone(main.DNS), func(h string) bool { return slices.Contains(hosts, h) })
	return main, own
}

// proxyTLS is node i's TLS config: node 2 keeps the old certificate under
// node-cert-mismatch; legacy-tls adds TLS 1.0/1.1, no-tls12 stops there.
func (l *Lab) proxyTLS(node int) *tls.Config {
	lf := l.pki.proxy
	if node == 1 && l.pki.oldProxy != nil {
		lf = l.pki.oldProxy
	}
	cfg := serverTLS(lf)
	for _, own := range l.pki.perName { // crypto/tls picks by SNI, else the first
		cfg.Certificates = append(cfg.Certificates, own.tlsCert())
	}
	switch {
	case l.faults.has("no-tls12"):
		cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
	case l.faults.has("legacy-tls"):
		cfg.MinVersion = tls.VersionTLS10
	}
	return cfg
}

// writeProxyCert writes the chain node 1 serves, leaf first, for offline
// inspection (no key: the file is what a client sees), and under
// SNICerts each name's own chain as NAME-cert.pem.
func (l *Lab) writeProxyCert() error {
	l.ProxyCertFile = filepath.Join(l.Dir, "proxy-cert.pem")
	if err := writeChain(l.ProxyCertFile, l.pki.proxy); err != nil {
		return err
	}
	for _, own := range l.pki.perName {
		if err := writeChain(filepath.Join(l.Dir, own.cert.Subject.CommonName+"-cert.pem"), own); err != nil {
			return err
		}
	}
	return nil
}

func writeChain(path string, lf *leaf) error {
	var certs []*x509.Certificate
	for _, der := range lf.chain {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return err
		}
		certs = append(certs, c)
	}
	return writePEM(path, certs...)
}

// certFilesYAML is the config's tls.certificate_files: the main chain,
// and each name's own with the name it is served for.
func (l *Lab) certFilesYAML() string {
	items := []string{"proxy-cert.pem"}
	for _, own := range l.pki.perName {
		n := own.cert.Subject.CommonName
		items = append(items, "{path: "+n+"-cert.pem, names: ["+n+"]}")
	}
	return strings.Join(items, ", ")
}

// impliedNodes is the least number of proxy nodes the faults need.
func (fs faultSet) impliedNodes() int {
	n := 0
	for _, f := range Faults {
		if fs.has(f.Name) {
			n = max(n, f.Nodes)
		}
	}
	return n
}

package config

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"net/netip"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
)

// validate fills the defaults, normalises names and checks every rule.
// A new key needs a field in config.go and, here, its default and its rule.
func (l *loader) validate(d *Deployment) {
	l.defaults(d)
	l.checkVersion(d)
	l.checkSIPDomains(d)
	l.checkWebServices(d)
	l.checkSimpleURLs(d)
	l.checkOtherNames(d)
	l.checkReverseProxy(&d.ReverseProxy)
	l.checkEdge(d.Edge)
	l.checkDNS(&d.DNS)
	l.checkViews(d)
	l.checkZoneFile(d)
	l.checkTLS(&d.TLS)
	l.checkAffinity(&d.Affinity)
	l.checkIgnore(d.Ignore)
}

// defaults fills keys the file leaves out. An explicit value, even 0, is
// kept and checked: "warn_days: 0" and "http_port: 0" mean something.
func (l *loader) defaults(d *Deployment) {
	if d.Name == "" {
		base := filepath.Base(l.file)
		d.Name = strings.TrimSuffix(base, filepath.Ext(base))
	}
	l.defaultString("version", &d.Version, DefaultVersion)
	l.defaultInt("reverse_proxy.port", &d.ReverseProxy.Port, DefaultPort)
	if d.ReverseProxy.HTTPPort == nil {
		p := DefaultHTTPPort
		d.ReverseProxy.HTTPPort = &p
	}
	l.defaultInt("tls.warn_days", &d.TLS.WarnDays, DefaultWarnDays)
	l.defaultInt("affinity.connections", &d.Affinity.Connections, DefaultConnections)
	l.defaultString("affinity.identity_header", &d.Affinity.IdentityHeader, DefaultIdentityHeader)
	if e := d.Edge; e != nil {
		l.defaultInt("edge.ports.sip_tls", &e.Ports.SIPTLS, DefaultSIPTLSPort)
		l.defaultInt("edge.ports.federation", &e.Ports.Federation, DefaultFederationPort)
		l.defaultInt("edge.ports.av_udp", &e.Ports.AVUDP, DefaultAVUDPPort)
		l.defaultInt("edge.ports.av_tcp", &e.Ports.AVTCP, DefaultAVTCPPort)
		l.defaultInt("edge.ports.webconf", &e.Ports.WebConf, DefaultWebConfPort)
	}
}

func (l *loader) defaultInt(key string, p *int, v int) {
	if !l.given[key] {
		*p = v
	}
}

func (l *loader) defaultString(key string, p *string, v string) {
	if !l.given[key] {
		*p = v
	}
}

// require reports a missing or empty value: "required" when the key is
// absent (at its parent's line), "must not be empty" when it is there.
func (l *loader) require(key string, empty bool) bool {
	if !empty {
		return true
	}
	if _, present := l.pos[key]; present {
		l.fail(key, "must not be empty")
	} else {
		l.fail(key, "required")
	}
	return false
}

func (l *loader) checkVersion(d *Deployment) {
	d.Version = strings.ToLower(d.Version)
	if !slices.Contains(Versions, d.Version) {
		l.fail("version", "must be one of %s", strings.Join(Versions, ", "))
	}
}

func (l *loader) checkSIPDomains(d *Deployment) {
	if !l.require("sip_domains", len(d.SIPDomains) == 0) {
		return
	}
	l.fqdns("sip_domains", d.SIPDomains)
}

func (l *loader) checkWebServices(d *Deployment) {
	if !l.require("web_services", len(d.WebServices) == 0) {
		return
	}
	for i := range d.WebServices {
		ws := &d.WebServices[i]
		key := indexKey("web_services", i)
		if l.require(key+".external", ws.External == "") {
			l.fqdn(key+".external", &ws.External)
		}
		if ws.Internal != "" {
			l.fqdn(key+".internal", &ws.Internal)
		}
		l.hostPorts(key+".backends", ws.Backends, 0)
	}
}

// simpleURL is a valid simple URL and what the prefix rule compares.
type simpleURL struct {
	key    string
	prefix string // lower-case host + path, ending in "/"
}

func (l *loader) checkSimpleURLs(d *Deployment) {
	s := &d.SimpleURLs
	if !l.require("simple_urls", !l.given["simple_urls"]) {
		return
	}
	var internal []string
	for _, ws := range d.WebServices {
		if ws.Internal != "" {
			internal = append(internal, ws.Internal)
		}
	}
	var urls []simpleURL
	add := func(key string, p *string) {
		if u, ok := l.simpleURL(key, p, internal); ok {
			urls = append(urls, u)
		}
	}
	if l.require("simple_urls.meet", len(s.Meet) == 0) {
		for i := range s.Meet {
			add(indexKey("simple_urls.meet", i), &s.Meet[i])
		}
	}
	if l.require("simple_urls.dialin", s.Dialin == "") {
		add("simple_urls.dialin", &s.Dialin)
	}
	if s.Admin != "" {
		add("simple_urls.admin", &s.Admin)
	}
	l.checkPrefixes(urls)
}

// simpleURL applies the simple URL rules (https, no port, no pool FQDN).
func (l *loader) simpleURL(key string, p *string, internal []string) (simpleURL, bool) {
	u, ok := l.httpsURL(key, p)
	if !ok {
		return simpleURL{}, false
	}
	switch {
	case u.Port() != "":
		l.fail(key, "must not contain a port")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		l.fail(key, "must not contain a query or fragment")
	case slices.Contains(internal, u.Hostname()):
		l.fail(key, "must not use the internal pool FQDN")
	default:
		prefix := u.Hostname() + strings.ToLower(u.Path)
		if !strings.HasSuffix(prefix, "/") {
			prefix += "/"
		}
		return simpleURL{key: key, prefix: prefix}, true
	}
	return simpleURL{}, false
}

// checkPrefixes enforces that no simple URL is a prefix of another (IIS
// could not tell them apart). The later URL in the file gets the blame.
func (l *loader) checkPrefixes(urls []simpleURL) {
	for j, b := range urls {
		for _, a := range urls[:j] {
			if msg := prefixProblem(a, b); msg != "" {
				l.fail(b.key, "%s", msg)
				break
			}
		}
	}
}

func prefixProblem(earlier, later simpleURL) string {
	switch {
	case earlier.prefix == later.prefix:
		return "is the same URL as " + earlier.key
	case strings.HasPrefix(later.prefix, earlier.prefix):
		return "has " + earlier.key + " as a prefix"
	case strings.HasPrefix(earlier.prefix, later.prefix):
		return "is a prefix of " + earlier.key
	}
	return ""
}

// httpsURL checks that *p is an https URL with a valid host name and
// lower-cases that host in place. The port is left for the caller to judge.
func (l *loader) httpsURL(key string, p *string) (*url.URL, bool) {
	u, err := url.Parse(strings.TrimSpace(*p))
	if err != nil || u.Scheme != "https" || u.Host == "" {
		l.fail(key, "must be an https URL")
		return nil, false
	}
	if u.User != nil {
		l.fail(key, "must not contain a user name")
		return nil, false
	}
	host, port := normHost(u.Hostname()), u.Port()
	if problem := fqdnProblem(host); problem != "" {
		l.fail(key, "host %s", problem)
		return nil, false
	}
	u.Host = host
	if port != "" {
		u.Host = host + ":" + port
	}
	*p = u.String()
	return u, true
}

func (l *loader) checkOtherNames(d *Deployment) {
	if d.MeetingURL != "" {
		l.httpsURL("meeting_url", &d.MeetingURL)
	}
	l.fqdns("lyncdiscover", d.Lyncdiscover)
	if d.LyncdiscoverHTTPOnly && d.ReverseProxy.HTTPPort != nil && *d.ReverseProxy.HTTPPort == 0 {
		l.fail("lyncdiscover_http_only", "needs HTTP published: reverse_proxy.http_port is 0")
	}
	if d.OfficeWebApps != "" {
		l.fqdn("office_web_apps", &d.OfficeWebApps)
	}
}

func (l *loader) checkReverseProxy(rp *ReverseProxy) {
	l.ips("reverse_proxy.addresses", rp.Addresses)
	l.portRange("reverse_proxy.port", rp.Port, 1)
	l.portRange("reverse_proxy.http_port", *rp.HTTPPort, 0)
	defPort := rp.Port
	if defPort < 1 || defPort > 65535 {
		defPort = DefaultPort // already reported; keep the nodes' messages about the nodes
	}
	l.hostPorts("reverse_proxy.nodes", rp.Nodes, defPort)
	l.checkProxyConfigFiles("reverse_proxy.config_files", rp.ConfigFiles)
	l.checkPathMap("reverse_proxy.path_map", rp.PathMap)
	rp.Family = strings.ToLower(strings.TrimSpace(rp.Family))
	if rp.Family != "" && !slices.Contains(ReverseProxyFamilies, rp.Family) {
		l.fail("reverse_proxy.family", "must be one of %s", strings.Join(ReverseProxyFamilies, ", "))
	}
}

func (l *loader) checkEdge(e *Edge) {
	if e == nil {
		return
	}
	if l.require("edge.access", e.Access == "") {
		l.fqdn("edge.access", &e.Access)
	}
	l.ips("edge.addresses", e.Addresses)
	l.portRange("edge.ports.sip_tls", e.Ports.SIPTLS, 1)
	l.portRange("edge.ports.federation", e.Ports.Federation, 1)
	l.portRange("edge.ports.av_udp", e.Ports.AVUDP, 1)
	l.portRange("edge.ports.av_tcp", e.Ports.AVTCP, 1)
	l.portRange("edge.ports.webconf", e.Ports.WebConf, 1)
	if e.WebConf != "" {
		l.fqdn("edge.webconf", &e.WebConf)
	}
	if e.AV != "" {
		l.fqdn("edge.av", &e.AV)
	}
}

func (l *loader) checkDNS(d *DNS) {
	l.hostPorts("dns.resolvers", d.Resolvers, 53)
	l.hostPorts("dns.internal_resolvers", d.InternalResolvers, 53)
}

func (l *loader) checkTLS(t *TLS) {
	l.caFile("tls.ca_file", &t.CAFile)
	l.caFile("tls.backend_ca_file", &t.BackendCAFile)
	if t.WarnDays < 0 {
		l.fail("tls.warn_days", "must not be negative")
	}
	l.checkCertificateFiles("tls.certificate_files", t.CertificateFiles)
}

func (l *loader) checkAffinity(a *Affinity) {
	if a.Connections < 1 || a.Connections > 1000 {
		l.fail("affinity.connections", "must be between 1 and 1000")
	}
	l.ips("affinity.source_addresses", a.SourceAddresses)
	if !validHeaderName(a.IdentityHeader) {
		l.fail("affinity.identity_header", "must be a valid HTTP header name")
	}
	// A cookie name is an RFC 6265 token, the same grammar as a header name.
	if a.IdentityCookie != "" && !validHeaderName(a.IdentityCookie) {
		l.fail("affinity.identity_cookie", "must be a valid cookie name")
	}
}

// fqdn normalises *p in place and checks it is a fully qualified name.
func (l *loader) fqdn(key string, p *string) {
	*p = normHost(*p)
	if problem := fqdnProblem(*p); problem != "" {
		l.fail(key, "%s", problem)
	}
}

func (l *loader) fqdns(key string, names []string) {
	for i := range names {
		l.fqdn(indexKey(key, i), &names[i])
	}
}

// ips checks and canonicalises IP addresses in place ("2001:DB8::1" and
// "2001:db8:0::1" both become "2001:db8::1").
func (l *loader) ips(key string, addrs []string) {
	for i := range addrs {
		a, err := netip.ParseAddr(strings.TrimSpace(addrs[i]))
		if err != nil {
			l.fail(indexKey(key, i), "must be an IP address")
			continue
		}
		addrs[i] = a.String()
	}
}

// hostPorts normalises each item to "host:port"; defPort 0 makes the port
// required.
func (l *loader) hostPorts(key string, items []string, defPort int) {
	for i := range items {
		hp, problem := splitHostPort(items[i], defPort)
		if problem != "" {
			l.fail(indexKey(key, i), "%s", problem)
			continue
		}
		items[i] = hp
	}
}

func (l *loader) portRange(key string, port, low int) {
	if port < low || port > 65535 {
		l.fail(key, "must be between %d and 65535", low)
	}
}

// caFile makes *p absolute against the config file's folder and checks it
// holds a certificate, so a typo fails now and not as a TLS error later.
func (l *loader) caFile(key string, p *string) {
	if *p == "" {
		return
	}
	path := *p
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(l.file), path)
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	*p = path
	if l.recorded {
		return
	}
	data, err := readFileCapped(l.ctx, path, maxConfigFile)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		l.fail(key, "cannot read %s: %v", path, err)
		return
	}
	if !hasPEMCertificate(data) {
		l.fail(key, "no PEM certificate in %s", path)
	}
}

func hasPEMCertificate(data []byte) bool {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return false
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		if _, err := x509.ParseCertificate(block.Bytes); err == nil {
			return true
		}
	}
}

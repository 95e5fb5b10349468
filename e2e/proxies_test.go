//go:build unix

package e2e

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lyncprobe/lyncprobe/lab"
)

// publishing is how one scenario publishes the pool: what the proxy
// config says, not which software says it.
type publishing struct {
	HostRewrite bool   // the front ends get the internal pool name as Host
	Persist     string // "": the family's usual persistence; "none": round-robin; "cookie", "cookie-httponly": HAProxy MS-WSMAN
	// Debian: the proxy runs from Debian's layout with its certificate in
	// its own folder, and validate reads a checkout of the configuration
	// files without it (layouts_test.go).
	Debian    bool
	DualStack bool // listen on [::1] too (nginx)
	// HideBranding: nginx proxy_hide_header for the front ends' branding
	// headers, as a security-reviewed proxy is set up.
	HideBranding bool
	// BasicAuth are path prefixes nginx pre-authenticates with auth_basic.
	BasicAuth []string
}

// brandingHeaders are what a hardened proxy strips (a routine
// penetration-test finding: software, framework and internal server name).
var brandingHeaders = []string{"Server", "X-Powered-By", "X-AspNet-Version", "X-MS-Server-Fqdn"}

// site is what every proxy config needs.
type site struct {
	Dir       string
	Port      int      // the published HTTPS port on 127.0.0.1
	Backends  []string // the front ends, host:port
	ChainFile string   // the proxy certificate, leaf first
	KeyFile   string
	Names     []string       // the published names
	PerName   []lab.NameCert // names served with a certificate of their own (nginx only)
	IPv6      bool           // the proxy listens on [::1] too, at Port
}

// addresses are the proxy's public addresses, quoted for the config.
func (s site) addresses() string {
	if s.IPv6 {
		return `"127.0.0.1", "::1"`
	}
	return `"127.0.0.1"`
}

// proxy is one family: its binary, the config it reads and how to run it.
type proxy struct {
	Family string
	Binary string
	// Write writes the config into s.Dir and returns its path (runProxy
	// runs it).
	Write func(t *testing.T, s site, p publishing) (conf string)
	// WriteDebian writes Debian's layout instead (publishing.Debian).
	WriteDebian func(t *testing.T, s site, p publishing) (conf string)
}

var proxies = []proxy{
	{Family: "nginx", Binary: "nginx", Write: writeNginx, WriteDebian: writeNginxDebian},
	{Family: "haproxy", Binary: "haproxy", Write: writeHAProxy},
	{Family: "apache", Binary: "apache2", Write: writeApache, WriteDebian: writeApacheDebian},
}

func writeNginx(t *testing.T, s site, p publishing) string {
	var b strings.Builder
	b.WriteString(indent(nginxUpstream(s, p)))
	// One server per certificate: nginx picks the server, and with it the
	// certificate, by SNI; the first is the default.
	main := slices.DeleteFunc(slices.Clone(s.Names), func(n string) bool {
		return slices.ContainsFunc(s.PerName, func(c lab.NameCert) bool { return c.Name == n })
	})
	servers := append([]lab.NameCert{{Name: strings.Join(main, " "), ChainFile: s.ChainFile, KeyFile: s.KeyFile}}, s.PerName...)
	for _, sv := range servers {
		b.WriteString(indent(nginxServer(t, s, p, sv)))
	}
	conf := filepath.Join(s.Dir, "nginx.conf")
	write(t, conf, nginxMain(s.Dir, b.String()))
	return conf
}

// nginxServer is the server block of one certificate and its names.
func nginxServer(t *testing.T, s site, p publishing, sv lab.NameCert) string {
	var b strings.Builder
	fmt.Fprintf(&b, "server {\n    listen 127.0.0.1:%d ssl;\n", s.Port)
	if p.DualStack {
		fmt.Fprintf(&b, "    listen [::1]:%d ssl;\n", s.Port)
	}
	fmt.Fprintf(&b, "    server_name %s;\n", sv.Name)
	fmt.Fprintf(&b, "    ssl_certificate %s;\n    ssl_certificate_key %s;\n", sv.ChainFile, sv.KeyFile)
	if p.HideBranding {
		b.WriteString("    server_tokens off;\n")
		for _, h := range brandingHeaders {
			fmt.Fprintf(&b, "    proxy_hide_header %s;\n", h)
		}
	}
	for _, path := range p.BasicAuth {
		write(t, filepath.Join(s.Dir, "htpasswd"), "staff:{PLAIN}not-a-real-secret\n")
		fmt.Fprintf(&b, "    location %s {\n        auth_basic \"Contoso staff\";\n        auth_basic_user_file %s;\n", path, filepath.Join(s.Dir, "htpasswd"))
		nginxPass(&b, p)
		b.WriteString("    }\n")
	}
	b.WriteString("    location / {\n")
	nginxPass(&b, p)
	b.WriteString("    }\n}\n")
	return b.String()
}

// indent indents every line of block by four spaces.
func indent(block string) string {
	return strings.ReplaceAll("    "+strings.TrimSuffix(block, "\n"), "\n", "\n    ") + "\n"
}

func writeHAProxy(t *testing.T, s site, p publishing) string {
	// HAProxy wants the chain and the key in one file.
	pem := filepath.Join(s.Dir, "haproxy.pem")
	write(t, pem, readFile(s.ChainFile)+readFile(s.KeyFile))
	var b strings.Builder
	b.WriteString("global\n  maxconn 256\n\ndefaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n  timeout server 960s\n\n")
	fmt.Fprintf(&b, "frontend lync_web\n  bind 127.0.0.1:%d ssl crt %s\n  default_backend lync_pool\n\n", s.Port, pem)
	b.WriteString("backend lync_pool\n")
	switch p.Persist {
	case "":
		b.WriteString("  balance source\n")
	case "none":
		b.WriteString("  balance roundrobin\n")
	case "cookie":
		b.WriteString("  balance roundrobin\n  cookie MS-WSMAN insert indirect nocache\n")
	case "cookie-httponly":
		b.WriteString("  balance roundrobin\n  cookie MS-WSMAN insert indirect nocache httponly\n")
	}
	if p.HostRewrite {
		b.WriteString("  http-request set-header Host " + poolFQDN + "\n")
	}
	for i, be := range s.Backends {
		fmt.Fprintf(&b, "  server fe%02d %s ssl verify none", i+1, be)
		if strings.HasPrefix(p.Persist, "cookie") {
			fmt.Fprintf(&b, " cookie fe%02d", i+1)
		}
		b.WriteString("\n")
	}
	conf := filepath.Join(s.Dir, "haproxy.cfg")
	write(t, conf, b.String())
	return conf
}

func writeApache(t *testing.T, s site, p publishing) string {
	var b strings.Builder
	fmt.Fprintf(&b, "ServerRoot %s\n%sListen 127.0.0.1:%d\n", s.Dir, apacheRuntime(s.Dir), s.Port)
	for _, m := range apacheModules {
		b.WriteString(apacheLoad(m))
	}
	if isRoot() {
		// Without mod_unixd nothing drops to another user; with it, root
		// children are refused.
		b.WriteString("# running as root: mod_unixd not loaded, so the children stay this user\n")
	}
	fmt.Fprintf(&b, "SSLSessionCache shmcb:%s/ssl_scache(51200)\n\n", s.Dir)
	b.WriteString(apacheVhost(s, p, s.ChainFile, s.KeyFile))
	conf := filepath.Join(s.Dir, "httpd.conf")
	write(t, conf, b.String())
	return conf
}

// startProxy writes the family's config and runs it until the test ends;
// it returns the config validate reads (for a Debian layout, the copy in
// a checkout without the certificate).
func startProxy(t *testing.T, px proxy, s site, p publishing) string {
	write := px.Write
	if p.Debian {
		write = px.WriteDebian
	}
	conf := write(t, s, p)
	runProxy(t, px, s.Dir, s.Port, conf)
	if p.Debian {
		return debianCheckout(t, filepath.Dir(conf), conf)
	}
	return conf
}

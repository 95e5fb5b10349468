//go:build unix

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/internal/tlstest"
	"github.com/lyncprobe/lyncprobe/proxyconf"
)

// The conformance tests: configurations in the distributions' layouts,
// good ones and faults, are loaded by the real proxy (`nginx -T`,
// `apache2 -t -D DUMP_INCLUDES -D DUMP_VHOSTS`, `haproxy -c -f`) and by
// lyncprobe's parser. They must agree on which files are included, which
// server names result, and where each certificate is read: a proxy that
// accepts the configuration loaded every certificate we name, and a proxy
// that refuses a missing file names the path we resolved.

// layout is one configuration written into dir, and how the proxy tests it.
type layout struct {
	Name   string
	Family proxyconf.Family
	Binary string
	// Write writes the files into dir (the certificate and key already
	// there as rp.pem, rp.key and rp-full.pem, HAProxy's chain+key) and
	// returns the main file, the proxy's test arguments and the
	// parser's options (its root, when the proxy's working folder is not
	// the main file's).
	Write func(t *testing.T, dir string) (main string, args []string, o proxyconf.Options)
	// Refused: the proxy refuses the configuration because this file,
	// relative to dir, is missing where it resolves it; "" = accepted.
	Refused string
	Names   []string // the server names that result, for an accepted one
}

var layouts = []layout{
	{Name: "nginx-debian", Family: proxyconf.Nginx, Binary: "nginx", Write: nginxDebian(false, false),
		Names: []string{"dialin.contoso.com", "meet.contoso.com", "webext.contoso.com"}},
	{Name: "nginx-rhel", Family: proxyconf.Nginx, Binary: "nginx", Write: nginxRHEL,
		Names: []string{"*", "_", "meet.contoso.com", "webext.contoso.com"}}, // the default server: "_" and every name
	{Name: "nginx-snippet-beside-site", Family: proxyconf.Nginx, Binary: "nginx", Write: nginxDebian(true, false), Refused: "snippets/lync-tls.conf"},
	{Name: "nginx-cert-beside-snippet", Family: proxyconf.Nginx, Binary: "nginx", Write: nginxDebian(false, true), Refused: "certs/rp.pem"},
	{Name: "apache-debian", Family: proxyconf.Apache, Binary: "apache2", Write: apacheDebian(false, false),
		Names: []string{"dialin.contoso.com", "meet.contoso.com", "webext.contoso.com"}},
	{Name: "apache-rhel", Family: proxyconf.Apache, Binary: "apache2", Write: apacheRHEL(false),
		Names: []string{"meet.contoso.com", "webext.contoso.com"}},
	{Name: "apache-cert-beside-site", Family: proxyconf.Apache, Binary: "apache2", Write: apacheDebian(true, false), Refused: "ssl/rp.pem"},
	{Name: "apache-include-beside-conf", Family: proxyconf.Apache, Binary: "apache2", Write: apacheRHEL(true), Refused: "lync/lync.conf"},
	{Name: "apache-missing-site", Family: proxyconf.Apache, Binary: "apache2", Write: apacheDebian(false, true), Refused: "sites-enabled/lync.conf"},
	{Name: "haproxy-etc", Family: proxyconf.HAProxy, Binary: "haproxy", Write: haproxyEtc(false),
		Names: []string{"*"}},
	{Name: "haproxy-crt-list-missing", Family: proxyconf.HAProxy, Binary: "haproxy", Write: haproxyEtc(true), Refused: "certs/missing.pem"},
}

func TestConformance(t *testing.T) {
	key, cert := proxyCert(t)
	for _, lay := range layouts {
		t.Run(lay.Name, func(t *testing.T) {
			t.Parallel()
			bin := binary(t, lay.Binary)
			dir, err := filepath.EvalSymlinks(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			mkfile(t, dir, "rp.pem", cert)
			mkfile(t, dir, "rp.key", key)
			main, args, o := lay.Write(t, dir)
			out, runErr := runTest(dir, bin, args)
			if runErr == nil && lay.Family == proxyconf.Apache {
				// The dumps end the run before the modules check their
				// files (a missing certificate): dump after a plain -t.
				dump, err := runTest(dir, bin, append(args, "-D", "DUMP_INCLUDES", "-D", "DUMP_VHOSTS"))
				out, runErr = out+dump, err
			}
			cfg, parseErr := proxyconf.ParseWith(context.Background(), main, o)
			if lay.Refused == "" {
				conformAccepted(t, lay, dir, out, runErr, cfg, parseErr)
			} else {
				conformRefused(t, lay, dir, out, runErr, cfg, parseErr)
			}
		})
	}
}

// runTest runs the proxy's configuration test in dir (HAProxy resolves
// relative paths against its working folder).
func runTest(dir, bin string, args []string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func conformAccepted(t *testing.T, lay layout, dir, out string, runErr error, cfg *proxyconf.Config, parseErr error) {
	if runErr != nil {
		t.Fatalf("%s refused the good layout: %v\n%s", lay.Binary, runErr, out)
	}
	if parseErr != nil {
		t.Fatalf("%s accepted it, lyncprobe did not: %v", lay.Binary, parseErr)
	}
	if want := proxyFiles(lay.Family, out); want != nil {
		if got := unique(cfg.Files); !slices.Equal(got, want) {
			t.Errorf("included files:\n  %s: %v\n  lyncprobe: %v", lay.Binary, rel(dir, want), rel(dir, got))
		}
	}
	if lay.Family == proxyconf.Apache {
		if got, want := ourVhosts(cfg), apacheVhosts(out); !slices.Equal(got, want) {
			t.Errorf("virtual hosts:\n  apache2: %v\n  lyncprobe: %v", want, got)
		}
	}
	if got := ourNames(cfg); !slices.Equal(got, lay.Names) {
		t.Errorf("server names %v, want %v", got, lay.Names)
	}
	// The proxy loaded every certificate it names: each path we resolved
	// is there, and there is one per site that has TLS.
	n := 0
	for _, s := range cfg.Sites {
		for _, f := range s.CertFiles {
			n++
			if _, err := os.Stat(f.Path); err != nil {
				t.Errorf("%s loaded the certificate %s, which lyncprobe reads at %s: %v", lay.Binary, f.Written, f.Path, err)
			}
		}
	}
	if n == 0 {
		t.Errorf("lyncprobe found no certificate file")
	}
	if !hasUpstream(cfg) {
		t.Errorf("lyncprobe found no upstream")
	}
	if lay.Family == proxyconf.Nginx {
		conformDump(t, dir, out, cfg)
	}
	if lay.Family == proxyconf.Apache {
		conformIncludeList(t, dir, out, cfg)
	}
}

// conformIncludeList: Apache's own DUMP_INCLUDES list, put beside a copy
// of its folder made elsewhere, reads the copy: the same sites, and the
// same files (the list is checked against what lyncprobe includes).
func conformIncludeList(t *testing.T, dir, out string, files *proxyconf.Config) {
	cp := dir + "-copy"
	if err := os.CopyFS(cp, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(cp) })
	p := mkfile(t, cp, "apache2-includes.txt", out)
	c, err := proxyconf.Parse(p, "")
	if err != nil {
		t.Fatalf("apache2's DUMP_INCLUDES with a copy of the files: %v", err)
	}
	if got, want := ourNames(c), ourNames(files); !slices.Equal(got, want) {
		t.Errorf("server names from the copy %v, from the files %v", got, want)
	}
	if got, want := rel(cp, c.Files), rel(dir, files.Files); !slices.Equal(unique(got), unique(want)) {
		t.Errorf("files from the copy %v, in place %v", got, want)
	}
}

// conformDump: nginx -T's own output, read as a dump, gives the sites the
// files give (names, certificate paths, upstreams).
func conformDump(t *testing.T, dir, out string, files *proxyconf.Config) {
	p := mkfile(t, dir, "nginx-T.txt", out)
	d, err := proxyconf.Parse(p, "")
	if err != nil {
		t.Fatalf("nginx -T output as a dump: %v", err)
	}
	if got, want := ourNames(d), ourNames(files); !slices.Equal(got, want) {
		t.Errorf("server names from the dump %v, from the files %v", got, want)
	}
	if got, want := certPaths(d), certPaths(files); !slices.Equal(got, want) {
		t.Errorf("certificates from the dump %v, from the files %v", got, want)
	}
	if got, want := upstreams(d), upstreams(files); !slices.Equal(got, want) {
		t.Errorf("upstreams from the dump %v, from the files %v", got, want)
	}
}

func upstreams(c *proxyconf.Config) []string {
	var us []string
	for _, s := range c.Sites {
		for _, r := range s.Routes {
			for _, tg := range r.Targets {
				us = append(us, fmt.Sprintf("%s://%s:%d", tg.Scheme, tg.Host, tg.DefaultPort()))
			}
		}
	}
	return us
}

func conformRefused(t *testing.T, lay layout, dir, out string, runErr error, cfg *proxyconf.Config, parseErr error) {
	if runErr == nil {
		t.Fatalf("%s accepted the fault; want it to miss %s:\n%s", lay.Binary, lay.Refused, out)
	}
	want := filepath.Join(dir, lay.Refused)
	if !strings.Contains(out, want) {
		t.Fatalf("%s refused it for another reason than a missing %s:\n%s", lay.Binary, want, out)
	}
	// A missing include: lyncprobe refuses it too, naming the same path.
	// A missing certificate: lyncprobe names the file at the same path
	// (validate's skip).
	if parseErr != nil {
		if !strings.Contains(parseErr.Error(), want) {
			t.Errorf("%s misses %s; lyncprobe's error names another: %v", lay.Binary, want, parseErr)
		}
		return
	}
	for _, s := range cfg.Sites {
		for _, f := range s.CertFiles {
			if f.Path == want {
				return
			}
		}
	}
	t.Errorf("%s misses %s; lyncprobe parsed it and names no such file (certificates %v)", lay.Binary, want, certPaths(cfg))
}

// proxyFiles are the files the proxy read, from its own dump; nil when
// it has none (HAProxy).
func proxyFiles(f proxyconf.Family, out string) []string {
	var re *regexp.Regexp
	switch f {
	case proxyconf.Nginx:
		re = regexp.MustCompile(`(?m)^# configuration file (.+):$`)
	case proxyconf.Apache:
		re = regexp.MustCompile(`(?m)^\s+\((?:\*|\d+)\) (.+)$`)
	default:
		return nil
	}
	var files []string
	for _, m := range re.FindAllStringSubmatch(out, -1) {
		files = append(files, m[1])
	}
	return unique(files)
}

// apacheVhosts: "name (file:line)" of each line of DUMP_VHOSTS.
func apacheVhosts(out string) []string {
	re := regexp.MustCompile(`(?m)^\S+\s+(?:namevhost\s+)?(\S+) \((.+:\d+)\)$`)
	var vs []string
	for _, m := range re.FindAllStringSubmatch(out, -1) {
		vs = append(vs, m[1]+" ("+m[2]+")")
	}
	sort.Strings(vs)
	return vs
}

func ourVhosts(c *proxyconf.Config) []string {
	var vs []string
	for _, s := range c.Sites {
		if len(s.Names) > 0 {
			vs = append(vs, s.Names[0].Value+" ("+s.Pos.String()+")")
		}
	}
	sort.Strings(vs)
	return vs
}

func ourNames(c *proxyconf.Config) []string {
	var ns []string
	for _, s := range c.Sites {
		for _, n := range s.Names {
			ns = append(ns, n.Value)
		}
	}
	sort.Strings(ns)
	return slices.Compact(ns)
}

func hasUpstream(c *proxyconf.Config) bool {
	for _, s := range c.Sites {
		for _, r := range s.Routes {
			if len(r.Targets) > 0 {
				return true
			}
		}
	}
	return false
}

func certPaths(c *proxyconf.Config) []string {
	var ps []string
	for _, s := range c.Sites {
		for _, f := range s.CertFiles {
			ps = append(ps, f.Path)
		}
	}
	return ps
}

func unique(ss []string) []string {
	var out []string
	for _, s := range ss {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func rel(dir string, files []string) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = strings.TrimPrefix(f, dir+"/")
	}
	return out
}

func mkfile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, p, content)
	return p
}

// proxyCert mints a self-signed certificate for the published names.
func proxyCert(t *testing.T) (keyPEM, certPEM string) {
	t.Helper()
	tmpl := tlstest.LeafTemplate("webext.contoso.com", "meet.contoso.com", "dialin.contoso.com")
	c, k := tlstest.PEM(t, tlstest.Leaf(t, tmpl, nil))
	return string(k), string(c)
}

// nginxDebian: Debian's layout. nginx.conf includes conf.d/*.conf and
// sites-enabled/* (relative: against the prefix, the folder of
// nginx.conf); the site includes snippets/lync-tls.conf and the snippet
// names certs/rp.pem, both relative to the prefix too. Faults: the
// snippet beside the site (sites-enabled/snippets/), or the certificate
// beside the snippet (snippets/certs/), where a parser resolving against
// the including file would find them.
func nginxDebian(snippetBesideSite, certBesideSnippet bool) func(*testing.T, string) (string, []string, proxyconf.Options) {
	return func(t *testing.T, dir string) (string, []string, proxyconf.Options) {
		main := mkfile(t, dir, "nginx.conf", nginxMain(dir, "    include conf.d/*.conf;\n    include sites-enabled/*;\n"))
		mkfile(t, dir, "conf.d/upstream.conf", "upstream lync_pool {\n    ip_hash;\n    server 10.0.1.11:4443;\n    server 10.0.1.12:4443;\n}\n")
		mkfile(t, dir, "sites-available/lync", "server {\n    listen 127.0.0.1:8443 ssl;\n    server_name webext.contoso.com meet.contoso.com dialin.contoso.com;\n"+
			"    include snippets/lync-tls.conf;\n    location / {\n        proxy_pass https://lync_pool;\n        proxy_set_header Host $host;\n    }\n}\n")
		mkdirSymlink(t, filepath.Join(dir, "sites-enabled"), "../sites-available/lync", "lync") // as a2ensite/ln -s do
		snippet := "ssl_certificate certs/rp.pem;\nssl_certificate_key certs/rp.key;\n"
		if snippetBesideSite {
			mkfile(t, dir, "sites-available/snippets/lync-tls.conf", snippet)
		} else {
			mkfile(t, dir, "snippets/lync-tls.conf", snippet)
		}
		certDir := "certs"
		if certBesideSnippet {
			certDir = "snippets/certs"
		}
		mkfile(t, dir, certDir+"/rp.pem", readFile(filepath.Join(dir, "rp.pem")))
		mkfile(t, dir, certDir+"/rp.key", readFile(filepath.Join(dir, "rp.key")))
		return main, []string{"-T", "-p", dir, "-c", main}, proxyconf.Options{Family: proxyconf.Nginx}
	}
}

func mkdirSymlink(t *testing.T, dir, target, name string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
}

// nginxRHEL: RHEL's layout. nginx.conf includes /etc/nginx/conf.d/*.conf
// by absolute path (here, dir) and its default server includes
// default.d/*.conf; the Lync site is a conf.d file.
func nginxRHEL(t *testing.T, dir string) (string, []string, proxyconf.Options) {
	main := mkfile(t, dir, "nginx.conf", nginxMain(dir, "    include "+dir+"/conf.d/*.conf;\n"+
		"    server {\n        listen 127.0.0.1:8080 default_server;\n        server_name _;\n        include "+dir+"/default.d/*.conf;\n    }\n"))
	mkfile(t, dir, "default.d/health.conf", "location = /health {\n    return 200;\n}\n")
	mkfile(t, dir, "conf.d/lync.conf", "upstream lync_pool {\n    server 10.0.1.11:4443;\n}\nserver {\n    listen 127.0.0.1:8443 ssl;\n    server_name webext.contoso.com meet.contoso.com;\n"+
		"    ssl_certificate "+dir+"/pki/rp.pem;\n    ssl_certificate_key "+dir+"/pki/rp.key;\n    location / {\n        proxy_pass https://lync_pool;\n    }\n}\n")
	mkfile(t, dir, "pki/rp.pem", readFile(filepath.Join(dir, "rp.pem")))
	mkfile(t, dir, "pki/rp.key", readFile(filepath.Join(dir, "rp.key")))
	return main, []string{"-T", "-p", dir, "-c", main}, proxyconf.Options{Family: proxyconf.Nginx}
}

// apacheHead: the main file's run-time settings, and the modules a Lync
// site needs from Debian's build, as mods-enabled/*.load files.
func apacheHead(t *testing.T, dir, modsDir string) string {
	apacheModLoads(t, dir, modsDir)
	return "ServerRoot \"" + dir + "\"\n" + apacheRuntime(dir)
}

const apacheSite = "<VirtualHost 127.0.0.1:8443>\n    ServerName %s\n    ServerAlias %s\n    SSLEngine on\n    SSLCertificateFile %s\n    SSLCertificateKeyFile %s\n" +
	"    ProxyPreserveHost On\n    SSLProxyEngine on\n    ProxyPass / https://10.0.1.11:4443/\n</VirtualHost>\n"

// apacheDebian: Debian's layout (apache2.conf including mods-enabled,
// ports.conf, conf-enabled and sites-enabled, relative to ServerRoot); the
// certificate is ssl/rp.pem relative to ServerRoot. Faults: the
// certificate beside the site file, or a site Include'd that is not there.
func apacheDebian(certBesideSite, missingSite bool) func(*testing.T, string) (string, []string, proxyconf.Options) {
	return func(t *testing.T, dir string) (string, []string, proxyconf.Options) {
		include := "IncludeOptional sites-enabled/*.conf\n"
		if missingSite {
			include = "Include sites-enabled/lync.conf\n"
		}
		main := mkfile(t, dir, "apache2.conf", apacheHead(t, dir, "mods-enabled")+"IncludeOptional mods-enabled/*.load\nInclude ports.conf\nIncludeOptional conf-enabled/*.conf\n"+include)
		mkfile(t, dir, "ports.conf", "Listen 127.0.0.1:8443\n")
		mkfile(t, dir, "conf-enabled/security.conf", "ServerTokens Prod\n")
		if !missingSite {
			mkfile(t, dir, "sites-enabled/lync.conf", fmt.Sprintf(apacheSite, "webext.contoso.com", "meet.contoso.com dialin.contoso.com", "ssl/rp.pem", "ssl/rp.key"))
		}
		certDir := "ssl"
		if certBesideSite {
			certDir = "sites-enabled/ssl"
		}
		mkfile(t, dir, certDir+"/rp.pem", readFile(filepath.Join(dir, "rp.pem")))
		mkfile(t, dir, certDir+"/rp.key", readFile(filepath.Join(dir, "rp.key")))
		return main, []string{"-t", "-f", main}, proxyconf.Options{Family: proxyconf.Apache}
	}
}

// apacheRHEL: RHEL's layout: conf/httpd.conf under ServerRoot, including
// conf.modules.d/*.conf and conf.d/*.conf relative to ServerRoot (not to
// conf/). Fault: an Include written relative to conf/.
func apacheRHEL(includeBesideConf bool) func(*testing.T, string) (string, []string, proxyconf.Options) {
	return func(t *testing.T, dir string) (string, []string, proxyconf.Options) {
		tail := "IncludeOptional conf.d/*.conf\n"
		site := fmt.Sprintf(apacheSite, "webext.contoso.com", "meet.contoso.com", "tls/rp.pem", "tls/rp.key")
		if includeBesideConf {
			tail = "Include lync/lync.conf\n"
			mkfile(t, dir, "conf/lync/lync.conf", site)
		} else {
			mkfile(t, dir, "conf.d/lync.conf", site)
		}
		main := mkfile(t, dir, "conf/httpd.conf", apacheHead(t, dir, "conf.modules.d")+"Include conf.modules.d/*.load\nListen 127.0.0.1:8443\n"+tail)
		mkfile(t, dir, "tls/rp.pem", readFile(filepath.Join(dir, "rp.pem")))
		mkfile(t, dir, "tls/rp.key", readFile(filepath.Join(dir, "rp.key")))
		return main, []string{"-t", "-f", main}, proxyconf.Options{Family: proxyconf.Apache}
	}
}

// haproxyEtc: /etc/haproxy as a folder of *.cfg files given to -f, a
// global crt-base, a crt folder and a crt-list (relative to the working
// folder, its entries relative to crt-base). Fault: a crt-list entry that
// is not there.
func haproxyEtc(missing bool) func(*testing.T, string) (string, []string, proxyconf.Options) {
	return func(t *testing.T, dir string) (string, []string, proxyconf.Options) {
		full := readFile(filepath.Join(dir, "rp.pem")) + readFile(filepath.Join(dir, "rp.key"))
		mkfile(t, dir, "certs/pool/webext.pem", full)
		mkfile(t, dir, "certs/dialin.pem", full)
		entry := "dialin.pem dialin.contoso.com\n"
		if missing {
			entry = "missing.pem dialin.contoso.com\n"
		}
		mkfile(t, dir, "lists/lync.lst", "# certificate [options] [sni filters]\n"+entry)
		mkfile(t, dir, "conf/00-global.cfg", "global\n    crt-base "+dir+"/certs\n\ndefaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 960s\n")
		mkfile(t, dir, "conf/10-lync.cfg", "frontend lync\n    bind 127.0.0.1:8443 ssl crt pool crt-list lists/lync.lst\n    default_backend lync_pool\n\n"+
			"backend lync_pool\n    balance source\n    server fe01 10.0.1.11:4443 ssl verify none\n")
		conf := filepath.Join(dir, "conf")
		return conf, []string{"-c", "-f", conf}, proxyconf.Options{Family: proxyconf.HAProxy, Root: dir}
	}
}

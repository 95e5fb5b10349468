package proxyconf

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// rel lists files relative to dir, for comparing.
func rel(dir string, files []string) []string {
	var out []string
	for _, f := range files {
		r, err := filepath.Rel(dir, f)
		if err != nil {
			r = f
		}
		out = append(out, filepath.ToSlash(r))
	}
	return out
}

func certPaths(c *Config) []string {
	var out []string
	for _, s := range c.Sites {
		for _, f := range s.CertFiles {
			out = append(out, f.Path)
		}
	}
	return out
}

// parseLayout parses main as family f ("" to detect it) and checks the
// files read, relative to dir and in order, and, unless cert is "", that
// the one certificate path the sites name is cert.
func parseLayout(t *testing.T, main string, f Family, dir string, files []string, cert string) *Config {
	t.Helper()
	c, err := Parse(main, f)
	if err != nil {
		t.Fatal(err)
	}
	if got := rel(dir, c.Files); !slices.Equal(got, files) {
		t.Errorf("files %v, want %v", got, files)
	}
	if got := certPaths(c); cert != "" && (len(got) != 1 || got[0] != cert) {
		t.Errorf("certificates %v, want [%s]", got, cert)
	}
	return c
}

// Debian's nginx layout, checked out away from /etc/nginx: the main file
// includes /etc/nginx/sites-enabled/* by absolute path, a site includes
// snippets/*.conf relative to the prefix (not to sites-enabled), and
// ssl_certificate is relative to the prefix too. The main file, holding
// only events and http, is recognised.
func TestNginxDebianLayout(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nginx")
	main := write(t, dir, "main.conf", "user www-data;\nevents { worker_connections 768; }\nhttp {\n  include /etc/nginx/conf.d/*.conf;\n  include /etc/nginx/sites-enabled/*;\n}\n")
	write(t, dir, "sites-enabled/lync", "server {\n  listen 443 ssl;\n  server_name meet.contoso.com;\n  include snippets/lync-tls.conf;\n  location / { proxy_pass https://fe:4443; }\n}\n")
	write(t, dir, "snippets/lync-tls.conf", "ssl_certificate certs/rp.pem;\nssl_certificate_key /etc/ssl/private/rp.key;\n")
	c := parseLayout(t, main, "", dir, []string{"main.conf", "sites-enabled/lync", "snippets/lync-tls.conf"},
		filepath.Join(dir, "certs/rp.pem")) // the prefix's
	if c.Family != Nginx {
		t.Errorf("family %q, want nginx from events/http", c.Family)
	}
}

// The user's root and path map: a checkout whose folder is not the
// prefix, and certificates that live elsewhere.
func TestNginxRootAndPathMap(t *testing.T) {
	top := t.TempDir()
	main := write(t, top, "deploy/proxy/nginx.conf", "events {}\nhttp { include sites/lync.conf; }\n")
	write(t, top, "deploy/sites/lync.conf", "server { server_name meet.contoso.com; ssl_certificate /etc/ssl/lync/rp.pem; }\n")
	o := Options{Root: filepath.Join(top, "deploy"), PathMap: map[string]string{"/etc/ssl/lync": filepath.Join(top, "certs")}}
	c, err := ParseWith(context.Background(), main, o)
	if err != nil {
		t.Fatal(err)
	}
	if got := certPaths(c); len(got) != 1 || got[0] != filepath.Join(top, "certs/rp.pem") {
		t.Errorf("certificates %v, want the mapped certs/rp.pem", got)
	}
	if _, err := Parse(main, ""); err == nil || !strings.Contains(err.Error(), "root") {
		t.Errorf("without the root: %v, want an include error that says how to set the root", err)
	}
}

// Debian's Apache layout: apache2.conf sets no ServerRoot (Debian's is
// /etc/apache2) and includes relative to it; a site's certificate is
// relative to ServerRoot.
func TestApacheDebianLayout(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "apache2")
	main := write(t, dir, "apache2.conf", "DefaultRuntimeDir ${APACHE_RUN_DIR}\nIncludeOptional mods-enabled/*.load\nInclude ports.conf\nIncludeOptional conf-enabled/*.conf\nIncludeOptional sites-enabled/*.conf\n")
	write(t, dir, "ports.conf", "Listen 443\n")
	write(t, dir, "mods-enabled/ssl.load", "LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n")
	write(t, dir, "sites-enabled/lync.conf", "<VirtualHost *:443>\n  ServerName meet.contoso.com\n  SSLCertificateFile ssl/rp.pem\n  ProxyPass / https://fe:4443/\n</VirtualHost>\n")
	write(t, dir, "sites-enabled/notes.txt", "not a site: not included\n")
	parseLayout(t, main, "", dir, []string{"apache2.conf", "mods-enabled/ssl.load", "ports.conf", "sites-enabled/lync.conf"},
		filepath.Join(dir, "ssl/rp.pem"))
}

// RHEL's layout: /etc/httpd/conf/httpd.conf says ServerRoot "/etc/httpd"
// and includes conf.modules.d and conf.d relative to it; Include of a
// folder reads every file below it. Checked out as httpd/conf/httpd.conf,
// the root is found by name among the file's parents.
func TestApacheRHELLayout(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "httpd")
	main := write(t, dir, "conf/httpd.conf", "ServerRoot \"/etc/httpd\"\nInclude conf.modules.d/*.conf\nIncludeOptional conf.d/*.conf\nInclude extra\n")
	write(t, dir, "conf.modules.d/00-ssl.conf", "LoadModule ssl_module modules/mod_ssl.so\n")
	write(t, dir, "conf.d/lync.conf", "<VirtualHost *:443>\n  ServerName meet.contoso.com\n  SSLCertificateFile /etc/httpd/tls/rp.pem\n</VirtualHost>\n")
	write(t, dir, "extra/a/b.conf", "<VirtualHost *:443>\n  ServerName dialin.contoso.com\n</VirtualHost>\n")
	c := parseLayout(t, main, Apache, dir, []string{"conf/httpd.conf", "conf.modules.d/00-ssl.conf", "conf.d/lync.conf", "extra/a/b.conf"},
		filepath.Join(dir, "tls/rp.pem")) // /etc/httpd mapped to the checkout
	if len(c.Sites) != 2 {
		t.Errorf("sites %d, want 2", len(c.Sites))
	}
}

// HAProxy: crt-base, a crt folder (its .key companions are not
// certificates), a crt-list, and -f of a folder of *.cfg files.
func TestHAProxyCertificates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "haproxy")
	write(t, dir, "00-global.cfg", "global\n  crt-base certs\n")
	write(t, dir, "10-lync.cfg", "frontend lync\n  bind :443 ssl crt pool crt-list lists/lync.lst\n  default_backend b\nbackend b\n  server s 10.0.0.1:4443 ssl\n")
	write(t, dir, "README", "not a .cfg: not read\n")
	write(t, dir, "certs/pool/a.pem", "")
	write(t, dir, "certs/pool/a.pem.key", "")
	write(t, dir, "certs/pool/b.pem", "")
	write(t, dir, "lists/lync.lst", "# comment\nmeet.pem [alpn h2] meet.contoso.com\n/etc/ssl/other.pem\n")
	c := parseLayout(t, dir, "", dir, []string{"00-global.cfg", "10-lync.cfg", "lists/lync.lst"}, "")
	got := rel(dir, certPaths(c))
	want := []string{"certs/pool/a.pem", "certs/pool/b.pem", "certs/meet.pem", "../../../../etc/ssl/other.pem"}
	if len(got) != 4 || !slices.Equal(got[:3], want[:3]) || !strings.HasSuffix(got[3], "etc/ssl/other.pem") {
		t.Errorf("certificates %v, want %v", got, want)
	}
	if p := c.Sites[0].CertFiles[2].Pos; filepath.Base(p.File) != "lync.lst" || p.Line != 2 {
		t.Errorf("a crt-list entry is at %v, want lync.lst:2", p)
	}
}

// A main file of each family is recognised by what it holds.
func TestDetectMainFiles(t *testing.T) {
	for text, want := range map[string]Family{
		"user nginx;\nevents {\n}\nhttp {\n  include conf.d/*.conf;\n}\n": Nginx,
		"ServerRoot \"/etc/httpd\"\nInclude conf.modules.d/*.conf\n":      Apache,
		"Include ports.conf\n": Apache,
		"global\n  log /dev/log local0\ndefaults\n  mode http\n":                       HAProxy,
		"server {\n  include snippets/tls.conf;\n  server_name meet.contoso.com;\n}\n": Nginx,
	} {
		if got := Detect("main.conf", text); got != want {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
}

// `nginx -T` output, copied from the proxy host, is read as the files
// nginx loaded: includes from the dump, places at the dump's lines,
// certificate paths the host's, mapped by the path map.
func TestNginxDump(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "proxy-dump.txt", `nginx: the configuration file /etc/nginx/nginx.conf syntax is ok
nginx: configuration file /etc/nginx/nginx.conf test is successful
# configuration file /etc/nginx/nginx.conf:
events { worker_connections 64; }
http {
  include sites-enabled/*;
}

# configuration file /etc/nginx/sites-enabled/lync:
server {
  listen 443 ssl;
  server_name meet.contoso.com;
  include snippets/tls.conf;
  location / { proxy_pass https://10.0.0.1:4443; }
}

# configuration file /etc/nginx/snippets/tls.conf:
ssl_certificate certs/rp.pem;

`)
	c, err := ParseWith(context.Background(), p, Options{PathMap: map[string]string{"/etc/nginx/certs": filepath.Join(dir, "certs")}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Family != Nginx || len(c.Sites) != 1 {
		t.Fatalf("got %+v", c)
	}
	if want := []string{"/etc/nginx/nginx.conf", "/etc/nginx/sites-enabled/lync", "/etc/nginx/snippets/tls.conf"}; !slices.Equal(c.Files, want) {
		t.Errorf("files %v, want %v", c.Files, want)
	}
	s := c.Sites[0]
	if s.Names[0].Value != "meet.contoso.com" || s.Names[0].Pos != (Pos{p, 12}) {
		t.Errorf("name %+v, want meet.contoso.com at the dump's line 12", s.Names[0])
	}
	if f := s.CertFiles[0]; f.Path != filepath.Join(dir, "certs/rp.pem") || f.Pos != (Pos{p, 18}) {
		t.Errorf("certificate %+v, want the mapped certs/rp.pem at line 18", f)
	}
	bad := write(t, dir, "bad-dump.txt", "# configuration file /etc/nginx/nginx.conf:\nhttp {\n  include missing.conf;\n}\n")
	var se *SyntaxError
	if _, err := Parse(bad, ""); !errors.As(err, &se) || se.Pos != (Pos{bad, 3}) {
		t.Errorf("a missing include in a dump: %v, want an error at the dump's line 3", err)
	}
}

// applicationHost.config as IIS and ARR write it: the section
// declarations, sites and bindings, the default proxy section, the farm
// with ARR's default sections, a disabled rule and a negated condition.
func TestARRAsIISWritesIt(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "applicationHost.config", `<?xml version="1.0" encoding="UTF-8"?>
<configuration>
    <configSections>
        <sectionGroup name="system.webServer">
            <section name="proxy" overrideModeDefault="Deny" />
            <sectionGroup name="rewrite">
                <section name="globalRules" overrideModeDefault="Deny" allowDefinition="AppHostOnly" />
            </sectionGroup>
        </sectionGroup>
        <section name="webFarms" overrideModeDefault="Deny" allowDefinition="AppHostOnly" />
    </configSections>
    <system.applicationHost>
        <sites>
            <site name="Default Web Site" id="1">
                <bindings>
                    <binding protocol="http" bindingInformation="*:80:" />
                    <binding protocol="https" bindingInformation="*:443:" sslFlags="0" />
                </bindings>
            </site>
        </sites>
    </system.applicationHost>
    <system.webServer>
        <proxy enabled="true" preserveHostHeader="true" reverseRewriteHostInResponseHeaders="false" timeout="00:16:00" />
        <rewrite>
            <globalRules>
                <rule name="old rule" enabled="false" stopProcessing="true">
                    <match url="(.*)" />
                    <action type="Rewrite" url="http://lync pool/{R:0}" />
                </rule>
                <rule name="ARR_lync pool_loadbalance_SSL" patternSyntax="Wildcard" stopProcessing="true">
                    <match url="*" />
                    <conditions logicalGrouping="MatchAll" trackAllCaptures="false">
                        <add input="{HTTPS}" pattern="on" />
                        <add input="{HTTP_HOST}" pattern="admin.contoso.com" negate="true" />
                        <add input="{HTTP_HOST}" pattern="*.contoso.com" />
                    </conditions>
                    <action type="Rewrite" url="https://lync pool/{R:0}" />
                </rule>
            </globalRules>
            <outboundRules>
                <rule name="location">
                    <match serverVariable="RESPONSE_Location" pattern="^http://(.*)" />
                    <action type="Rewrite" value="https://{R:1}" />
                </rule>
            </outboundRules>
        </rewrite>
    </system.webServer>
    <webFarms>
        <webFarm name="lync pool" enabled="true">
            <server address="fe01.corp.contoso.com" enabled="true">
                <applicationRequestRouting httpPort="8080" httpsPort="4443" />
            </server>
            <applicationRequestRouting>
                <healthCheck url="" interval="00:00:30" />
                <protocol keepAlive="true" timeout="00:16:00" reverseRewriteHostInResponseHeaders="false" />
                <affinity useCookie="true" cookieName="MS-WSMAN" />
                <loadBalancing algorithm="WeightedRoundRobin" />
            </applicationRequestRouting>
        </webFarm>
        <applicationRequestRouting>
            <hostAffinityProviderList>
                <add name="Microsoft.Web.Arr.HostNameRoundRobin" />
            </hostAffinityProviderList>
        </applicationRequestRouting>
    </webFarms>
</configuration>
`)
	c, err := Parse(p, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sites) != 1 {
		t.Fatalf("sites %d, want the one enabled rule routing to a farm", len(c.Sites))
	}
	s := c.Sites[0]
	if len(s.Names) != 1 || s.Names[0].Value != "*.contoso.com" {
		t.Errorf("names %+v, want *.contoso.com (the negated condition excluded)", s.Names)
	}
	r := s.Routes[0]
	if s.SSLOffload != nil || r.Group != "lync pool" || len(r.Targets) != 1 || r.Targets[0].Port != 4443 {
		t.Errorf("route %+v, offload %+v", r, s.SSLOffload)
	}
	if !r.Host.Preserved || r.Host.Setting == "" || r.Timeouts[0].Seconds != 960 || len(r.Persistence) != 1 || r.Persistence[0].Cookie != "MS-WSMAN" {
		t.Errorf("host %+v, timeouts %+v, persistence %+v", r.Host, r.Timeouts, r.Persistence)
	}
}

// `apachectl -t -D DUMP_INCLUDES` output with a copy of the files: the
// copy is read where the list stands, and must include what Apache
// loaded.
func TestApacheIncludeDump(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "copy")
	write(t, dir, "apache2.conf", "IncludeOptional mods-enabled/*.load\nIncludeOptional sites-enabled/*.conf\n")
	write(t, dir, "mods-enabled/ssl.load", "LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n")
	write(t, dir, "sites-enabled/lync.conf", "<VirtualHost *:443>\n  ServerName meet.contoso.com\n  SSLCertificateFile /etc/ssl/lync/rp.pem\n</VirtualHost>\n")
	list := "Included configuration files:\n  (*) /etc/apache2/apache2.conf\n    (1) /etc/apache2/mods-enabled/ssl.load\n    (2) /etc/apache2/sites-enabled/lync.conf\n"
	p := write(t, dir, "includes.txt", list)
	c, err := Parse(p, "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Family != Apache || len(c.Sites) != 1 || c.Sites[0].Names[0].Value != "meet.contoso.com" || c.Sites[0].Names[0].Pos.File != filepath.Join(dir, "sites-enabled/lync.conf") {
		t.Errorf("got %+v", c.Sites)
	}
	if got := certPaths(c); len(got) != 1 || got[0] != "/etc/ssl/lync/rp.pem" {
		t.Errorf("certificates %v, want the host's path (not in the copy)", got)
	}
	// Apache loaded a file the copy does not lead to.
	p = write(t, dir, "includes.txt", list+"    (2) /etc/apache2/sites-enabled/other.conf\n")
	if _, err := Parse(p, ""); err == nil || !strings.Contains(err.Error(), "other.conf") {
		t.Errorf("a file Apache loaded that lyncprobe did not: %v", err)
	}
}

package proxyconf

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Quotes, escapes and comments are syntax, not text to grep: a commented
// proxy_set_header does not count, a quoted ";" does not end a directive.
func TestNginxTokens(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "nginx.conf", `http {
  server {
    server_name "meet.contoso.com" 'dialin.contoso.com';   # } not a brace
    # proxy_set_header Host $host;
    location / {
      proxy_pass https://10.0.0.1:4443;
      add_header X-Note "a;b{c}";
    }
  }
}
`)
	c, err := Parse(p, "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Family != Nginx || len(c.Sites) != 1 {
		t.Fatalf("got %+v", c)
	}
	s := c.Sites[0]
	if len(s.Names) != 2 || s.Names[1].Value != "dialin.contoso.com" || s.Names[1].Pos.Line != 3 {
		t.Errorf("names = %+v", s.Names)
	}
	r := s.Routes[0]
	if r.Host.Preserved || r.Host.Setting != "" || r.Host.Pos.Line != 6 {
		t.Errorf("host = %+v, want the default ($proxy_host) at the proxy_pass line", r.Host)
	}
	if r.Targets[0].Port != 4443 || r.Targets[0].Host != "10.0.0.1" {
		t.Errorf("targets = %+v", r.Targets)
	}
	if r.Timeouts[0].Seconds != 60 {
		t.Errorf("default proxy_read_timeout = %+v, want 60 s", r.Timeouts)
	}
}

// proxy_set_header in a location replaces, not extends, the server's.
func TestNginxHeaderInheritance(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "nginx.conf", `server {
  server_name meet.contoso.com;
  proxy_set_header Host $host;
  location /a { proxy_pass https://fe:4443; }
  location /b { proxy_pass https://fe:4443; proxy_set_header X-A 1; }
}
`)
	c, err := Parse(p, Nginx)
	if err != nil {
		t.Fatal(err)
	}
	rs := c.Sites[0].Routes
	if !rs[0].Host.Preserved || rs[0].Host.Pos.Line != 3 {
		t.Errorf("/a: %+v, want the server's Host $host", rs[0].Host)
	}
	if rs[1].Host.Preserved {
		t.Errorf("/b: %+v, want not preserved: its own proxy_set_header drops the inherited ones", rs[1].Host)
	}
}

func TestNginxSyntaxErrors(t *testing.T) {
	dir := t.TempDir()
	for name, tc := range map[string]struct {
		text string
		line int
		msg  string
	}{
		"unclosed":  {"http {\n  server {\n    listen 443;\n  }\n", 4, "expecting \"}\""},
		"stray":     {"server { listen 443; }\n}\n", 2, "unexpected \"}\""},
		"nosemi":    {"server {\n  listen 443\n}\n", 3, "expecting \";\""},
		"quote":     {"server {\n  server_name \"meet;\n}\n", 2, "unterminated"},
		"noinclude": {"http {\n  include missing.conf;\n}\n", 2, "no such file"},
	} {
		p := write(t, dir, name+".conf", tc.text)
		_, err := Parse(p, Nginx)
		var se *SyntaxError
		if !errors.As(err, &se) || se.Pos.Line != tc.line || !strings.Contains(se.Msg, tc.msg) {
			t.Errorf("%s: got %v, want line %d %q", name, err, tc.line, tc.msg)
		}
	}
}

// An include loop ends at the depth limit with an error, not a hang.
func TestNginxIncludeLoop(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "a.conf", "include b.conf;\n")
	write(t, dir, "b.conf", "include a.conf;\n")
	_, err := Parse(p, Nginx)
	if err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Fatalf("got %v", err)
	}
}

// HAProxy: maxidle/maxlife put no expiry on the cookie; attr Max-Age does.
func TestHAProxyCookie(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "haproxy.cfg", `frontend f
    bind :443 ssl crt /etc/rp.pem
    acl h hdr(host) -i meet.contoso.com
    use_backend b if h
backend b
    cookie MS-WSMAN insert indirect nocache maxidle 30m maxlife 8h secure
    cookie MS-WSMAN insert attr "SameSite=None" attr "Max-Age=60" # later wins
    server s1 10.0.0.1:4443 ssl
`)
	c, err := Parse(p, "")
	if err != nil {
		t.Fatal(err)
	}
	s := c.Sites[0]
	if s.Names[0].Value != "meet.contoso.com" || s.CertFiles[0].Path != "/etc/rp.pem" {
		t.Errorf("site = %+v", s)
	}
	ps := s.Routes[0].Persistence
	if len(ps) != 1 || ps[0].Expiry != "Max-Age=60" || ps[0].Pos.Line != 7 {
		t.Errorf("persistence = %+v", ps)
	}
	if got := parseHAProxyCookie(t, "cookie MS-WSMAN insert maxidle 30m maxlife 8h httponly"); got.Expiry != "" || !got.HTTPOnly {
		t.Errorf("maxidle/maxlife: %+v, want no expiry, HttpOnly", got)
	}
}

func parseHAProxyCookie(t *testing.T, line string) Persistence {
	t.Helper()
	return haproxyCookie(haproxyLine{Words: haproxyWords(line), Pos: Pos{"x", 1}})
}

// XML lines come from the decoder's offsets, attributes spread over lines
// included; a syntax error names its line.
func TestARRLines(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "web.config", `<?xml version="1.0"?>
<configuration>
  <system.webServer>
    <proxy enabled="true"
           preserveHostHeader="false" />
    <rewrite><rules>
      <rule name="lync">
        <match url="*" />
        <conditions><add input="{HTTP_HOST}" pattern="^meet\.contoso\.com$" /></conditions>
        <action type="Rewrite" url="https://farm/{R:0}" />
      </rule>
    </rules></rewrite>
  </system.webServer>
  <webFarms><webFarm name="farm">
    <server address="fe01"><applicationRequestRouting httpsPort="4443" /></server>
  </webFarm></webFarms>
</configuration>
`)
	c, err := Parse(p, "")
	if err != nil {
		t.Fatal(err)
	}
	s := c.Sites[0]
	if s.Names[0].Value != "meet.contoso.com" || s.Names[0].Pos.Line != 9 {
		t.Errorf("names = %+v", s.Names)
	}
	r := s.Routes[0]
	if r.Host.Preserved || r.Host.Pos.Line != 4 || r.Targets[0].Port != 4443 || r.Targets[0].Pos.Line != 15 {
		t.Errorf("route = %+v", r)
	}
	bad := write(t, dir, "bad.config", "<configuration>\n  <a>\n</configuration>\n")
	_, err = Parse(bad, ARR)
	var se *SyntaxError
	if !errors.As(err, &se) || se.Pos.Line != 3 {
		t.Errorf("got %v, want a syntax error at line 3", err)
	}
}

func TestApacheSections(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "sites/lync.conf", "<VirtualHost *:443>\n  ServerName meet.contoso.com\n  ProxyPass / https://fe:4443/ timeout=30\n</VirtualHost>\n")
	p := write(t, dir, "httpd.conf", "ProxyPreserveHost On\nIncludeOptional sites/*.conf\n")
	c, err := Parse(p, Apache)
	if err != nil {
		t.Fatal(err)
	}
	r := c.Sites[0].Routes[0]
	if !r.Host.Preserved || r.Host.Pos.Line != 1 || r.Timeouts[0].Seconds != 30 || r.Pos.File != filepath.Join(dir, "sites/lync.conf") {
		t.Errorf("route = %+v", r)
	}
	bad := write(t, dir, "bad.conf", "<VirtualHost *:443>\n  ServerName x\n</Proxy>\n")
	if _, err := Parse(bad, Apache); err == nil || !strings.Contains(err.Error(), ":3:") {
		t.Errorf("got %v, want an error at line 3", err)
	}
}

func TestDetect(t *testing.T) {
	for path, want := range map[string]Family{
		"applicationHost.config": ARR, "haproxy.cfg": HAProxy, "nginx.conf": Nginx, "apache2.conf": Apache,
	} {
		if got := Detect(path, ""); got != want {
			t.Errorf("%s: %s, want %s", path, got, want)
		}
	}
	if got := Detect("lync.conf", "server {\n server_name meet;\n}"); got != Nginx {
		t.Errorf("content: %s, want nginx", got)
	}
	if got := Detect("lync.conf", "<VirtualHost *:443>\n</VirtualHost>"); got != Apache {
		t.Errorf("content: %s, want apache", got)
	}
}

// Regular-expression host rules stay regular expressions ("~"), for the
// judge to match; literal ones become names.
func TestHostPatterns(t *testing.T) {
	for in, want := range map[string]string{
		`^meet\.contoso\.com$`:          "meet.contoso.com",
		`*`:                             "*",
		`^(meet|dialin)\.contoso\.com$`: `~^(meet|dialin)\.contoso\.com$`,
		`*.contoso.com`:                 "*.contoso.com",
	} {
		if got := hostPattern(in); got != want {
			t.Errorf("hostPattern(%q) = %q, want %q", in, got, want)
		}
	}
	got := haproxyHostACL(haproxyLine{Words: haproxyWords(`acl h hdr(host) -m reg -i ^meet\.`), Pos: Pos{"f", 1}})
	// HAProxy's own unescaping turns "\." into "."; the pattern is kept as HAProxy reads it.
	if len(got) != 1 || got[0].Value != `~^meet.` {
		t.Errorf("-m reg: %+v", got)
	}
}

// nginx open source's cookie persistence: the upstream hashes a variable
// the location hands out in a cookie. The cookie's attributes come from
// the add_header in effect; a location with its own add_header hides the
// server's, and a hash on the client address is source persistence.
func TestNginxHashCookie(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "nginx.conf", `http {
  map $http_cookie $wsman { "~MS-WSMAN=(?<v>[^;]+)" $v; default $request_id; }
  upstream pool { hash $wsman consistent; server 10.0.0.1:4443; server 10.0.0.2:4443; }
  server {
    server_name webext.contoso.com;
    add_header Set-Cookie "MS-WSMAN=$wsman; path=/; HttpOnly; Max-Age=60" always;
    location / { proxy_pass https://pool; add_header Set-Cookie "MS-WSMAN=$wsman; path=/" always; }
    location /inherits { proxy_pass https://pool; }
    location /other { proxy_pass https://pool; add_header X-Note yes; }
  }
}
`)
	c, err := Parse(p, "")
	if err != nil {
		t.Fatal(err)
	}
	rs := c.Sites[0].Routes
	if ps := rs[0].Persistence; len(ps) != 1 || ps[0].Cookie != "MS-WSMAN" || !ps[0].Inserted || ps[0].HTTPOnly || ps[0].Expiry != "" || ps[0].Pos.Line != 3 {
		t.Errorf("location /: persistence %+v, want MS-WSMAN without attributes, at the hash line", ps)
	}
	if ps := rs[1].Persistence; len(ps) != 1 || !ps[0].HTTPOnly || ps[0].Expiry != "Max-Age=60" {
		t.Errorf("location /inherits: persistence %+v, want the server's HttpOnly cookie with Max-Age=60", ps)
	}
	if ps := rs[2].Persistence; len(ps) != 0 {
		t.Errorf("location /other: persistence %+v, want none (its add_header hides the cookie)", ps)
	}
}

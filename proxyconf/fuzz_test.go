package proxyconf

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: each reverse-proxy configuration parser of `validate` never
// panics and never loops, whatever the file holds (includes point at
// files that do not exist, or at the file itself).
func FuzzParse(f *testing.F) {
	for _, seed := range []string{"nginx-lync.conf", "lb.cfg"} {
		if data, err := os.ReadFile(filepath.Join("..", "testdata", "config", seed)); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("server { listen 443 ssl; server_name meet.contoso.com; location / { proxy_pass https://fe:4443; proxy_set_header Host $host; } include fuzz.conf; }"))
	f.Add([]byte("backend lync\n  balance source\n  cookie MS-WSMAN insert\n  server fe01 10.0.0.1:4443 ssl cookie fe01\n"))
	f.Add([]byte("<VirtualHost *:443>\nServerName meet.contoso.com\nProxyPass / https://fe:4443/\nProxyPreserveHost On\n</VirtualHost>\n"))
	f.Add([]byte(`<?xml version="1.0"?><configuration><system.webServer><rewrite><rules><rule name="r"><action type="Rewrite" url="https://farm/{R:0}"/></rule></rules></rewrite></system.webServer></configuration>`))
	f.Add([]byte("nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n# configuration file /etc/nginx/nginx.conf:\nhttp { include a/*; }\n\n# configuration file /etc/nginx/a/b:\nserver { server_name x; ssl_certificate c.pem; }\n\n"))
	f.Add([]byte("Included configuration files:\n  (*) /etc/apache2/apache2.conf\n    (3) /etc/apache2/fuzz.conf\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "fuzz.conf")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, family := range []Family{"", Nginx, HAProxy, Apache, ARR} {
			if c, err := Parse(path, family); err == nil && c == nil {
				t.Fatalf("%s: no error and no configuration", family)
			}
		}
	})
}

// fuzzFamily: one family's parser on any text, with the file's own
// folder as its root, never panics and never runs past the budget.
func fuzzFamily(f *testing.F, family Family, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "fuzz.conf")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := ParseWith(context.Background(), path, Options{Family: family, Root: dir})
		if err == nil && (c == nil || c.Family != family) {
			t.Fatalf("no error and configuration %+v", c)
		}
		var se *SyntaxError
		if errors.As(err, &se) && len(se.Msg) > 600 {
			t.Fatalf("an error message of %d bytes quotes the file", len(se.Msg))
		}
	})
}

func FuzzHAProxy(f *testing.F) {
	fuzzFamily(f, HAProxy,
		"global\n  crt-base .\nfrontend f\n  bind :443 ssl crt fuzz.conf crt-list fuzz.conf\n  acl h hdr(host) -i meet.contoso.com\n  use_backend b if h\n",
		"backend b\n  balance source\n  cookie MS-WSMAN insert attr \"Max-Age=60\" maxidle 30m\n  timeout server 960s\n  server fe01 10.0.0.1:4443 ssl\n  http-request set-header Host x\n",
		"listen l\n  bind 127.0.0.1:443,[::1]:443 'a b' \\\"\n")
}

func FuzzApache(f *testing.F) {
	fuzzFamily(f, Apache,
		"ServerRoot .\nIncludeOptional fuzz.conf\n<VirtualHost *:443>\nServerName meet.contoso.com\nSSLCertificateFile rp.pem\nProxyPass / balancer://p/ timeout=960\n<Proxy balancer://p>\nBalancerMember https://fe:4443\nProxySet stickysession=ROUTEID\n</Proxy>\n</VirtualHost>\n",
		"<IfModule x>\n<Location /a>\nProxyPass https://fe:4443/\n</Location>\n</IfModule>\nHeader add Set-Cookie \"ROUTEID=.x; HttpOnly\"\n",
		"Include .\n")
}

func FuzzARR(f *testing.F) {
	fuzzFamily(f, ARR,
		`<?xml version="1.0"?><configuration><webFarms><webFarm name="pool"><server address="fe01"><applicationRequestRouting httpsPort="4443"/></server><applicationRequestRouting><affinity useCookie="true"/><protocol timeout="00:16:00"/></applicationRequestRouting></webFarm></webFarms><system.webServer><proxy preserveHostHeader="true"/><rewrite><globalRules><rule name="r"><conditions><add input="{HTTP_HOST}" pattern="^meet\.contoso\.com$"/></conditions><action type="Rewrite" url="https://pool/{R:0}"/></rule></globalRules></rewrite></system.webServer></configuration>`,
		`<configuration><system.applicationHost><sites><site><bindings><binding protocol="https" bindingInformation="*:443:meet.contoso.com"/></bindings></site></sites></system.applicationHost></configuration>`)
}

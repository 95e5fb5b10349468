package proxyconf

import (
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

package config

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDeclaringLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lyncprobe.yaml")
	body := `name: contoso
sip_domains: [contoso.com, fabrikam.com]
web_services:
  - external: webext.contoso.com
simple_urls:
  meet:
    - https://meet.contoso.com
    - https://meet.fabrikam.com
  dialin: https://dialin.contoso.com
reverse_proxy:
  addresses: [203.0.113.10]
`
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]int{
		"https://meet.fabrikam.com":             8,
		"meet.fabrikam.com":                     8,
		"https://meet.contoso.com/alice/ABC123": 7,
		"webext.contoso.com":                    4,
		"https://dialin.contoso.com":            9,
		"lyncdiscover.fabrikam.com":             2, // the SIP domain it derives from
		"_sip._tls.contoso.com":                 2,
		"elsewhere.example":                     1, // the deployment's name
	}
	for target, want := range cases {
		if got := d.DeclaringLine(target); got != want {
			t.Errorf("DeclaringLine(%q) = %d, want %d", target, got, want)
		}
	}
	if got := (&Deployment{}).DeclaringLine("x"); got != 1 {
		t.Errorf("a deployment built in code: line %d, want 1", got)
	}
}

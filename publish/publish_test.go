package publish_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/publish"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/publish")

const dir = "../testdata/publish"

// fixtures are the deployments every family is generated for.
var fixtures = []string{"sfb2019", "lync2010"}

func load(t *testing.T, name string) *config.Deployment {
	t.Helper()
	dep, err := config.Load(filepath.Join(dir, name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return dep
}

func generate(t *testing.T, dep *config.Deployment, family string, o publish.Options) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := publish.Write(&b, family, dep, o); err != nil {
		t.Fatalf("%s: %v", family, err)
	}
	return b.Bytes()
}

// TestGolden pins the generated text of every family for every fixture.
func TestGolden(t *testing.T) {
	for _, fx := range fixtures {
		for _, family := range publish.Families {
			t.Run(fx+"/"+family, func(t *testing.T) {
				got := generate(t, load(t, fx), family, publish.Options{})
				golden := filepath.Join(dir, fx+"."+publish.FileName[family]+".golden")
				if *update {
					if err := os.WriteFile(golden, got, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./publish -update)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from the generated text; run go test ./publish -update and review the diff", golden)
				}
			})
		}
	}
}

// TestValidateRoundTrip: lyncprobe validate on each generated
// configuration gives no warn, no fail and no error, and judges each rule
// (the checks that pass are the rules the blocks carry).
func TestValidateRoundTrip(t *testing.T) {
	for _, fx := range fixtures {
		for _, family := range []string{"nginx", "haproxy", "apache", "arr"} {
			t.Run(fx+"/"+family, func(t *testing.T) {
				t.Parallel()
				dep := load(t, fx)
				path := filepath.Join(t.TempDir(), publish.FileName[family])
				if err := os.WriteFile(path, generate(t, dep, family, publish.Options{}), 0o644); err != nil {
					t.Fatal(err)
				}
				items := []config.ProxyConfigFile{{Path: path, Family: family}}
				cfgs, err := checks.ParseProxyConfigs(context.Background(), items, nil)
				if err != nil {
					t.Fatal(err)
				}
				dep.ReverseProxy.ConfigFiles = items
				passed := map[string]bool{}
				for _, r := range checks.Run(context.Background(), dep, checks.Options{Files: &checks.Files{Proxy: cfgs}, Locate: true}) {
					switch r.Status {
					case checks.Warn, checks.Fail, checks.Error:
						t.Errorf("validate: %s %s [%s]: %s", r.Status, r.ID, r.Target, r.Message)
					case checks.Pass:
						passed[r.ID] = true
					}
				}
				want := []string{"proxy.server-names", "http.host-forwarding", "http.internal-site-exposed", "affinity.sticky", "proxy.timeouts"}
				if dep.Version == "lync2010" {
					want = append(want, "affinity.cookie")
				}
				for _, id := range want {
					if !passed[id] {
						t.Errorf("validate passed no %s: the generated configuration does not show that rule to the parser", id)
					}
				}
			})
		}
	}
}

// TestRulesCited: each rule's comment names its public source.
func TestRulesCited(t *testing.T) {
	rules := map[string]string{"4443": publish.SrcPorts, "Host": publish.SrcRequire, "960": publish.SrcRules}
	for _, family := range publish.Families {
		text := string(generate(t, load(t, "sfb2019"), family, publish.Options{}))
		for word, src := range rules {
			if !strings.Contains(strings.ToLower(text), strings.ToLower(word)) || !strings.Contains(text, src) {
				t.Errorf("%s: the %s rule or its source %s is missing", family, word, src)
			}
		}
		// The admin URL appears only where the text says it is not published.
		for _, line := range strings.Split(text, "\n") {
			if strings.Contains(line, "admin.contoso.com") && !strings.HasPrefix(strings.TrimSpace(line), "#") &&
				!strings.HasPrefix(strings.TrimSpace(line), "- ") && !strings.Contains(line, "never admin.contoso.com") {
				t.Errorf("%s names the admin URL outside a comment: %s", family, line)
			}
		}
	}
}

// TestOptions: listen addresses and certificate files replace the defaults.
func TestOptions(t *testing.T) {
	o := publish.Options{Listen: []string{"127.0.0.1", "::1"}, CertFile: "/srv/rp.pem", KeyFile: "/srv/rp.key"}
	text := string(generate(t, load(t, "lync2010"), "nginx", o))
	for _, want := range []string{"listen 127.0.0.1:443 ssl;", "listen [::1]:443 ssl;", "ssl_certificate     /srv/rp.pem;", "ssl_certificate_key /srv/rp.key;", "server pool01.corp.fabrikam.com:4443;"} {
		if !strings.Contains(text, want) {
			t.Errorf("nginx output lacks %q", want)
		}
	}
	if strings.Contains(text, "listen 80") || strings.Contains(text, publish.PlaceholderChain) {
		t.Errorf("http_port 0 or --cert ignored:\n%s", text)
	}
}

// TestNoBackend: a pool with neither backends nor internal FQDN is an
// error naming it, not a configuration that forwards nowhere.
func TestNoBackend(t *testing.T) {
	dep := load(t, "sfb2019")
	dep.WebServices[0].Backends, dep.WebServices[0].Internal = nil, ""
	err := publish.Write(&bytes.Buffer{}, "nginx", dep, publish.Options{})
	if err == nil || !strings.Contains(err.Error(), "web_services[0] (webext.contoso.com)") {
		t.Fatalf("err = %v", err)
	}
}

// TestChecklists: the TMG and WAP checklists name every setting the
// checks test: the published names and not the admin URL, the bridge to
// 4443, the Host header, no pre-authentication, the certificate, the
// time-out and the persistence the version needs.
func TestChecklists(t *testing.T) {
	common := []string{"4443", "host", "certificate", "intermediates", "960", "never admin.contoso.com",
		"webext.contoso.com", "meet.contoso.com", "dialin.contoso.com", "lyncdiscover.contoso.com", "owa.contoso.com"}
	want := map[string][]string{
		"tmg": {"Forward the original host header", "No Authentication", "SSL offloading", "8080", "Public Name", "source-address persistence", "/*"},
		"wap": {"PassThrough", "Add-WebApplicationProxyApplication", "-InactiveTransactionsTimeoutSec 960", "-BackendServerUrl \"https://webext.contoso.com:4443/\"", "source-address persistence"},
	}
	for family, extra := range want {
		text := string(generate(t, load(t, "sfb2019"), family, publish.Options{}))
		for _, w := range append(common, extra...) {
			if !strings.Contains(strings.ToLower(text), strings.ToLower(w)) {
				t.Errorf("%s checklist lacks %q", family, w)
			}
		}
		lync2010 := string(generate(t, load(t, "lync2010"), family, publish.Options{}))
		if !strings.Contains(lync2010, "MS-WSMAN") || !strings.Contains(lync2010, "not HttpOnly, no expiry") {
			t.Errorf("%s checklist for Lync 2010 lacks the MS-WSMAN cookie rules", family)
		}
	}
}

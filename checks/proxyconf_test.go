package checks_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/proxyconf"
)

const proxyTestdata = "../testdata/proxy"

// expectMarker: "EXPECT id" marks its own line, "EXPECT-ABOVE id" the line
// above (Apache allows no comment after a directive).
var expectMarker = regexp.MustCompile(`EXPECT(-ABOVE)? ([a-z]+\.[a-z0-9-]+)`)

type expectation struct {
	id   string
	line int
}

func expectations(t *testing.T, path string) []expectation {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []expectation
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if m := expectMarker.FindStringSubmatch(sc.Text()); m != nil {
			line := n
			if m[1] != "" {
				line--
			}
			out = append(out, expectation{m[2], line})
		}
	}
	return out
}

func proxyDeployment(t *testing.T) *config.Deployment {
	t.Helper()
	dep, err := config.Load(filepath.Join(proxyTestdata, "deployment.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return dep
}

func validateFile(t *testing.T, dep *config.Deployment, path string) []checks.Result {
	t.Helper()
	abs, _ := filepath.Abs(path)
	cfg, err := proxyconf.Parse(abs, "")
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	return checks.Run(context.Background(), dep, checks.Options{Files: &checks.Files{Proxy: []*proxyconf.Config{cfg}}, Locate: true})
}

func proxyProblems(rs []checks.Result) []checks.Result {
	var out []checks.Result
	for _, r := range rs {
		if r.Status == checks.Warn || r.Status == checks.Fail || r.Status == checks.Error || r.Status == checks.Skip {
			out = append(out, r)
		}
	}
	return out
}

func describeProxy(rs []checks.Result) string {
	var b strings.Builder
	for _, r := range rs {
		loc := ""
		if r.Location != nil {
			loc = fmt.Sprintf("%s:%d", filepath.Base(r.Location.File), r.Location.Line)
		}
		fmt.Fprintf(&b, "\n  %s %s %s %s: %s", r.Status, r.ID, r.Target, loc, r.Message)
	}
	return b.String()
}

// Each good configuration yields no fail or warn, and judges something.
func TestProxyConfigsGood(t *testing.T) {
	dep := proxyDeployment(t)
	files, _ := filepath.Glob(filepath.Join(proxyTestdata, "good", "*.*"))
	if len(files) < 4 {
		t.Fatalf("want a good configuration per family, found %v", files)
	}
	for _, f := range files {
		if fi, err := os.Stat(f); err != nil || fi.IsDir() {
			continue // nginx.d holds what nginx.conf includes
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			rs := validateFile(t, dep, f)
			if p := proxyProblems(rs); len(p) > 0 {
				t.Errorf("want no findings, got:%s", describeProxy(p))
			}
			for _, id := range []string{"proxy.server-names", "http.host-forwarding", "http.internal-site-exposed", "affinity.sticky"} {
				if !hasPass(rs, id) {
					t.Errorf("no pass for %s; results:%s", id, describeProxy(rs))
				}
			}
		})
	}
}

func hasPass(rs []checks.Result, id string) bool {
	for _, r := range rs {
		if r.ID == id && r.Status == checks.Pass {
			return true
		}
	}
	return false
}

// Each bad configuration yields its expected check ID at the marked line,
// and nothing else fails or warns.
func TestProxyConfigsBad(t *testing.T) {
	dep := proxyDeployment(t)
	files, _ := filepath.Glob(filepath.Join(proxyTestdata, "bad", "*.*"))
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			want := expectations(t, f)
			if len(want) != 1 {
				t.Fatalf("want one EXPECT marker, found %v", want)
			}
			got := proxyProblems(validateFile(t, dep, f))
			if len(got) != 1 {
				t.Fatalf("want one finding %s at line %d, got:%s", want[0].id, want[0].line, describeProxy(got))
			}
			r := got[0]
			if r.ID != want[0].id || r.Location == nil || r.Location.Line != want[0].line || filepath.Base(r.Location.File) != filepath.Base(f) {
				t.Errorf("want %s at %s:%d, got:%s", want[0].id, filepath.Base(f), want[0].line, describeProxy(got))
			}
			if r.Remedy == "" {
				t.Errorf("%s has no remedy", r.ID)
			}
		})
	}
}

// A certificate file the proxy names that is not on this machine (keys
// stay on the proxy host) is a skip naming the path and how to supply it;
// mapped to a folder that holds it, it is judged; a file that is there
// but holds no certificate still fails.
func TestProxyCertificateNotHere(t *testing.T) {
	dep := proxyDeployment(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "nginx.conf")
	text := "events {}\nhttp {\n  server {\n    listen 443 ssl;\n    server_name webext.contoso.com meet.contoso.com dialin.contoso.com lyncdiscover.contoso.com;\n" +
		"    ssl_certificate /etc/ssl/lync/rp.pem;\n    proxy_read_timeout 960s;\n" +
		"    location / { proxy_pass https://10.0.1.11:4443; proxy_set_header Host $host; }\n  }\n}\n"
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	judge := func(pathMap map[string]string) checks.Result {
		t.Helper()
		cfgs, err := checks.ParseProxyConfigs(context.Background(), []config.ProxyConfigFile{{Path: conf}}, pathMap)
		if err != nil {
			t.Fatal(err)
		}
		rs := checks.Run(context.Background(), dep, checks.Options{Files: &checks.Files{Proxy: cfgs}, Locate: true})
		for _, r := range rs {
			if r.ID == "proxy.certificate-files" {
				return r
			}
		}
		t.Fatalf("no proxy.certificate-files result:%s", describeProxy(rs))
		return checks.Result{}
	}
	r := judge(nil)
	if r.Status != checks.Skip || !strings.Contains(r.Message, "/etc/ssl/lync/rp.pem") || !strings.Contains(r.Remedy, "path_map") || !strings.Contains(r.Remedy, "tls.certificate_files") || r.Location == nil || r.Location.Line != 6 {
		t.Errorf("not here: want a skip at line 6 naming the path and how to supply it, got:%s\n  remedy: %s", describeProxy([]checks.Result{r}), r.Remedy)
	}
	certs, _ := filepath.Abs(proxyTestdata)
	if r := judge(map[string]string{"/etc/ssl/lync": certs}); r.Status != checks.Pass {
		t.Errorf("mapped to %s: want pass, got:%s", certs, describeProxy([]checks.Result{r}))
	}
	if err := os.WriteFile(filepath.Join(dir, "rp.pem"), []byte("not a certificate\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := judge(map[string]string{"/etc/ssl/lync": dir}); r.Status != checks.Fail {
		t.Errorf("a file that holds no certificate: want fail, got:%s", describeProxy([]checks.Result{r}))
	}
}

// An HAProxy frontend that routes by Host reaches Office Web Apps on 443,
// as Microsoft publishes it: that backend is not the front ends' internal
// site; a front end on 443 behind the same frontend still is.
func TestProxyOWABackend(t *testing.T) {
	dep := proxyDeployment(t)
	dep.OfficeWebApps = "owa.contoso.com"
	dir := t.TempDir()
	cfg := `frontend web
  bind :443 ssl crt /etc/ssl/lync/rp.pem
  acl lync req.hdr(host),host_only -i %s
  acl owa req.hdr(host),host_only -i owa.contoso.com
  use_backend lync if lync
  use_backend owa if owa
backend lync
  balance source
  timeout server 960s
  server fe01 fe01.corp.contoso.com:%d ssl verify none
backend owa
  timeout server 960s
  server owa01 owa.contoso.com:443 ssl verify none
`
	names := strings.Join(func() []string {
		var hs []string
		for _, p := range dep.PublishedHosts() {
			if p.Role != config.RoleOWA {
				hs = append(hs, p.Host)
			}
		}
		return hs
	}(), " ")
	for port, wantFail := range map[int]bool{4443: false, 443: true} {
		path := filepath.Join(dir, fmt.Sprintf("haproxy-%d.cfg", port))
		if err := os.WriteFile(path, []byte(fmt.Sprintf(cfg, names, port)), 0o644); err != nil {
			t.Fatal(err)
		}
		var exposed []string
		for _, r := range validateFile(t, dep, path) {
			if r.ID == "http.internal-site-exposed" && r.Status == checks.Fail {
				exposed = append(exposed, r.Message)
			}
		}
		if got := len(exposed) > 0; got != wantFail {
			t.Errorf("front ends on %d: internal-site-exposed fails %v, want %v", port, exposed, wantFail)
		}
		for _, m := range exposed {
			if strings.Contains(m, "owa.contoso.com") {
				t.Errorf("the OWA backend on 443 is judged the internal site: %s", m)
			}
		}
	}
}

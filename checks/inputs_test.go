package checks_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/probe"
)

// offlineDeployment is validate's input: a zone file without
// meet.contoso.com, the fixture certificate (which covers it) and an nginx
// configuration without proxy_read_timeout, with an ignore rule for that.
func offlineDeployment(t *testing.T) (*config.Deployment, *checks.Files) {
	t.Helper()
	dir := t.TempDir()
	cert, _ := filepath.Abs(filepath.Join("..", "testdata", "cert", "rp-chain.pem"))
	write := func(name, text string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("contoso.com.zone", "$ORIGIN contoso.com.\n$TTL 3600\n"+
		"@ IN SOA ns1 hostmaster 1 3600 600 86400 3600\n"+
		"webext IN A 203.0.113.10\ndialin IN A 203.0.113.10\nlyncdiscover IN A 203.0.113.10\n")
	write("nginx.conf", "server {\n    listen 443 ssl;\n"+
		"    server_name webext.contoso.com meet.contoso.com dialin.contoso.com lyncdiscover.contoso.com;\n"+
		"    location / { proxy_pass https://10.0.1.11:4443; proxy_set_header Host $host; }\n}\n")
	path := write("lyncprobe.yaml", "name: contoso\nsip_domains: [contoso.com]\n"+
		"web_services: [{external: webext.contoso.com}]\n"+
		"simple_urls: {meet: [https://meet.contoso.com], dialin: https://dialin.contoso.com}\n"+
		"reverse_proxy: {config_files: [nginx.conf]}\n"+
		"dns: {zone_file: contoso.com.zone}\n"+
		"tls: {certificate_files: [{path: "+cert+"}]}\n"+
		"ignore: [{id: proxy.timeouts, reason: no mobile push}]\n")
	ctx := context.Background()
	dep, err := config.LoadContext(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	f := &checks.Files{}
	z, err := probe.NewZone(dep.DNS.ZoneFile, dep.Zone().Records)
	if err != nil {
		t.Fatal(err)
	}
	z.Lines = dep.Zone().Lines
	f.Zones = []*probe.Zone{z}
	if f.Certs, err = checks.ReadCertFiles(ctx, dep.TLS.CertificateFiles); err != nil {
		t.Fatal(err)
	}
	if f.Proxy, err = checks.ParseProxyConfigs(ctx, dep.ReverseProxy.ConfigFiles, nil); err != nil {
		t.Fatal(err)
	}
	return dep, f
}

// TestOneRunOfEveryFile: validate's files in one run. Each check runs on
// the input it judges from (dns on the zone, six cert checks on the
// file, proxy on the configuration), none that needs the network; a
// finding drawn from the certificate file is not withheld because the
// zone lacks the name (the Needs rule holds within one input); the
// config's ignore rule is applied inside the run.
func TestOneRunOfEveryFile(t *testing.T) {
	dep, files := offlineDeployment(t)
	rs := checks.Run(context.Background(), dep, checks.Options{Files: files, Locate: true})
	got := map[string]checks.Result{}
	for _, r := range rs {
		got[r.ID+" "+r.Target] = r
		switch r.ID {
		case "cert.tls-versions", "cert.node-consistency", "cert.revocation", "http.reachable", "http.paths", "affinity.distribution", "edge.summary":
			t.Errorf("%s needs the network and ran offline: %s", r.ID, describe(r))
		}
		if r.Location == nil {
			t.Errorf("validate's result names no file: %s", describe(r))
		}
	}
	if r := got["dns.resolves meet.contoso.com"]; r.Status != checks.Fail {
		t.Errorf("the zone lacks meet: %s", describe(r))
	}
	if r := got["dns.resolves dialin.contoso.com"]; r.Status != checks.Pass || r.Location.Line != 5 {
		t.Errorf("dialin resolves, from the zone's line 5: %s at %+v", describe(r), r.Location)
	}
	if r := got["cert.san-coverage meet.contoso.com"]; r.Status != checks.Pass {
		t.Errorf("the file covers meet, whatever the zone says: %s", describe(r))
	} else if r.Location == nil || r.Location.Line != dep.Line("tls.certificate_files[0]") {
		t.Errorf("cert.san-coverage is not located at the config's line of the file: %+v", r.Location)
	}
	if r := got["proxy.timeouts webext.contoso.com"]; r.Status != checks.Warn || !r.Suppressed || r.SuppressionReason != "no mobile push" {
		t.Errorf("proxy.timeouts is not suppressed by the config's rule: %s (suppressed %v)", describe(r), r.Suppressed)
	}
	if r := got["http.host-forwarding webext.contoso.com"]; r.Status != checks.Pass {
		t.Errorf("the configuration predicts http.host-forwarding: %s", describe(r))
	}
}

// TestOnlyTheProxyConfiguration: a run given only proxy configurations
// runs the proxy checks and the predictions, nothing else; --only picks
// among them by module.
func TestOnlyTheProxyConfiguration(t *testing.T) {
	dep, files := offlineDeployment(t)
	rs := checks.Run(context.Background(), dep, checks.Options{Files: &checks.Files{Proxy: files.Proxy}, Only: []string{"http", "proxy"}})
	if len(rs) == 0 {
		t.Fatal("no result")
	}
	for _, r := range rs {
		if r.Module != "http" && r.Module != "proxy" {
			t.Errorf("outside --only http,proxy: %s", describe(r))
		}
	}
}

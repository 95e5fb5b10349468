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

// The publish rows: the configuration `lyncprobe publish` writes is
// loaded by the real proxy, put in front of the lab's front ends and
// checked live; validate on it must agree that nothing is wrong.

// secondDomain is the second SIP domain of the two-domain rows.
const secondDomain = "fabrikam.test"

// publishCase is one generated configuration.
type publishCase struct {
	Version string
	Domains int
}

func (pc publishCase) name() string {
	return fmt.Sprintf("publish-%s-%dd", pc.Version, pc.Domains)
}

var publishCases = []publishCase{{"sfb2019", 1}, {"sfb2019", 2}, {"lync2010", 1}, {"lync2010", 2}}

// publishDoc is the footer line of the publish rows.
const publishDoc = "the configuration `lyncprobe publish FAMILY --listen 127.0.0.1 --cert … --key …` writes from the deployment file, unchanged, for sfb2019 and lync2010 and one SIP domain (1d) or two (2d, `" + secondDomain + "` beside `" + domain + "`, its meet and lyncdiscover names published too): the proxy's own test (`nginx -t`, `haproxy -c`, `apache2 -t`) accepts it, `check` passes every module and `validate` on the generated file finds nothing. nginx wraps it in a main file (pid, temp paths, `include`), Apache in one that loads the modules the file's header names; HAProxy runs the file as written."

// runPublish generates the family's configuration for the case, runs it
// and returns check's and validate's fail/warn results.
func runPublish(t *testing.T, px proxy, pc publishCase) (live, static []result) {
	dir := t.TempDir()
	port := freePort(t, "127.0.0.1")
	fes := startFrontEnds(t, dir, port, pc.Version)
	names := slices.Clone(publishedNames)
	domains := []string{domain}
	if pc.Domains == 2 {
		domains = append(domains, secondDomain)
		names = append(names, "meet."+secondDomain, "lyncdiscover."+secondDomain)
	}
	cert, err := lab.WriteProxyCert(dir, lab.ProxyCertOptions{Names: names})
	if err != nil {
		t.Fatal(err)
	}
	dnsAddr := startDNS(t, dir, append(slices.Clone(names), "sip."+domain), false, domains[1:]...)
	generated := filepath.Join(dir, "generated."+px.Family)
	cfg := writePublishConfig(t, dir, pc, domains, port, fes, dnsAddr, cert, px.Family, generated)

	certFile, keyFile := cert.ChainFile, cert.KeyFile
	if px.Family == "haproxy" {
		certFile = filepath.Join(dir, "haproxy.pem") // HAProxy wants the chain and the key in one file
		write(t, certFile, readFile(cert.ChainFile)+readFile(cert.KeyFile))
	}
	out := runText(t, "publish", px.Family, "-c", cfg, "--listen", "127.0.0.1", "--cert", certFile, "--key", keyFile)
	write(t, generated, out)
	runProxy(t, px, dir, port, wrapGenerated(t, px.Family, dir, generated))

	all := run(t, "check", "-c", cfg, "--only", "dns,cert,http,affinity", "--format", "json")
	live = bad(all)
	assertVerdict(t, "check", live, nil, nil)
	for _, m := range []string{"dns.", "cert.", "http.", "affinity."} {
		if !slices.ContainsFunc(all, func(r result) bool { return strings.HasPrefix(r.ID, m) && r.Status == "pass" }) {
			t.Errorf("check: no %s check passed", strings.TrimSuffix(m, "."))
		}
	}
	passes := []string{"http.host-forwarding", "affinity.sticky", "cert.san-coverage"}
	if pc.Version == "lync2010" || px.Family == "apache" {
		passes = append(passes, "affinity.cookie")
	}
	assertPasses(t, all, passes)
	static = bad(run(t, "validate", "-c", cfg, "--format", "json"))
	assertVerdict(t, "validate", static, nil, nil)
	return live, static
}

// runText runs lyncprobe and returns its stdout, which must exit 0.
func runText(t *testing.T, args ...string) string {
	t.Helper()
	out, err := runTest(t.TempDir(), lyncprobeBin, args)
	if err != nil {
		t.Fatalf("lyncprobe %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// wrapGenerated gives the generated file what only a host's main file
// has (nginx: pid, temp paths, the http context; Apache: ServerRoot and
// the modules); HAProxy's is complete. It returns the file the proxy
// reads.
func wrapGenerated(t *testing.T, family, dir, generated string) (conf string) {
	switch family {
	case "nginx":
		conf = filepath.Join(dir, "nginx.conf")
		write(t, conf, nginxMain(dir, "    include "+generated+";\n"))
		return conf
	case "haproxy":
		return generated
	case "apache":
		var b strings.Builder
		fmt.Fprintf(&b, "ServerRoot %s\n%s", dir, apacheRuntime(dir))
		for _, m := range apacheModules {
			b.WriteString(apacheLoad(m))
		}
		fmt.Fprintf(&b, "SSLSessionCache shmcb:%s/ssl_scache(51200)\nInclude %s\n", dir, generated)
		conf = filepath.Join(dir, "httpd.conf")
		write(t, conf, b.String())
		return conf
	}
	t.Fatalf("no wrapper for %s", family)
	return ""
}

// writePublishConfig is the deployment file publish reads and check and
// validate then use: the front ends as backends, and the generated file
// to validate.
func writePublishConfig(t *testing.T, dir string, pc publishCase, domains []string, port int, fes *lab.FrontEnds, dnsAddr string, cert lab.ProxyCert, family, generated string) string {
	meet := make([]string, len(domains))
	for i, d := range domains {
		meet[i] = "https://meet." + d
	}
	return writeDeployment(t, dir, deploymentFile{
		Name: "e2e-publish-" + family, Version: pc.Version, Domains: domains, Backends: fes.Addrs,
		Meet: meet, Admin: "https://admin." + domain,
		Addresses: `"127.0.0.1"`, Port: port, ProxyConf: generated, Family: family, DNS: dnsAddr,
		RootCA: cert.RootFile, BackendCA: fes.CAFile, CertFiles: certificateFiles(cert),
	})
}

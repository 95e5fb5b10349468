//go:build unix

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/lab"
)

const (
	domain   = lab.Domain
	poolFQDN = lab.PoolFQDN
)

var publishedNames = []string{lab.ExternalWeb, lab.MeetHost, lab.DialinHost, lab.DiscoverHost}

// scenario is one way of publishing, and what lyncprobe must say about it.
type scenario struct {
	Name     string
	Doc      string   // what the scenario publishes, for docs/E2E.md
	Families []string // "" = every family
	Publish  publishing
	Cert     lab.ProxyCertOptions
	NoDNS    string // a published name left out of dnsmasq
	// Fault is the lab fault this scenario reproduces on real software:
	// its Must IDs are the root causes, its Allowed IDs the consequences.
	// "" = healthy: nothing may fail or warn.
	Fault string
	// Must overrides the fault's Must IDs (a real proxy shows the same
	// cause through a different check, said in Why).
	Must []string
	// Predicted are the IDs validate must fail or warn on for the proxy
	// config and the files it names; Unseen says why validate cannot see
	// the rest.
	Predicted []string
	Unseen    string
	// Passes are IDs the live run must pass (not merely not fail).
	Passes []string
	// Skipped are IDs validate must skip (a file not in the checkout).
	Skipped []string
	// Version is the config's and the front ends' version (default sfb2019).
	Version string
	// Names are, per root-cause ID, texts that must each appear in one of
	// its fail or warn results (e.g. the paths a failure must name).
	Names map[string][]string
	// DualStack: the proxy listens on [::1] too, and every published
	// name has an AAAA record beside its A record.
	DualStack bool
}

var scenarios = []scenario{
	{Name: "healthy", Passes: []string{"http.host-forwarding", "affinity.sticky", "affinity.join-flow", "cert.chain", "cert.san-coverage"}, Doc: "Host forwarded (nginx `proxy_set_header Host $host`, Apache `ProxyPreserveHost On`, HAProxy passes it), persistence on (nginx `ip_hash`, HAProxy `balance source`, Apache `stickysession=ROUTEID`), a certificate for every published name with its intermediate, every name in DNS."},
	{Name: "debian-layout", Doc: "healthy, from Debian's layout: nginx `nginx.conf` including `conf.d/*.conf` and `sites-enabled/*` (a symlink to `sites-available`), the site including `snippets/lync-tls.conf`, which names `pki/chain.pem`, all relative to the prefix; Apache `apache2.conf` (ServerRoot from `-d`, as Debian's build sets it) including `mods-enabled/*.load`, `ports.conf`, `conf-enabled/*.conf` and `sites-enabled/*.conf`, the site naming `pki/chain.pem` relative to ServerRoot. validate reads a checkout of the configuration files alone: the certificate is not in it, so `proxy.certificate-files` is a skip naming it, and `tls.certificate_files` holds a copy for the cert checks.",
		Families: []string{"nginx", "apache"}, Publish: publishing{Debian: true}, Skipped: []string{"proxy.certificate-files"},
		Passes: []string{"http.host-forwarding", "affinity.sticky", "cert.san-coverage"}},
	{Name: "host-rewritten", Doc: "the front ends get another Host: nginx without `proxy_set_header Host` (sends `$proxy_host`), Apache without `ProxyPreserveHost` (Off), HAProxy `http-request set-header Host pool01.contoso.local`.", Publish: publishing{HostRewrite: true}, Fault: "no-host-forward",
		Predicted: []string{"http.host-forwarding"}},
	{Name: "round-robin", Doc: "no persistence: nginx upstream without `ip_hash`, HAProxy `balance roundrobin`, Apache balancer without `stickysession`.", Publish: publishing{Persist: "none"}, Fault: "no-affinity",
		Predicted: []string{"affinity.sticky"}, Unseen: "affinity.join-flow is the live consequence: validate predicts its cause, affinity.sticky"},
	{Name: "cookie-ms-wsman", Doc: "HAProxy `balance roundrobin` with `cookie MS-WSMAN insert indirect nocache`.", Families: []string{"haproxy"}, Publish: publishing{Persist: "cookie"},
		Passes: []string{"affinity.cookie", "affinity.sticky", "affinity.join-flow"}},
	{Name: "cookie-httponly", Doc: "the same with `httponly`.", Families: []string{"haproxy"}, Publish: publishing{Persist: "cookie-httponly"}, Fault: "cookie-httponly",
		Predicted: []string{"affinity.cookie"}},
	{Name: "cert-missing-san", Doc: "the proxy certificate lacks dialin.contoso.test.", Cert: lab.ProxyCertOptions{MissingSAN: []string{lab.DialinHost}}, Fault: "missing-san",
		Predicted: []string{"cert.san-coverage", "cert.all-names"}},
	{Name: "cert-expired", Doc: "the proxy certificate expired yesterday.", Cert: lab.ProxyCertOptions{Expired: true}, Fault: "expired-cert",
		Predicted: []string{"cert.expiry"}},
	{Name: "cert-no-intermediate", Doc: "the proxy serves its leaf without the intermediate.", Cert: lab.ProxyCertOptions{NoIntermediate: true}, Fault: "missing-intermediate",
		Predicted: []string{"cert.chain"}},
	{Name: "cert-per-name", Doc: "lyncdiscover.contoso.test has a certificate of its own, in an nginx `server` of its own chosen by SNI; the main certificate leaves it out; `tls.certificate_files` lists its file with `names: [lyncdiscover.contoso.test]`.",
		Families: []string{"nginx"}, Cert: lab.ProxyCertOptions{PerName: []string{lab.DiscoverHost}},
		Passes: []string{"cert.all-names", "cert.san-coverage", "cert.chain", "http.lyncdiscover"}},
	{Name: "cert-expired-cross", Doc: "the chain file also holds an expired cross-certificate of the root, beside the valid path to the root in `tls.ca_file` (`cert.chain` names it as info).",
		Families: []string{"nginx"}, Cert: lab.ProxyCertOptions{CrossCert: true},
		Passes: []string{"cert.expiry", "cert.key-usage", "cert.san-coverage"}},
	{Name: "hardened", Families: []string{"nginx"}, Publish: publishing{HideBranding: true},
		Doc:    "the healthy nginx site hardened as a penetration test asks: `server_tokens off` and `proxy_hide_header` for Server, X-Powered-By, X-AspNet-Version and X-MS-Server-Fqdn; no identity header is left, so the affinity checks that need one skip.",
		Passes: []string{"http.paths", "http.preauth", "affinity.join-flow"}},
	{Name: "partial-preauth", Families: []string{"nginx"}, Publish: publishing{BasicAuth: []string{"/abs", "/CertProv"}}, Fault: "partial-preauth",
		Must:   []string{"http.preauth"},
		Names:  map[string][]string{"http.preauth": {"/abs/handler", "/CertProv/CertProvisioningService.svc", "Basic", "nginx (detected from Server: nginx"}},
		Doc:    "nginx `auth_basic` on `/abs` and `/CertProv`, the rest passed through.",
		Unseen: "validate does not read nginx's auth_basic"},
	{Name: "lync2010-source-affinity", Families: []string{"nginx", "haproxy"}, Version: "lync2010", Must: []string{"affinity.sticky"},
		Names:  map[string][]string{"affinity.sticky": {"Lync 2010 requires MS-WSMAN cookie persistence"}},
		Doc:    "a Lync 2010 pool behind source-address persistence only (nginx `ip_hash`, HAProxy `balance source`), no MS-WSMAN cookie.",
		Unseen: "validate judges the upstream's persistence, not the Lync 2010 cookie rule"},
	{Name: "dual-stack", Doc: "nginx listens on 127.0.0.1 and [::1] (`listen [::1]:PORT ssl`), and dnsmasq gives every published name an A and an AAAA record: every check judges both addresses, the affinity probe each family.",
		Families: []string{"nginx"}, DualStack: true, Publish: publishing{DualStack: true},
		Passes: []string{"http.host-forwarding", "affinity.sticky", "affinity.join-flow", "http.blank-page"}},
	{Name: "dns-missing-dialin", Doc: "dnsmasq has no record for dialin.contoso.test.", NoDNS: lab.DialinHost, Fault: "missing-dns",
		Unseen: "no zone file: the record is missing only on the live DNS server"},
}

// row is one line of docs/E2E.md.
type row struct{ Family, Scenario, Live, Validate string }

func TestRealProxies(t *testing.T) {
	var rows []row
	all := 0
	for _, px := range proxies {
		for _, sc := range scenarios {
			if len(sc.Families) > 0 && !slices.Contains(sc.Families, px.Family) {
				continue
			}
			all++
			t.Run(px.Family+"/"+sc.Name, func(t *testing.T) {
				live, static := runScenario(t, px, sc)
				rows = append(rows, row{px.Family, sc.Name, verdict(live), verdict(static)})
			})
		}
	}
	for _, px := range proxies {
		for _, pc := range publishCases {
			all++
			t.Run(px.Family+"/"+pc.name(), func(t *testing.T) {
				live, static := runPublish(t, px, pc)
				rows = append(rows, row{px.Family, pc.name(), verdict(live), verdict(static)})
			})
		}
	}
	// The table is the whole matrix: a run narrowed by -run leaves it be.
	if !t.Failed() && len(rows) == all {
		compareTable(t, rows)
	}
}

// runScenario brings up dnsmasq, the front ends and the proxy, then runs
// check and validate and asserts both; it returns their fail/warn results.
func runScenario(t *testing.T, px proxy, sc scenario) (live, static []result) {
	dir := t.TempDir()
	s := site{Dir: dir, Port: freePort(t, "127.0.0.1"), Names: publishedNames, IPv6: sc.DualStack}
	if sc.DualStack {
		s.Port = freePortBoth(t)
	}
	version := sc.Version
	if version == "" {
		version = "sfb2019"
	}
	fes := startFrontEnds(t, dir, s.Port, version)
	s.Backends = fes.Addrs
	cert, err := lab.WriteProxyCert(dir, sc.Cert)
	if err != nil {
		t.Fatal(err)
	}
	s.ChainFile, s.KeyFile, s.PerName = cert.ChainFile, cert.KeyFile, cert.PerName
	var hosts []string
	for _, h := range append(slices.Clone(publishedNames), "sip."+domain) {
		if h != sc.NoDNS {
			hosts = append(hosts, h)
		}
	}
	dnsAddr := startDNS(t, dir, hosts, sc.DualStack)
	proxyConf := startProxy(t, px, s, sc.Publish)
	cfg := writeConfig(t, dir, s, dnsAddr, fes.CAFile, cert, px.Family, proxyConf, version)

	must, allowed := expectations(t, sc)
	all := run(t, "check", "-c", cfg, "--only", "dns,cert,http,affinity", "--format", "json")
	live = bad(all)
	assertVerdict(t, "check", live, must, allowed)
	assertNames(t, live, sc.Names)
	assertProxy(t, live, px.Family)
	assertPasses(t, all, sc.Passes)
	offline := run(t, "validate", "-c", cfg, "--format", "json")
	static = bad(offline)
	assertPredicted(t, static, sc, live)
	assertSkipped(t, offline, sc.Skipped)
	return live, static
}

func startFrontEnds(t *testing.T, dir string, port int, version string) *lab.FrontEnds {
	// Port 4443 is the front ends' external site, which validate expects
	// upstream; two loopback addresses give both front ends that port.
	addrs := []string{"127.0.0.21:4443", "127.0.0.22:4443"}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fes, err := lab.StartFrontEnds(ctx, lab.FrontEndOptions{Addrs: addrs, PublicPort: port, Dir: filepath.Join(dir, "fe"), Version: version})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fes.Close() })
	return fes
}

// writeConfig writes the lyncprobe.yaml of a proxy site: s.Backends are
// the front ends, backendCA their certificate's CA.
func writeConfig(t *testing.T, dir string, s site, dnsAddr, backendCA string, cert lab.ProxyCert, family, proxyConf, version string) string {
	return writeDeployment(t, dir, deploymentFile{
		Name: "e2e-" + family, Version: version, Domains: []string{domain}, Backends: s.Backends,
		Meet: []string{"https://" + lab.MeetHost}, MeetingURL: "https://" + lab.MeetHost + lab.MeetingPath,
		Addresses: s.addresses(), Port: s.Port, ProxyConf: proxyConf, Family: family, DNS: dnsAddr,
		RootCA: cert.RootFile, BackendCA: backendCA, CertFiles: certificateFiles(cert),
	})
}

// deploymentFile is what an e2e lyncprobe.yaml says: one pool published
// at Port, its front ends as backends, HTTP not published (the emulated
// front ends serve no 8080), the proxy's config file for validate, and
// dnsmasq as the only resolver.
type deploymentFile struct {
	Name, Version     string
	Domains           []string // the SIP domains
	Backends          []string
	Meet              []string // meet simple URLs
	Admin             string   // the admin simple URL; "" = none
	MeetingURL        string   // "" = none
	Addresses         string   // reverse_proxy.addresses, quoted
	Port              int
	ProxyConf, Family string
	DNS               string
	RootCA, BackendCA string
	CertFiles         string // the tls.certificate_files items
}

func writeDeployment(t *testing.T, dir string, d deploymentFile) string {
	var b strings.Builder
	fmt.Fprintf(&b, "name: %s\nversion: %s\nsip_domains: [%s]\n", d.Name, d.Version, strings.Join(d.Domains, ", "))
	fmt.Fprintf(&b, "web_services:\n  - external: %s\n    internal: %s\n    backends: [%s]\n", lab.ExternalWeb, poolFQDN, quoteAll(d.Backends))
	fmt.Fprintf(&b, "simple_urls:\n  meet: [%s]\n  dialin: https://%s\n", strings.Join(d.Meet, ", "), lab.DialinHost)
	if d.Admin != "" {
		fmt.Fprintf(&b, "  admin: %s\n", d.Admin)
	}
	if d.MeetingURL != "" {
		fmt.Fprintf(&b, "meeting_url: %s\n", d.MeetingURL)
	}
	fmt.Fprintf(&b, "reverse_proxy:\n  addresses: [%s]\n  port: %d\n  http_port: 0\n  config_files:\n    - {path: %q, family: %s}\n", d.Addresses, d.Port, d.ProxyConf, d.Family)
	fmt.Fprintf(&b, "dns:\n  resolvers: [%q]\n", d.DNS)
	fmt.Fprintf(&b, "tls:\n  ca_file: %q\n  backend_ca_file: %q\n  certificate_files: [%s]\n", d.RootCA, d.BackendCA, d.CertFiles)
	b.WriteString("affinity:\n  connections: 20\n")
	path := filepath.Join(dir, "lyncprobe.yaml")
	write(t, path, b.String())
	return path
}

// certificateFiles is the tls.certificate_files list: the chain file, and
// each name's own chain file with the name it is served for.
func certificateFiles(cert lab.ProxyCert) string {
	items := []string{strconv.Quote(cert.ChainFile)}
	for _, nc := range cert.PerName {
		items = append(items, fmt.Sprintf("{path: %q, names: [%s]}", nc.ChainFile, nc.Name))
	}
	return strings.Join(items, ", ")
}

// expectations are the scenario's root-cause IDs and the consequences
// allowed, from the lab fault it reproduces.
func expectations(t *testing.T, sc scenario) (must, allowed []string) {
	if sc.Fault == "" {
		return sc.Must, nil
	}
	for _, f := range lab.Faults {
		if f.Name != sc.Fault {
			continue
		}
		for _, m := range f.Must {
			if !slices.Contains(must, m.ID) {
				must = append(must, m.ID)
			}
		}
		if sc.Must != nil {
			must = sc.Must
		}
		return must, f.Allowed
	}
	t.Fatalf("no lab fault %q", sc.Fault)
	return nil, nil
}

type result struct {
	ID      string `json:"id"`
	Target  string `json:"target"`
	Via     string `json:"via"`
	Status  string `json:"status"`
	Message string `json:"message"`
	Remedy  string `json:"remedy"`
	Proxy   string `json:"proxy"` // the family whose fix the remedy gives first
}

// run runs the built lyncprobe and returns its results.
func run(t *testing.T, args ...string) []result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, lyncprobeBin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if code := cmd.ProcessState.ExitCode(); code != 0 && code != 1 {
		t.Fatalf("lyncprobe %s: %v (exit %d)\n%s", args[0], err, code, stderr.String())
	}
	var rep struct{ Results []result }
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("lyncprobe %s: JSON: %v\n%s", args[0], err, stdout.String())
	}
	for _, r := range rep.Results {
		if debug := os.Getenv("E2E_DEBUG"); debug != "" && strings.HasPrefix(r.ID, debug) {
			t.Logf("%s %s [%s %s]: %s", r.Status, r.ID, r.Target, r.Via, r.Message)
		}
	}
	return rep.Results
}

// bad are the results that fail, warn or error.
func bad(rs []result) []result {
	var out []result
	for _, r := range rs {
		if r.Status == "fail" || r.Status == "warn" || r.Status == "error" {
			out = append(out, r)
		}
	}
	return out
}

// assertVerdict: every root cause fails or warns, and nothing else does
// beyond the allowed consequences.
func assertVerdict(t *testing.T, cmd string, got []result, must, allowed []string) {
	t.Helper()
	for _, id := range must {
		if !slices.ContainsFunc(got, func(r result) bool { return r.ID == id }) {
			t.Errorf("%s: want %s to fail or warn; bad results: %s", cmd, id, describe(got))
		}
	}
	for _, r := range got {
		if !slices.Contains(must, r.ID) && !slices.Contains(allowed, r.ID) {
			t.Errorf("%s: unexpected %s %s [%s %s]: %s", cmd, r.Status, r.ID, r.Target, r.Via, r.Message)
		}
	}
}

// assertNames: for each ID, every text appears in one of its fail or
// warn results' target or message.
func assertNames(t *testing.T, bad []result, names map[string][]string) {
	t.Helper()
	for id, texts := range names {
		for _, text := range texts {
			if !slices.ContainsFunc(bad, func(r result) bool {
				return r.ID == id && (strings.Contains(r.Target, text) || strings.Contains(r.Message, text) || strings.HasPrefix(r.Remedy, text))
			}) {
				t.Errorf("check: no %s fail or warn names %q; bad results: %s", id, text, describe(bad))
			}
		}
	}
}

// assertProxy: a remedy that names the proxy first names the one that
// answered (its Server header, or the config file's family for HAProxy,
// which sends none).
func assertProxy(t *testing.T, bad []result, family string) {
	t.Helper()
	for _, r := range bad {
		if r.Proxy != "" && r.Proxy != family {
			t.Errorf("check: %s gives the %s fix first behind %s", r.ID, r.Proxy, family)
		}
	}
}

// assertPasses: each ID has results and all of them pass.
func assertPasses(t *testing.T, all []result, ids []string) {
	t.Helper()
	for _, id := range ids {
		n := 0
		for _, r := range all {
			if r.ID == id {
				n++
				if r.Status != "pass" {
					t.Errorf("check: want %s to pass, got %s [%s %s]: %s", id, r.Status, r.Target, r.Via, r.Message)
				}
			}
		}
		if n == 0 {
			t.Errorf("check: no %s result", id)
		}
	}
}

// assertPredicted: validate fails or warns on exactly the predicted IDs,
// and each of them is also a live verdict.
func assertPredicted(t *testing.T, static []result, sc scenario, live []result) {
	t.Helper()
	assertVerdict(t, "validate", static, sc.Predicted, nil)
	for _, id := range sc.Predicted {
		if !slices.ContainsFunc(live, func(r result) bool { return r.ID == id }) {
			t.Errorf("validate predicts %s, the live run does not show it", id)
		}
	}
}

// assertSkipped: validate skips each ID, naming a file in its message.
func assertSkipped(t *testing.T, all []result, ids []string) {
	t.Helper()
	for _, id := range ids {
		if !slices.ContainsFunc(all, func(r result) bool {
			return r.ID == id && r.Status == "skip" && strings.Contains(r.Message, "not on this machine")
		}) {
			t.Errorf("validate: want %s to skip a file not on this machine; results: %s", id, describe(all))
		}
	}
}

func describe(rs []result) string {
	if len(rs) == 0 {
		return "none"
	}
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "\n  %s %s [%s %s]: %s (remedy: %s)", r.Status, r.ID, r.Target, r.Via, r.Message, r.Remedy)
	}
	return b.String()
}

// verdict is a table cell: each failing or warning check ID with its
// worst status, or "no fail, no warn".
func verdict(rs []result) string {
	worst := map[string]string{}
	for _, r := range rs {
		if worst[r.ID] != "fail" && worst[r.ID] != "error" {
			worst[r.ID] = r.Status
		}
	}
	if len(worst) == 0 {
		return "no fail, no warn"
	}
	var cells []string
	for id, st := range worst {
		cells = append(cells, "`"+id+"` "+st)
	}
	sort.Strings(cells)
	return strings.Join(cells, ", ")
}

const tablePath = "../docs/E2E.md"

func compareTable(t *testing.T, rows []row) {
	var b strings.Builder
	b.WriteString(tableHeader)
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", r.Family, r.Scenario, r.Live, r.Validate)
	}
	b.WriteString(tableFooter())
	if *update {
		write(t, tablePath, b.String())
		return
	}
	if old := readFile(tablePath); old != b.String() {
		t.Errorf("%s is out of date; run LYNCPROBE_E2E=1 go test ./e2e/ -update. This run:\n%s", tablePath, b.String())
	}
}

const tableHeader = `# lyncprobe against real reverse proxies

Written by the end-to-end suite (` + "`e2e/`" + `), not by hand:
` + "`LYNCPROBE_E2E=1 go test ./e2e/ -update`" + ` rewrites this file and a normal run
fails when it differs. Each row is real software from Debian's packages
(nginx-light, haproxy, apache2, dnsmasq-base) started on loopback in front
of the lab's emulated front ends (` + "`lyncprobe lab frontends`" + `), with
dnsmasq as the only resolver. **check** is ` + "`lyncprobe check --only dns,cert,http,affinity`" + `
against the running proxy; **validate** is ` + "`lyncprobe validate`" + ` on the same
proxy config file and certificate files, offline. A cell lists every check
that failed or warned, with its worst status.

| proxy | scenario | check (live) | validate (offline) |
|---|---|---|---|
`

func tableFooter() string {
	var b strings.Builder
	b.WriteString("\nScenarios:\n\n")
	for _, sc := range scenarios {
		fmt.Fprintf(&b, "- **%s**: %s", sc.Name, sc.Doc)
		if sc.Unseen != "" {
			fmt.Fprintf(&b, " Validate cannot see everything: %s.", sc.Unseen)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "- **publish-VERSION-Nd**: %s\n", publishDoc)
	b.WriteString(fixesFound)
	return b.String()
}

// fixesFound are the disagreements between lyncprobe and the real
// proxies that this suite found, each fixed in lyncprobe (not here).
const fixesFound = `
Disagreements this suite found, fixed in lyncprobe:

- ` + "`affinity.join-flow`" + ` passed behind nginx, HAProxy and Apache round-robin.
  Real proxies balance each request (the lab's proxy balanced each
  connection); the join replay's identity request on each step's connection
  moved the rotation on by one, so every step reached the join page's front
  end. The replay now asks that identity only when it can trust the answer
  (checks/affinity_join.go; regression test
  checks/affinity_perrequest_test.go).
`

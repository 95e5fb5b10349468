package config

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func loadGood(t *testing.T, name string) *Deployment {
	t.Helper()
	d, err := Load(filepath.Join(testdataDir, "good", name))
	if err != nil {
		t.Fatalf("Load(%s):\n%v", name, err)
	}
	return d
}

func intPtr(n int) *int { return &n }

func TestGoodFilesLoad(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(testdataDir, "good", "*.yaml"))
	files = append(files, filepath.Join(testdataDir, "full.yaml"))
	for _, path := range files {
		if _, err := Load(path); err != nil {
			t.Errorf("Load(%s):\n%v", path, err)
		}
	}
}

// The minimal file gets every default.
func TestMinimal(t *testing.T) {
	path := filepath.Join(testdataDir, "good", "minimal.yaml")
	d := loadGood(t, "minimal.yaml")
	want := &Deployment{
		Name:        "minimal",
		Version:     DefaultVersion,
		SIPDomains:  []string{"contoso.com"},
		WebServices: []WebService{{External: "webext.contoso.com"}},
		SimpleURLs: SimpleURLs{
			Meet:   []string{"https://meet.contoso.com"},
			Dialin: "https://dialin.contoso.com",
		},
		ReverseProxy: ReverseProxy{Port: DefaultPort, HTTPPort: intPtr(DefaultHTTPPort)},
		TLS:          TLS{WarnDays: DefaultWarnDays},
		Affinity:     Affinity{Connections: DefaultConnections, IdentityHeader: DefaultIdentityHeader},
		Path:         path,
	}
	if diff := cmp.Diff(want, d, cmpopts.IgnoreUnexported(Deployment{})); diff != "" {
		t.Errorf("minimal.yaml (-want +got):\n%s", diff)
	}
	wantURLs := []Published{
		{RoleWebExt, "webext.contoso.com", "https://webext.contoso.com"},
		{RoleMeet, "meet.contoso.com", "https://meet.contoso.com"},
		{RoleDialin, "dialin.contoso.com", "https://dialin.contoso.com"},
		{RoleLyncdiscover, "lyncdiscover.contoso.com", "https://lyncdiscover.contoso.com"},
	}
	if diff := cmp.Diff(wantURLs, d.PublishedURLs()); diff != "" {
		t.Errorf("PublishedURLs (-want +got):\n%s", diff)
	}
}

func TestLine(t *testing.T) {
	d := loadGood(t, "minimal.yaml")
	for key, want := range map[string]int{
		"sip_domains":               2,
		"sip_domains[0]":            2,
		"web_services[0]":           4,
		"web_services[0].external":  4,
		"simple_urls.meet[0]":       6,
		"simple_urls.dialin":        7,
		"reverse_proxy.port":        0, // a default has no line
		"no_such_key":               0,
		"web_services[1].external":  0,
		"simple_urls.meet[0].extra": 0,
	} {
		if got := d.Line(key); got != want {
			t.Errorf("Line(%q) = %d, want %d", key, got, want)
		}
	}
	if got := (&Deployment{}).Line("name"); got != 0 {
		t.Errorf("Line on a Deployment built in code = %d, want 0", got)
	}
}

// Case, trailing dots, explicit zeros and relative paths.
func TestNormalise(t *testing.T) {
	d := loadGood(t, "normalise.yaml")
	caFile, err := filepath.Abs(filepath.Join(testdataDir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	want := &Deployment{
		Name:       "Contoso EU",
		Version:    "sfb2015",
		SIPDomains: []string{"contoso.com"},
		WebServices: []WebService{{
			External: "webext.contoso.com",
			Internal: "pool01.corp.contoso.com",
			Backends: []string{"fe01.corp.contoso.com:4443"},
		}},
		SimpleURLs: SimpleURLs{
			Meet:   []string{"https://meet.contoso.com/"},
			Dialin: "https://dialin.contoso.com",
		},
		OfficeWebApps: "owa.contoso.com",
		ReverseProxy: ReverseProxy{
			Port:     443,
			HTTPPort: intPtr(0),
			Nodes:    []string{"rp01.dmz.contoso.com:443"},
		},
		Edge: &Edge{
			Access: "sip.contoso.com",
			Ports:  EdgePorts{SIPTLS: 443, Federation: 5061, AVUDP: 3478, AVTCP: 443, WebConf: 443},
		},
		DNS:      DNS{InternalResolvers: []string{"dc01.corp.contoso.com:53"}},
		TLS:      TLS{CAFile: caFile, WarnDays: 0},
		Affinity: Affinity{Connections: 20, IdentityHeader: "X-MS-Server-Fqdn"},
		Path:     filepath.Join(testdataDir, "good", "normalise.yaml"),
	}
	if diff := cmp.Diff(want, d, cmpopts.IgnoreUnexported(Deployment{})); diff != "" {
		t.Errorf("normalise.yaml (-want +got):\n%s", diff)
	}
	if got := d.ReverseProxy.HTTPPublishedPort(); got != 0 {
		t.Errorf("HTTPPublishedPort = %d, want 0 (explicitly not published)", got)
	}
}

func TestPathStyle(t *testing.T) {
	d := loadGood(t, "path_style.yaml")
	want := []Published{
		{RoleWebExt, "webext.contoso.com", "https://webext.contoso.com"},
		{RoleMeet, "sfb2015.contoso.com", "https://sfb2015.contoso.com/contoso.com/Meet"},
		{RoleMeet, "sfb2015.contoso.com", "https://sfb2015.contoso.com/fabrikam.com/Meet"},
		{RoleDialin, "sfb2015.contoso.com", "https://sfb2015.contoso.com/Dialin"},
		{RoleLyncdiscover, "lyncdiscover.contoso.com", "https://lyncdiscover.contoso.com"},
		{RoleLyncdiscover, "lyncdiscover.fabrikam.com", "https://lyncdiscover.fabrikam.com"},
	}
	if diff := cmp.Diff(want, d.PublishedURLs()); diff != "" {
		t.Errorf("PublishedURLs (-want +got):\n%s", diff)
	}
	var hosts []string
	for _, p := range d.PublishedHosts() {
		hosts = append(hosts, p.Host)
	}
	wantHosts := []string{"webext.contoso.com", "sfb2015.contoso.com", "lyncdiscover.contoso.com", "lyncdiscover.fabrikam.com"}
	if diff := cmp.Diff(wantHosts, hosts); diff != "" {
		t.Errorf("PublishedHosts (-want +got):\n%s", diff)
	}
	if d.Name != "path style" || d.Version != "lync2013" {
		t.Errorf("name, version = %q, %q", d.Name, d.Version)
	}
}

func TestIPv6(t *testing.T) {
	d := loadGood(t, "ipv6.yaml")
	got := map[string][]string{
		"backends":  d.WebServices[0].Backends,
		"addresses": d.ReverseProxy.Addresses,
		"nodes":     d.ReverseProxy.Nodes,
		"resolvers": d.DNS.Resolvers,
		"sources":   d.Affinity.SourceAddresses,
	}
	want := map[string][]string{
		"backends":  {"[2001:db8:1::21]:4443"},
		"addresses": {"2001:db8::10"},
		"nodes":     {"[2001:db8::11]:8443", "[2001:db8::12]:9443"},
		"resolvers": {"[2001:db8::53]:53", "[2001:db8::54]:5353"},
		"sources":   {"2001:db8::7"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ipv6.yaml (-want +got):\n%s", diff)
	}
	if got := d.HTTPSAuthority("meet.contoso.com"); got != "meet.contoso.com:8443" {
		t.Errorf("HTTPSAuthority = %q, want meet.contoso.com:8443", got)
	}
}

// Each alias is decoded on its own, so normalising one copy leaves the
// other intact.
func TestAnchors(t *testing.T) {
	d := loadGood(t, "anchors.yaml")
	want := []string{"fe01.corp.contoso.com:4443", "fe02.corp.contoso.com:4443"}
	for i, ws := range d.WebServices {
		if diff := cmp.Diff(want, ws.Backends); diff != "" {
			t.Errorf("web_services[%d].backends (-want +got):\n%s", i, diff)
		}
	}
}

func TestParseResolvesAgainstConfigFolder(t *testing.T) {
	abs, err := filepath.Abs(filepath.Join(testdataDir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Join([]string{
		"sip_domains: [contoso.com]",
		"web_services: [{external: webext.contoso.com}]",
		"simple_urls: {meet: [https://meet.contoso.com], dialin: https://dialin.contoso.com}",
		"tls: {ca_file: ca.pem, backend_ca_file: " + abs + "}",
	}, "\n")
	d, err := Parse([]byte(src), filepath.Join(testdataDir, "lyncprobe.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if d.TLS.CAFile != abs || d.TLS.BackendCAFile != abs {
		t.Errorf("ca files = %q, %q, want both %q", d.TLS.CAFile, d.TLS.BackendCAFile, abs)
	}
	if d.Name != "lyncprobe" {
		t.Errorf("name = %q, want lyncprobe", d.Name)
	}
}

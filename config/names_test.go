package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHostOf(t *testing.T) {
	tests := map[string]string{
		"https://meet.contoso.com":              "meet.contoso.com",
		"https://Meet.Contoso.COM./meet":        "meet.contoso.com",
		"https://meet.contoso.com:4443/x?y=z":   "meet.contoso.com",
		"https://[2001:DB8::1]:443/":            "2001:db8::1",
		"meet.contoso.com":                      "", // no scheme: a path, no host
		"":                                      "",
		"https://meet.contoso.com:bad":          "", // unparsable
		"http://dialin.contoso.com/dialin#frag": "dialin.contoso.com",
	}
	for raw, want := range tests {
		if got := HostOf(raw); got != want {
			t.Errorf("HostOf(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestLyncdiscoverNames(t *testing.T) {
	d := &Deployment{SIPDomains: []string{"contoso.com", "fabrikam.com"}}
	if diff := cmp.Diff([]string{"lyncdiscover.contoso.com", "lyncdiscover.fabrikam.com"}, d.LyncdiscoverNames()); diff != "" {
		t.Errorf("derived names (-want +got):\n%s", diff)
	}
	d.Lyncdiscover = []string{"lyncdiscover.contoso.net"}
	if diff := cmp.Diff([]string{"lyncdiscover.contoso.net"}, d.LyncdiscoverNames()); diff != "" {
		t.Errorf("override (-want +got):\n%s", diff)
	}
	if got := (&Deployment{}).LyncdiscoverNames(); len(got) != 0 {
		t.Errorf("no domains: %q, want none", got)
	}
}

func TestPublishedURLs(t *testing.T) {
	d := &Deployment{
		SIPDomains:  []string{"contoso.com"},
		WebServices: []WebService{{External: "webext.contoso.com"}, {External: "dirext.contoso.com"}},
		SimpleURLs: SimpleURLs{
			// Web services FQDN reused as a meet URL: published once.
			Meet:   []string{"https://webext.contoso.com", "https://meet.contoso.com/fabrikam"},
			Dialin: "https://dialin.contoso.com",
			Admin:  "https://admin.contoso.com", // internal only, never published
		},
		OfficeWebApps: "owa.contoso.com",
	}
	want := []Published{
		{RoleWebExt, "webext.contoso.com", "https://webext.contoso.com"},
		{RoleWebExt, "dirext.contoso.com", "https://dirext.contoso.com"},
		{RoleMeet, "meet.contoso.com", "https://meet.contoso.com/fabrikam"},
		{RoleDialin, "dialin.contoso.com", "https://dialin.contoso.com"},
		{RoleLyncdiscover, "lyncdiscover.contoso.com", "https://lyncdiscover.contoso.com"},
		{RoleOWA, "owa.contoso.com", "https://owa.contoso.com"},
	}
	if diff := cmp.Diff(want, d.PublishedURLs()); diff != "" {
		t.Errorf("PublishedURLs (-want +got):\n%s", diff)
	}
}

func TestPublishedURLsSkipsEmpty(t *testing.T) {
	d := &Deployment{SimpleURLs: SimpleURLs{Meet: []string{"https://meet.contoso.com"}}}
	want := []Published{{RoleMeet, "meet.contoso.com", "https://meet.contoso.com"}}
	if diff := cmp.Diff(want, d.PublishedURLs()); diff != "" {
		t.Errorf("PublishedURLs (-want +got):\n%s", diff)
	}
}

func TestHTTPSAuthority(t *testing.T) {
	tests := []struct {
		port int
		want string
	}{
		{0, "meet.contoso.com"}, // built in code, no default filled
		{443, "meet.contoso.com"},
		{8443, "meet.contoso.com:8443"},
		{80, "meet.contoso.com:80"},
	}
	for _, tt := range tests {
		d := &Deployment{ReverseProxy: ReverseProxy{Port: tt.port}}
		if got := d.HTTPSAuthority("meet.contoso.com"); got != tt.want {
			t.Errorf("port %d: HTTPSAuthority = %q, want %q", tt.port, got, tt.want)
		}
	}
}

func TestHTTPPublishedPort(t *testing.T) {
	if got := (ReverseProxy{}).HTTPPublishedPort(); got != DefaultHTTPPort {
		t.Errorf("absent: %d, want %d", got, DefaultHTTPPort)
	}
	zero := 0
	if got := (ReverseProxy{HTTPPort: &zero}).HTTPPublishedPort(); got != 0 {
		t.Errorf("explicit 0: %d, want 0", got)
	}
}

package config

import (
	"slices"
	"testing"
)

// A view without addresses takes the flat ones; every view's addresses
// count as the proxy's and the Edge's.
func TestViews(t *testing.T) {
	d := loadGood(t, "views.yaml")
	emea, apac := d.DNS.Views[0], d.DNS.Views[1]
	if !slices.Equal(emea.Resolvers, []string{"203.0.113.53:53", "203.0.113.54:5353"}) ||
		!slices.Equal(emea.ProxyAddresses, []string{"203.0.113.10"}) || !slices.Equal(emea.EdgeAddresses, []string{"203.0.113.20"}) {
		t.Errorf("emea = %+v", emea)
	}
	if !slices.Equal(apac.ProxyAddresses, []string{"198.51.100.10", "2001:db8::10"}) {
		t.Errorf("apac proxy addresses = %v", apac.ProxyAddresses)
	}
	if got := d.ProxyAddresses(); !slices.Equal(got, []string{"203.0.113.10", "198.51.100.10", "2001:db8::10"}) {
		t.Errorf("ProxyAddresses = %v", got)
	}
	if got := d.EdgeAddresses(); !slices.Equal(got, []string{"203.0.113.20", "198.51.100.20"}) {
		t.Errorf("EdgeAddresses = %v", got)
	}
	if !d.OverHTTPOnly("LYNCDISCOVER.contoso.com") || d.NeedsCertificate("lyncdiscover.contoso.com") || !d.NeedsCertificate("meet.contoso.com") {
		t.Error("lyncdiscover_http_only: lyncdiscover is HTTP only, nothing else")
	}
	if loadGood(t, "minimal.yaml").OverHTTPOnly("lyncdiscover.contoso.com") {
		t.Error("without the key lyncdiscover is published over HTTPS")
	}
}

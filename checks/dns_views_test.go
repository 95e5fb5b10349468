package checks

import (
	"slices"
	"strings"

	"github.com/lyncprobe/lyncprobe/config"
)

// apacZone is healthyZone as the apac region's resolver gives it: its own
// proxy (198.51.100.10) and Edge (198.51.100.20).
var apacZone = func() []string {
	var out []string
	for _, l := range healthyZone {
		l = strings.ReplaceAll(l, "192.0.2.10", "198.51.100.10")
		out = append(out, strings.ReplaceAll(l, "192.0.2.20", "198.51.100.20"))
	}
	return out
}()

// viewScenarios: regional views (dns.views), each judged against its own
// addresses and compared only within itself; and the topology a
// lyncdiscover_http_only deployment may have.
func viewScenarios() []dnsScenario {
	emea := scenarioView{name: "emea", zones: [][]string{healthyZone, healthyZone}} // the flat addresses
	apac := scenarioView{name: "apac", proxy: []string{"198.51.100.10"}, edge: []string{"198.51.100.20"}, zones: [][]string{apacZone}}
	staleApac := apac
	staleApac.zones = [][]string{apacZone, append(slices.DeleteFunc(slices.Clone(apacZone), func(l string) bool {
		return strings.HasPrefix(l, "dialin.")
	}), "dialin.contoso.test. 300 IN A 198.51.100.99")}
	crossed := apac
	crossed.zones = [][]string{replaceLines([]string{"webext.contoso.test.", "meet.contoso.test.", "dialin.contoso.test.", "lyncdiscover.contoso.test.", "sip.contoso.test."},
		"webext.contoso.test. 300 IN A 198.51.100.10", "meet.contoso.test. 300 IN A 192.0.2.10", "dialin.contoso.test. 300 IN A 198.51.100.77",
		"lyncdiscover.contoso.test. 300 IN A 198.51.100.10", "sip.contoso.test. 300 IN A 198.51.100.20")}
	return []dnsScenario{
		{
			// The views answer differently by design: each is right.
			name: "views expected address", check: dnsExpectedAddress, silent: Error, views: []scenarioView{emea, apac},
			want: []want{
				{"webext.contoso.test", "resolver", Pass, "view emea's reverse proxy's addresses (192.0.2.10)"},
				{"webext.contoso.test", "in view emea", Pass, "192.0.2.10"},
				{"webext.contoso.test", "in view apac", Pass, "view apac's reverse proxy's addresses (198.51.100.10)"},
				{"meet.contoso.test", "in view emea", Pass, ""}, {"meet.contoso.test", "in view emea", Pass, ""},
				{"meet.contoso.test", "in view apac", Pass, "198.51.100.10"},
				{"dialin.contoso.test", "emea", Pass, ""}, {"dialin.contoso.test", "emea", Pass, ""},
				{"dialin.contoso.test", "apac", Pass, ""},
				{"lyncdiscover.contoso.test", "emea", Pass, ""}, {"lyncdiscover.contoso.test", "emea", Pass, ""},
				{"lyncdiscover.contoso.test", "apac", Pass, ""},
				{"sip.contoso.test", "emea", Pass, "view emea's Access Edge's addresses (192.0.2.20)"},
				{"sip.contoso.test", "emea", Pass, ""},
				{"sip.contoso.test", "in view apac", Pass, "view apac's Access Edge's addresses (198.51.100.20)"},
			},
		},
		{
			// apac's meet points at emea's proxy, its dialin at a retired address.
			name: "views crossed", check: dnsExpectedAddress, silent: Error, views: []scenarioView{crossed},
			want: []want{
				{"webext.contoso.test", "in view apac", Pass, ""},
				{"meet.contoso.test", "in view apac", Fail, "resolves to 192.0.2.10, which is not an address of view apac's reverse proxy (dns.views[0].proxy_addresses: 198.51.100.10)"},
				{"dialin.contoso.test", "in view apac", Fail, "198.51.100.77"},
				{"lyncdiscover.contoso.test", "in view apac", Pass, ""},
				{"sip.contoso.test", "in view apac", Pass, ""},
			},
		},
		{
			// One view's resolvers disagree; across views nothing is compared.
			name: "views consistency", check: dnsConsistency, silent: Skip, views: []scenarioView{emea, staleApac},
			want: []want{
				{"webext.contoso.test", "view emea", Pass, "2 resolvers agree: 192.0.2.10"},
				{"webext.contoso.test", "view apac", Pass, "2 resolvers agree: 198.51.100.10"},
				{"meet.contoso.test", "view emea", Pass, ""}, {"meet.contoso.test", "view apac", Pass, ""},
				{"dialin.contoso.test", "view emea", Pass, ""},
				{"dialin.contoso.test", "view apac", Warn, "the resolvers disagree"},
				{"lyncdiscover.contoso.test", "view emea", Pass, ""}, {"lyncdiscover.contoso.test", "view apac", Pass, ""},
				{"sip.contoso.test", "view emea", Pass, ""}, {"sip.contoso.test", "view apac", Pass, ""},
			},
		},
		{
			// --resolver stands in for the views: any view's address is right,
			// and one region's answer is whole.
			name: "views overridden", check: dnsExpectedAddress, silent: Error, override: true,
			zones: [][]string{apacZone}, views: []scenarioView{apac},
			dep: func(d *config.Deployment) { d.ReverseProxy.Addresses = []string{"192.0.2.10"} },
			want: []want{
				{"webext.contoso.test", "resolver", Pass, "reverse proxy in some view's addresses (198.51.100.10)"},
				{"meet.contoso.test", "resolver", Pass, "198.51.100.10"},
				{"dialin.contoso.test", "resolver", Pass, ""},
				{"lyncdiscover.contoso.test", "resolver", Pass, ""},
				{"sip.contoso.test", "resolver", Pass, "198.51.100.20"},
			},
		},
		{
			// Published over HTTP only, a CNAME into another domain is the
			// case Microsoft documents HTTP for.
			name: "lyncdiscover cname, http only", check: dnsLyncdiscoverCNAME, silent: Error,
			dep: func(d *config.Deployment) { port := 80; d.ReverseProxy.HTTPPort, d.LyncdiscoverHTTPOnly = &port, true },
			zones: [][]string{replaceLines([]string{"lyncdiscover.contoso.test."},
				"lyncdiscover.contoso.test. 300 IN CNAME director.contoso.net.",
				"director.contoso.net. 300 IN A 192.0.2.10")},
			want: []want{{"lyncdiscover.contoso.test", "", Pass, "acceptable because lyncdiscover is published over HTTP only (port 80)"}},
		},
	}
}

package checks

import "github.com/lyncprobe/lyncprobe/config"

// dnsScenarios are the cases TestDNSChecksOnTheWire runs, one or more per
// DNS check: the zone each resolver serves and every result expected.
func dnsScenarios() []dnsScenario {
	return []dnsScenario{
		{
			name: "resolves healthy", check: dnsResolves, zones: [][]string{healthyZone}, silent: Error,
			want: []want{
				{"webext.contoso.test", "resolver", Pass, "resolves to 192.0.2.10"},
				{"meet.contoso.test", "resolver", Pass, "resolves to 192.0.2.10 (CNAME webext.contoso.test)"},
				{"dialin.contoso.test", "", Pass, "192.0.2.10"},
				{"lyncdiscover.contoso.test", "", Pass, "192.0.2.10"},
			},
		},
		{
			name: "resolves findings", check: dnsResolves, silent: Error,
			dep: func(d *config.Deployment) { d.OfficeWebApps = "owa.contoso.test" },
			zones: [][]string{replaceLines([]string{"webext.contoso.test.", "meet.contoso.test.", "dialin.contoso.test.", "lyncdiscover.contoso.test."},
				`webext.contoso.test. 300 IN TXT "no address"`,
				"meet.contoso.test. 300 IN CNAME gone.contoso.test.",
				"lyncdiscover.contoso.test. RCODE SERVFAIL",
				"owa.contoso.test. RCODE REFUSED")},
			want: []want{
				{"webext.contoso.test", "", Fail, "exists but has no A or AAAA record (NODATA)"},
				{"meet.contoso.test", "", Fail, "is a CNAME to gone.contoso.test, which does not exist (NXDOMAIN)"},
				{"dialin.contoso.test", "", Fail, "does not exist in public DNS (NXDOMAIN)"},
				{"lyncdiscover.contoso.test", "", Fail, "(SERVFAIL)"},
				{"owa.contoso.test", "", Fail, "(REFUSED)"},
			},
		},
		{
			name: "expected address", check: dnsExpectedAddress, silent: Error,
			dep: func(d *config.Deployment) { d.ReverseProxy.Addresses = []string{"192.0.2.10", "2001:db8::10"} },
			zones: [][]string{replaceLines([]string{"webext.contoso.test.", "meet.contoso.test.", "lyncdiscover.contoso.test.", "sip.contoso.test."},
				"webext.contoso.test. 300 IN A 192.0.2.10",
				"webext.contoso.test. 300 IN AAAA 2001:DB8:0::10",
				"meet.contoso.test. 300 IN A 192.0.2.99",
				"sip.contoso.test. 300 IN A 192.0.2.10")},
			want: []want{
				{"webext.contoso.test", "", Pass, "resolves only to the reverse proxy's addresses"},
				{"meet.contoso.test", "", Fail, "resolves to 192.0.2.99, which is not an address of the reverse proxy"},
				{"dialin.contoso.test", "", Warn, "but not to 2001:db8::10, also listed in reverse_proxy.addresses"},
				{"lyncdiscover.contoso.test", "", Skip, "depends on dns.resolves, which failed for lyncdiscover.contoso.test"},
				// An Edge name is compared with edge.addresses, never with the proxy's.
				{"sip.contoso.test", "", Fail, "not an address of the Access Edge (edge.addresses: 192.0.2.20)"},
			},
		},
		{
			name: "private address", check: dnsPrivateAddress, silent: Error,
			zones: [][]string{replaceLines([]string{"meet.contoso.test.", "dialin.contoso.test.", "lyncdiscover.contoso.test."},
				"meet.contoso.test. 300 IN AAAA fe80::1",
				"dialin.contoso.test. 300 IN A 10.1.2.3",
				"lyncdiscover.contoso.test. 300 IN A 127.0.0.1")},
			want: []want{
				{"webext.contoso.test", "", Pass, "publishes no internal address"},
				{"meet.contoso.test", "", Warn, "fe80::1 (link-local): an internal address published in public DNS"},
				{"dialin.contoso.test", "", Warn, "10.1.2.3 (private)"},
				{"lyncdiscover.contoso.test", "", Warn, "127.0.0.1 (loopback)"},
				{"sip.contoso.test", "", Pass, "publishes no internal address"},
			},
		},
		{
			name: "consistency", check: dnsConsistency, silent: Skip,
			zones: [][]string{healthyZone, replaceLines([]string{"dialin.contoso.test.", "lyncdiscover.contoso.test."},
				"dialin.contoso.test. 300 IN A 192.0.2.11")},
			want: []want{
				{"webext.contoso.test", "-", Pass, "2 resolvers agree: 192.0.2.10"},
				{"meet.contoso.test", "-", Pass, "2 resolvers agree"},
				{"dialin.contoso.test", "-", Warn, "answered 192.0.2.10; resolver 127.0.0.1:"},
				{"lyncdiscover.contoso.test", "-", Warn, "answered NXDOMAIN"},
				{"sip.contoso.test", "-", Pass, "2 resolvers agree: 192.0.2.20"},
			},
		},
		{
			name: "srv healthy", check: dnsSRV, zones: [][]string{healthyZone}, silent: Error,
			want: []want{
				{"_sip._tls.contoso.test", "resolver", Pass, "points at sip.contoso.test:443, in its own domain, which resolves to the Access Edge"},
				{"_sipfederationtls._tcp.contoso.test", "resolver", Pass, "sip.contoso.test:5061"},
			},
		},
		{
			name: "srv wrong", check: dnsSRV, silent: Error,
			dep: func(d *config.Deployment) { d.SIPDomains = append(d.SIPDomains, "fabrikam.test") },
			zones: [][]string{replaceLines([]string{"_sip._tls.contoso.test.", "_sipfederationtls._tcp.contoso.test."},
				"_sip._tls.contoso.test. 300 IN SRV 0 0 5061 sip.contoso.test.",
				"_sipfederationtls._tcp.contoso.test. 300 IN SRV 0 0 5061 sip.contoso.net.",
				"sip.contoso.net. 300 IN A 192.0.2.20",
				"_sip._tls.fabrikam.test. 300 IN SRV 0 0 443 sip.fabrikam.test.",
				"sip.fabrikam.test. 300 IN A 192.0.2.99")},
			want: []want{
				{"_sip._tls.contoso.test", "", Fail, "announces port 5061 for sip.contoso.test, but edge.ports.sip_tls is 443"},
				{"_sipfederationtls._tcp.contoso.test", "", Fail, "points at sip.contoso.net, outside contoso.test"},
				{"_sip._tls.fabrikam.test", "", Fail, "which resolves to 192.0.2.99, not the Access Edge (edge.addresses: 192.0.2.20)"},
				{"_sipfederationtls._tcp.fabrikam.test", "", Fail, "has no SRV record (NXDOMAIN)"},
			},
		},
		{
			name: "srv missing without edge", check: dnsSRV, silent: Error,
			dep:   func(d *config.Deployment) { d.Edge = nil },
			zones: [][]string{replaceLines([]string{"_sip._tls.contoso.test.", "_sipfederationtls._tcp.contoso.test."})},
			want: []want{
				{"_sip._tls.contoso.test", "", Warn, "has no SRV record (NXDOMAIN): external clients find the Access Edge through it (no edge in the config, so a warning)"},
				{"_sipfederationtls._tcp.contoso.test", "", Warn, "no edge in the config"},
			},
		},
		{
			name: "lyncdiscover cname, http not published", check: dnsLyncdiscoverCNAME, silent: Error,
			dep: func(d *config.Deployment) {
				d.SIPDomains = []string{"contoso.test", "fabrikam.test", "tailspin.test", "adatum.test"}
			},
			zones: [][]string{replaceLines([]string{"lyncdiscover.contoso.test."},
				"lyncdiscover.contoso.test. 300 IN CNAME director.contoso.net.",
				"director.contoso.net. 300 IN A 192.0.2.10",
				"lyncdiscover.fabrikam.test. 300 IN CNAME webdir.online.lync.com.",
				"webdir.online.lync.com. 300 IN A 192.0.2.50",
				"lyncdiscover.tailspin.test. 300 IN CNAME web.ext.tailspin.test.",
				"web.ext.tailspin.test. 300 IN A 192.0.2.10")},
			want: []want{
				{"lyncdiscover.contoso.test", "", Fail, "is a CNAME to director.contoso.net, outside contoso.test: mobile clients reject it over HTTPS, and HTTP is not published"},
				{"lyncdiscover.fabrikam.test", "", Info, "Microsoft's online service"},
				{"lyncdiscover.tailspin.test", "", Pass, "CNAME within tailspin.test"},
				{"lyncdiscover.adatum.test", "", Skip, "depends on dns.resolves"},
			},
		},
		{
			name: "lyncdiscover cname, http published", check: dnsLyncdiscoverCNAME, silent: Error,
			dep: func(d *config.Deployment) { port := 80; d.ReverseProxy.HTTPPort = &port },
			zones: [][]string{replaceLines([]string{"lyncdiscover.contoso.test."},
				"lyncdiscover.contoso.test. 300 IN CNAME director.contoso.net.",
				"director.contoso.net. 300 IN A 192.0.2.10")},
			want: []want{{"lyncdiscover.contoso.test", "", Warn, "they can still discover over HTTP (port 80)"}},
		},
		{
			name: "internal discover", check: dnsInternalDiscover, silent: Error,
			dep: func(d *config.Deployment) { d.SIPDomains = append(d.SIPDomains, "fabrikam.test") },
			zones: [][]string{append(healthyZone, "lyncdiscoverinternal.contoso.test. 300 IN A 10.0.0.5",
				"fabrikam.test. 300 IN NS ns1.fabrikam.test.")},
			internal: [][]string{{"lyncdiscoverinternal.contoso.test. 300 IN A 10.0.0.5"}},
			want: []want{
				{"lyncdiscoverinternal.contoso.test", "resolver 127", Warn, "resolves in public DNS (10.0.0.5)"},
				{"lyncdiscoverinternal.contoso.test", "internal resolver", Pass, "resolves on the inside to 10.0.0.5"},
				{"lyncdiscoverinternal.fabrikam.test", "resolver 127", Pass, "does not resolve in public DNS (NXDOMAIN), as it should"},
				{"lyncdiscoverinternal.fabrikam.test", "internal resolver", Info, "internal clients fall back to lyncdiscover"},
			},
		},
		{
			name: "admin published", check: dnsAdminNotPublic, silent: Error,
			zones: [][]string{append(healthyZone, "admin.contoso.test. 300 IN A 192.0.2.10")},
			want:  []want{{"admin.contoso.test", "resolver", Warn, "the admin URL's host resolves in public DNS (192.0.2.10)"}},
		},
		{
			name: "admin internal", check: dnsAdminNotPublic, zones: [][]string{healthyZone}, silent: Error,
			want: []want{{"admin.contoso.test", "resolver", Pass, "does not resolve in public DNS (NXDOMAIN), as it should"}},
		},
	}
}

// Package checks holds lyncprobe's diagnostics. Each check turns probe facts
// about a deployment into results with a stable ID, a status, evidence and
// a remedy. Checks are plain functions listed once, in order, in registry.
package checks

import (
	"context"
	"slices"
)

// Check is one diagnostic.
type Check struct {
	ID     string // stable, dotted: module.name
	Module string
	Title  string
	// Needs are the checks whose verdicts this one's evidence relies on:
	// when one of them fails (or errs) for a target's host, the runner
	// turns this check's result for that host into a skip naming it, and
	// runs it even outside --only (needs.go). Each must come earlier in
	// the registry.
	Needs []string
	// Inputs are the kinds of fact the check can judge from, any one of
	// them: a run runs the checks whose inputs it has (inputs.go). The
	// dns checks judge answers from the network or a zone file; six cert
	// checks judge a chain from a handshake or a file; the proxy checks
	// judge configuration files alone.
	Inputs Input
	Run    func(ctx context.Context, e *Env) []Result
	About  About
}

// About is a check's knowledge-base entry.
type About struct {
	// Reference is the check's row in the README's check table (Markdown,
	// one paragraph): what it asks and how each answer is judged, in more
	// detail than What. The table is generated from it (What when empty):
	// go test ./cmd/lyncprobe -run TestGeneratedDocs -update-docs
	Reference string
	What      string
	Why       string
	Sources   []string
	// Symptoms are what users see when the check fails; Fix is the setting
	// to change per proxy family (tmg, arr, nginx, apache, haproxy, f5,
	// kemp, wap; "all" when it does not depend on the family). Both are
	// filled in knowledge.go, from the checks' own remedies.
	Symptoms string
	Fix      map[string]string
	// Rules is the version × balancing-mode table the affinity checks
	// follow (affinity_rules.go); empty for the other checks.
	Rules []AffinityRule
}

// registry is every check, in report order. Add a check here and nowhere
// else.
var registry = []Check{
	{
		ID: "dns.resolves", Module: "dns", Title: "Published names resolve in public DNS",
		Run:    dnsResolves,
		Inputs: InputNetwork | InputZone,
		About: About{
			Reference: "every published name (web services, meet, dial-in, lyncdiscover, Office Web Apps) resolves on every public-view resolver, showing the CNAME chain and the final A/AAAA set; NXDOMAIN, NODATA (and a CNAME to a missing name), SERVFAIL and REFUSED are distinct `fail`s, a resolver that does not answer in time (timeout) is an `error`",
			What:      "Every published name (web services, meet, dial-in, lyncdiscover, Office Web Apps) resolves on every public-view resolver; the result shows the CNAME chain and the final A/AAAA set, and tells NXDOMAIN, NODATA, SERVFAIL, REFUSED and an unanswering resolver apart.",
			Why:       "External clients find the reverse proxy only through public DNS; a missing record breaks that service alone.",
			Sources:   []string{"https://learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/network-requirements/dns"},
		},
	},
	{
		ID: "dns.expected-address", Module: "dns", Title: "Published names resolve only to the proxy's (and Edge names to the Edge's) addresses",
		Run:    dnsExpectedAddress,
		Inputs: InputNetwork | InputZone,
		About: About{
			Reference: "with `reverse_proxy.addresses`, every published name resolves only to them; with `edge.addresses`, the Edge names (`edge.access`, `sip.<d>`) resolve only to those, never compared with the proxy's; an extra address fails, a missing one warns, each named. A `dns.views` resolver's answer is judged against its view's own `proxy_addresses` / `edge_addresses`, and an address of another view is named as such",
			What:      "When reverse_proxy.addresses is set, every name the reverse proxy publishes resolves only to those addresses; when edge.addresses is set, the Edge names (edge.access, sip.<domain>) resolve only to those. An extra address fails, a missing one warns.",
			Why:       "A record left pointing at an old proxy, a test server or the Edge sends some clients to the wrong place; it works from some networks and not others.",
			Sources:   []string{"https://learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/network-requirements/dns"},
		},
	},
	{
		ID: "dns.private-address", Module: "dns", Title: "Public DNS publishes no internal address",
		Run:    dnsPrivateAddress,
		Inputs: InputNetwork | InputZone,
		About: About{
			Reference: "a public-view answer for a published or Edge name that is private, loopback or link-local and not listed in `reverse_proxy.addresses`/`edge.addresses` warns: an internal address published in public DNS",
			What:      "No public-view answer for a published or Edge name is a private, loopback or link-local address, unless it is listed in reverse_proxy.addresses or edge.addresses.",
			Why:       "An internal address in the public zone (a split-DNS record copied to the wrong zone) cannot be reached from outside: external clients time out.",
			Sources:   []string{"https://learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/advanced-edge-server-dns"},
		},
	},
	{
		ID: "dns.consistency", Module: "dns", Title: "Every public-view resolver gives the same answer",
		Run:    dnsConsistency,
		Inputs: InputNetwork | InputZone,
		About: About{
			Reference: "with two or more public-view resolvers, each published and Edge name gets the same answer from all; when not, warns saying which resolver answered what (a stale secondary, a second provider, a cache). Resolvers are compared only within their `dns.views` view (`via: view NAME`): regions answer differently by design",
			What:      "With several public-view resolvers, each published and Edge name gets the same answer (address set or negative answer) from all of them; when not, the result says which resolver answered what.",
			Why:       "A secondary that has not caught up, a second DNS provider not updated, or a cache within its TTL makes a fix work for some clients only.",
			Sources:   []string{"Derived: RFC 1034/1996 zone transfer and caching behaviour"},
		},
	},
	{
		ID: "dns.srv", Module: "dns", Title: "Edge SRV records point at sip.<domain> on the right port",
		Run:    dnsSRV,
		Inputs: InputNetwork | InputZone,
		About: About{
			Reference: "per SIP domain, `_sip._tls.<d>` on `edge.ports.sip_tls` (443) and `_sipfederationtls._tcp.<d>` on `edge.ports.federation` (5061) point at a name in `<d>` that resolves to the Access Edge (`edge.addresses` when set); missing or wrong records fail with an `edge` in the config, warn without",
			What:      "For each SIP domain, _sip._tls.<d> (edge.ports.sip_tls, 443) and _sipfederationtls._tcp.<d> (edge.ports.federation, 5061) exist, point at a name in the same domain that resolves to the Access Edge (edge.addresses when set). Missing records warn when the config has no edge, fail when it has one.",
			Why:       "External Lync/SfB clients and federated partners find the Access Edge through these records; an SRV record must point to an A record in its own domain.",
			Sources:   []string{"https://learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements; https://learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/advanced-edge-server-dns"},
		},
	},
	{
		ID: "dns.lyncdiscover-cname", Module: "dns", Title: "lyncdiscover is not a CNAME into another domain",
		Run:    dnsLyncdiscoverCNAME,
		Inputs: InputNetwork | InputZone,
		About: About{
			Reference: "a lyncdiscover CNAME into another domain (rejected over HTTPS by mobile clients) warns when `reverse_proxy.http_port` is published and fails when it is 0; passes under `lyncdiscover_http_only` (the case Microsoft documents HTTP for; `http.lyncdiscover` checks that HTTP answers and does not redirect to HTTPS); a CNAME to Microsoft's online service (`lync.com`, hybrid) is `info`",
			What:      "A lyncdiscover name that is a CNAME into another domain warns when HTTP is published (reverse_proxy.http_port) and fails when it is not; a CNAME to Microsoft's online service (lync.com, hybrid) is info.",
			Why:       "Mobile clients do not accept certificates from different domains: a lyncdiscover CNAME to another domain is not supported over HTTPS, which is why the first Autodiscover request may go over HTTP.",
			Sources:   []string{"https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-technical-requirements-for-mobility"},
		},
	},
	{
		ID: "dns.internal-discover", Module: "dns", Title: "lyncdiscoverinternal stays inside",
		Run:    dnsInternalDiscover,
		Inputs: InputNetwork | InputZone,
		About: About{
			Reference: "`lyncdiscoverinternal.<d>` resolving on a public-view resolver warns; with `dns.internal_resolvers` it should resolve there (`info` when absent: clients fall back to lyncdiscover)",
			What:      "lyncdiscoverinternal.<d> does not resolve on a public-view resolver (warn if it does); with dns.internal_resolvers it resolves there (info when absent: clients fall back to lyncdiscover).",
			Why:       "Split-brain DNS is not supported for mobility: LyncDiscover belongs in external DNS and LyncDiscoverInternal in internal DNS, and clients try the internal name first.",
			Sources:   []string{"https://learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/advanced-edge-server-dns; https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-technical-requirements-for-mobility"},
		},
	},
	{
		ID: "dns.admin-not-public", Module: "dns", Title: "The admin URL is not in public DNS",
		Run:    dnsAdminNotPublic,
		Inputs: InputNetwork | InputZone,
		About: About{
			Reference: "the host of `simple_urls.admin` resolving on a public-view resolver warns: the Control Panel is internal only",
			What:      "The host of simple_urls.admin does not resolve on a public-view resolver (warn if it does).",
			Why:       "The Admin simple URL opens the Control Panel, which is internal to the organisation; publishing its name invites attacks on it.",
			Sources:   []string{"https://learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/network-requirements/dns, section Simple URLs"},
		},
	},
	{
		ID: "cert.san-coverage", Module: "cert", Title: "The certificate covers each published name on every address and node",
		Needs:  []string{"dns.resolves"},
		Run:    sanCoverage,
		Inputs: InputNetwork | InputCertFile,
		About: About{
			Reference: "for each published name, a TLS handshake with that name as SNI to every address it resolves to and every `reverse_proxy.nodes` member (`via` says which): the certificate's SANs cover the name (RFC 6125: a wildcard covers exactly one left-most label; the CN does not count); a name that does not resolve is `skip` (its nodes are still probed), an endpoint that cannot be connected to is `skip` (see `http.reachable`), one that refuses TLS for the name fails",
			What:      "For each published name, a TLS handshake with that name as SNI to every address it resolves to and every reverse_proxy.nodes member: the presented certificate's SANs cover the name (RFC 6125: a wildcard covers exactly one left-most label; the subject CN does not count).",
			Why:       "A certificate that lacks one published name (dialin, lyncdiscover, a second SIP domain's meet, Office Web Apps) breaks that service alone, and is the commonest go-live failure after DNS.",
			Sources:   []string{"https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-certificate-summary-reverse-proxy", "https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-request-and-configure-a-certificate-for-your-reverse-http-proxy", "RFC 6125 §6.4.3"},
		},
	},
	{
		ID: "cert.all-names", Module: "cert", Title: "Each certificate covers every name it is served for",
		Run:    allNames,
		Inputs: InputNetwork | InputCertFile,
		About: About{
			Reference: "one result per distinct certificate seen (`via` = `certificate <sha256 prefix>`, target = the first name it was served for): the published names it was served for (by SNI) that it covers and misses, and in the remedy the complete SAN list to request, so the fix is one re-issue. A certificate per name (Office Web Apps or lyncdiscover with its own, chosen by SNI) passes when each covers its names; one certificate across names is demanded only where Microsoft requires it: `lyncdiscover.<domain>` served with a certificate other than the external web services name's, when the two are in different domains, fails (\"mobile device clients do not support multiple SSL certificates from different domains\")",
			What:      "One summary per distinct certificate seen: the published names it was served for (by SNI) that it covers and misses, and the complete SAN list to request, so that the fix is one re-issue. A proxy that picks a certificate per name (Office Web Apps or lyncdiscover with a certificate of its own) passes when each certificate covers its names. One certificate across names is demanded only where Microsoft requires it: lyncdiscover.<domain> served with a certificate other than the external web services name's, the two names in different domains, fails, because mobile clients do not support multiple certificates from different domains.",
			Why:       "Fixing names one failure at a time costs a certificate re-issue each time. Microsoft's certificate summary lists every published name on the reverse proxy certificate; what clients need is that each name's certificate covers it, and mobile clients also that the Autodiscover and web services certificates do not come from different domains. Microsoft itself describes more than one reverse proxy certificate: a separate listener and certificate for the Director's external web services name.",
			Sources:   []string{"https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-certificate-summary-reverse-proxy", "https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-technical-requirements-for-mobility (\"Mobile device clients do not support multiple SSL certificates from different domains\")", "https://learn.microsoft.com/en-us/previous-versions/office/skype-server-2010/gg429704(v=ocs.14) (\"A separate listener and certificate must be configured for external web services FQDNs of all Director or Director pool\")"},
		},
	},
	{
		ID: "cert.chain", Module: "cert", Title: "The chain the server sends is complete and trusted",
		Run:    certChain,
		Inputs: InputNetwork | InputCertFile,
		About: About{
			Reference: "judged only from the chain the server sent (intermediates are never fetched): passes when it verifies to a system root, or through `tls.ca_file` (noted in `evidence.trusted_by`); otherwise fails naming the cause: \"the server did not send the intermediate\", \"issued by a CA that is neither publicly trusted nor in `tls.ca_file`\", or \"self-signed\"; on a machine without a system trust store (a container without ca-certificates) a chain ending at a CA it cannot place is `error` (\"no system trust store\"), not `fail`, and so is `http.reachable`'s verification, unless `tls.ca_file` is set; a passing chain that also sends certificates its verified path does not use, expired or weak (an expired or SHA-1 cross-certificate), is `info` naming them",
			What:      "Judged from the chain the server actually sent, never from intermediates fetched elsewhere: tells \"intermediate not sent\", \"issued by a CA that is neither publicly trusted nor in tls.ca_file\" and \"self-signed\" apart. A chain that verifies only through tls.ca_file passes, noted in evidence. Certificates sent beside the verified path (an expired or SHA-1 cross-certificate) are named as info: no client needs them.",
			Why:       "Desktop browsers fetch a missing intermediate themselves; mobile clients and phones do not, and fail to sign in while everything looks fine in a browser.",
			Sources:   []string{"https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-configure-web-publishing-rules-for-a-single-internal-pool", "http://blogs.bricomp.com/?tag=/KEMP-HLB (missing intermediate broke iOS sign-in)", "RFC 5280 §6.1"},
		},
	},
	{
		ID: "cert.expiry", Module: "cert", Title: "The certificate is valid now and not about to expire",
		Run:    certExpiry,
		Inputs: InputNetwork | InputCertFile,
		About: About{
			Reference: "no certificate on the path a client builds (the chain `x509.Verify` returns, below the trust anchor; the chain as sent when none verifies) has expired or is not yet valid (`fail`, naming the date); one expiring within `tls.warn_days` warns with the date; a sent certificate off that path is `cert.chain`'s `info`",
			What:      "No certificate on the path a client builds (the chain x509.Verify returns, below the trust anchor; the chain as sent when none verifies) has expired or is not yet valid (fail); one expiring within tls.warn_days warns with the date. A sent certificate off that path (an expired cross-certificate) is not judged here: cert.chain names it as info.",
			Why:       "An expired proxy certificate stops every external client at once; renewing takes a CA round trip, so the warning must come early.",
			Sources:   []string{"RFC 5280 §4.1.2.5; §6.1 (path validation)"},
		},
	},
	{
		ID: "cert.subject", Module: "cert", Title: "The subject name is also a SAN and not a wildcard",
		Run:    certSubject,
		Inputs: InputNetwork | InputCertFile,
		About: About{
			Reference: "the leaf's subject CN is also one of its SANs and is not a wildcard (not supported as subject name for Lync/SfB); no CN warns",
			What:      "The leaf's subject CN is present among its SANs and is not a wildcard.",
			Why:       "Microsoft requires the subject name to be repeated in the SANs (TLS ignores the subject) and does not support wildcards as subject name for any role.",
			Sources:   []string{"https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-wildcard-certificate-support", "https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-request-and-configure-a-certificate-for-your-reverse-http-proxy"},
		},
	},
	{
		ID: "cert.key-usage", Module: "cert", Title: "Server Authentication EKU, strong keys, no SHA-1 or MD5",
		Run:    certKeyUsage,
		Inputs: InputNetwork | InputCertFile,
		About: About{
			Reference: "the Server Authentication EKU (no EKU at all warns); RSA keys of at least 2048 bits and EC keys of at least 256 on the path a client builds; no SHA-1 or MD5 signature on it below the trust anchor (a certificate sent beside the path is not judged here). Inspected by lyncprobe, not by Go's verifier",
			What:      "The leaf has the Server Authentication EKU; RSA keys on the path a client builds are at least 2048 bits and EC keys at least 256; no certificate on it below the trust anchor is signed with SHA-1 or MD5 (a certificate sent beside the path is cert.chain's info). Inspected by lyncprobe itself: Go's verifier refuses SHA-1 and never looks at key sizes, so it cannot be the judge.",
			Why:       "Microsoft's request recipe asks for a 2048-bit key and the Server Authentication EKU; clients refuse SHA-1 chains and weak keys.",
			Sources:   []string{"https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-request-and-configure-a-certificate-for-your-reverse-http-proxy", "RFC 5280 §6.1 (path validation: only the certificates on the path are judged)"},
		},
	},
	{
		ID: "cert.tls-versions", Module: "cert", Title: "TLS 1.2 offered; TLS 1.0/1.1 no longer accepted",
		Needs:  []string{"dns.resolves"},
		Run:    certTLSVersions,
		Inputs: InputNetwork,
		About: About{
			Reference: "each address and node is probed with TLS 1.0, 1.1, 1.2 and 1.3 separately (its own client config; the old versions with the CBC suites they need): no TLS 1.2 fails, TLS 1.0/1.1 still accepted warns. A proxy that stops below TLS 1.2 still has its certificate judged by the other cert checks",
			What:      "Each address and node is probed with TLS 1.0, 1.1, 1.2 and 1.3 separately, each with its own client config (old versions with the CBC suites they need). No TLS 1.2 fails; TLS 1.0/1.1 still accepted warns.",
			Why:       "Current mobile clients (the latest iOS apps) need TLS 1.2; TLS 1.0 and 1.1 are deprecated (RFC 8996).",
			Sources:   []string{"https://learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/system-requirements", "RFC 8996"},
		},
	},
	{
		ID: "cert.node-consistency", Module: "cert", Title: "Every address and node serves the same certificate",
		Needs:  []string{"dns.resolves"},
		Run:    certNodeConsistency,
		Inputs: InputNetwork,
		About: About{
			Reference: "for each published name, every address and node serves the same certificate and chain for that name (with a certificate per name, each name is compared only with itself); the ones serving another (usually older) certificate than the newest seen are named; one endpoint only is `info`",
			What:      "For each published name, every resolved address and every reverse_proxy.nodes member serves the same certificate and chain; a different or older one is named with its node.",
			Why:       "A renewed certificate installed on one array member only makes sign-in fail for the clients the load balancer sends to the other.",
			Sources:   []string{"Derived from https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-hardware-load-balancer-requirements (load-balanced proxy arrays) and https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-certificate-summary-reverse-proxy"},
		},
	},
	{
		ID: "cert.revocation", Module: "cert", Title: "The chain's CRLs and OCSP responders answer, and do not say revoked",
		Run:    certRevocation,
		Inputs: InputNetwork,
		About: About{
			Reference: "every HTTP CRL distribution point and OCSP address of the path a client builds (below the trust anchor) resolves through the public view and answers, under the run's deadline with the body capped at 10 MiB. A CRL must be signed by the certificate's issuer (else `error`: the signature does not verify), current (stale warns) and not list the certificate (`fail`, with serial and date). The OCSP responder is asked (RFC 6960 GET) about each certificate that names it; its answer must be signed by the issuer or by a responder certificate the issuer gave the OCSP Signing EKU (else `error`, saying why); then `revoked` fails, `unknown` warns, a good answer past its next update warns, `good` passes; a responseStatus other than `successful` (e.g. `unauthorized`) fails. A chain that names none is `info`",
			What:      "Every HTTP CRL distribution point and OCSP address on the path a client builds (below the trust anchor) resolves through the public view and answers, fetched under the run's deadline with the body capped. A CRL must be signed by the certificate's issuer (else error), current (stale warns) and must not list the certificate (fail). The OCSP responder is asked about each certificate naming it (RFC 6960 GET request); its answer must be signed by the issuer or by a responder certificate the issuer issued with the OCSP Signing EKU (else error, saying why); then revoked fails, unknown warns, a good answer past its next update warns. A chain without any address is info.",
			Why:       "Clients outside check revocation at these addresses: a revoked certificate is refused, and a private CA whose CRL is only reachable inside makes external clients fail or stall.",
			Sources:   []string{"https://learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements (outbound TCP 80 for certificate revocation and CRL checks)", "RFC 5280 §5, §6.3", "RFC 6960 §2.2, §4.2.2.2, appendix A.1"},
		},
	},
	{
		ID: "http.reachable", Module: "http", Title: "Published URLs answer over HTTPS with a trusted certificate",
		Needs:  []string{"dns.resolves"},
		Run:    httpReachable,
		Inputs: InputNetwork,
		About: About{
			Reference: "each published URL answers over HTTPS on the published port, on every address the public resolvers returned and every `reverse_proxy.nodes` member, with a certificate that verifies (system roots plus `tls.ca_file`); 502/503/504 from the proxy is named",
			What:      "Each published URL answers over HTTPS on the published port, on every address it resolves to and every proxy node, with a certificate that verifies.",
			Why:       "A name that resolves but does not answer, or answers with an untrusted certificate, fails for every external client.",
			Sources:   []string{"https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-verify-access-through-your-reverse-proxy"},
		},
	},
	{
		ID: "http.host-forwarding", Module: "http", Title: "The reverse proxy forwards the original Host header",
		Needs:  []string{"dns.resolves", "http.reachable"},
		Run:    httpHostForwarding,
		Inputs: InputNetwork,
		About: About{
			Reference: "the meet page (`meeting_url`, else a synthetic join URL `<meet>/lyncprobe/LYNCPROBE1`, which a healthy deployment renders even for an unknown conference), the dial-in page, Lync Web App (`/lwa/WebPages/LwaClient.aspx`; `/Reach/Client/WebPages/ReachJoin.aspx` for `lync2010`) and `/` on each lyncdiscover name, fetched through the public name on every address it resolves to (IPv4 and IPv6; one verdict when all agree, else each verdict naming the addresses it holds on). With `web_services[].backends` the same path is fetched from the pool's first front end under the public Host and under another Host (`web_services.internal`, else the backend's address) and the result says which the public answer matches; without (or when the backends do not answer) the verdict is inferred from the public answers — a blank page or a front end's 404 where the page should be while Lync Web App works, or the internal name showing — and `evidence.confidence` says which (`certain` / `likely`). The remedy names the setting for TMG, nginx, Apache, IIS ARR, HAProxy and Web Application Proxy",
			What:      "Fetches the meet page (meeting_url, else a synthetic join URL <meet>/lyncprobe/LYNCPROBE1), the dial-in page, Lync Web App and the lyncdiscover root through the public name. With backends, fetches the same path from a front end under the public Host and under another Host (web_services.internal, else the backend's address) and says which the public answer matches; without, infers it from the public answers (a blank page or a front end's 404 where a page should be while the web services work, the internal name showing) and says how sure it is in evidence.",
			Why:       "IIS on the front ends routes meet and dial-in by the Host header; a proxy that sends the internal name instead (TMG without \"Forward the original host header\", nginx's default $proxy_host, Apache without ProxyPreserveHost) leaves the web services working and meet/dial-in blank.",
			Sources: []string{"https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-configuration-requirements-for-reverse-proxy; https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-configure-web-publishing-rules-for-a-single-internal-pool",
				"http://www.confusedamused.com/notebook/lync-reverse-proxy-and-friendly-meeting-urls", "comment 6 on https://blogs.technet.microsoft.com/drrez/2011/02/21/remote-conferencing-with-lync-web-app-with-forefront-threat-management-gateway-2010-reverse-proxy-part-1/ (blank meet and dial-in pages)"},
		},
	},
	{
		ID: "http.blank-page", Module: "http", Title: "Meet and dial-in pages show content",
		Needs:  []string{"dns.resolves", "http.reachable"},
		Run:    httpBlankPage,
		Inputs: InputNetwork,
		About: About{
			Reference: "the meet and dial-in pages, after redirects, are not a 200 with nothing visible (HTML parsed with `golang.org/x/net/html`: no title, text, script or frame); another status is `info`, a proxy login `skip`; judged on every address of the name",
			What:      "The meet and dial-in pages, after redirects, are not a 200 with nothing visible (the HTML is parsed; a page without title, text, script or frame is blank).",
			Why:       "A blank page is what a person sees when the proxy does not forward the Host header; it says nothing, so users report \"meetings don't work\".",
			Sources:   []string{"comment 6 on https://blogs.technet.microsoft.com/drrez/2011/02/21/remote-conferencing-with-lync-web-app-with-forefront-threat-management-gateway-2010-reverse-proxy-part-1/", "https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-configuration-requirements-for-reverse-proxy"},
		},
	},
	{
		ID: "http.internal-name-leak", Module: "http", Title: "Redirects and links point only at published names",
		Needs:  []string{"dns.resolves", "http.reachable"},
		Run:    httpInternalNameLeak,
		Inputs: InputNetwork,
		About: About{
			Reference: "every redirect `Location`, every link of the meet, dial-in, Lync Web App, lyncdiscover and Autodiscover answers and every Autodiscover href points at a published name or one that resolves in the public view — not `web_services.internal`, a `.local`-style name or a private address",
			What:      "Every redirect Location, every link in the meet, dial-in, Lync Web App and lyncdiscover answers, and every Autodiscover href points at a published name or one that resolves in the public view — not the internal pool name, a .local name or a private address.",
			Why:       "Clients outside cannot follow a link to a name they cannot resolve; mobile sign-in and meeting joins fail after the first request.",
			Sources:   []string{"https://learn.microsoft.com/en-us/skype-sdk/ucwa/rooturl", "https://learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/advanced-edge-server-dns (the internal Autodiscover URL should not resolve externally)"},
		},
	},
	{
		ID: "http.lyncdiscover", Module: "http", Title: "lyncdiscover returns the Autodiscover document",
		Needs:  []string{"dns.resolves", "http.reachable"},
		Run:    httpLyncdiscover,
		Inputs: InputNetwork,
		About: About{
			Reference: "each lyncdiscover name (HTTPS, and HTTP when `reverse_proxy.http_port` is published), asked `/` with no Accept header, returns the Autodiscover document (UCWA or Lync 2013 JSON, or XML) with a `user` or `redirect` link; every href is on a published name and answers; following `user` gives 401 with an `MsRtcOAuth` challenge. A 404 from the proxy or the front end, an HTML (or blank) page, a wrong content type, a cross-domain redirect and a login are named. Over HTTP, nothing answering on `reverse_proxy.http_port` is said as such (`warn`; `fail` where clients need HTTP), and a redirect to HTTPS fails where a lyncdiscover CNAME into another domain needs the HTTP request; under `lyncdiscover_http_only` the names are asked over HTTP only, the document must carry a Redirect link, and one `info` result says what the choice costs. Asked on every address of each name",
			What:      "Each lyncdiscover name (HTTPS, and HTTP when reverse_proxy.http_port is published) answers / with the Autodiscover document, JSON or XML, with a user or redirect link; every href is on a reachable published name; following user gives 401 with an MsRtcOAuth challenge. A 404 from the proxy, an HTML page, a wrong content type and a cross-domain redirect are named. Over HTTP: nothing answering on reverse_proxy.http_port is said as such (warn; fail where HTTP is needed), and port 80 redirecting to HTTPS fails where a lyncdiscover CNAME into another domain needs the HTTP request. Under lyncdiscover_http_only the name is judged over HTTP only, its document must carry the Redirect link, and one info result says what the choice costs.",
			Why:       "Mobile and modern clients find their pool through lyncdiscover; discovery fails on a 404, a cross-domain redirect or anything but the document. Publishing the first Autodiscover request over HTTP (port 80 to the front ends' 8080) spares the certificate the lyncdiscover names and lets a CNAME into another domain work; Microsoft supports it but does not recommend it.",
			Sources: []string{"https://learn.microsoft.com/en-us/skype-sdk/ucwa/rooturl", "[MS-OCDISCWS] https://learn.microsoft.com/en-us/openspecs/office_protocols/ms-ocdiscws/70b7c616-43c4-4472-aee3-3b1f60617180 (Root: over HTTP, 200 with a single Redirect link)",
				"https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-technical-requirements-for-mobility (Certificate Requirements: HTTP for the initial Autodiscover request is \"supported, but we do not recommend it\"; CNAME to another domain not supported over HTTPS)"},
		},
	},
	{
		ID: "http.paths", Module: "http", Title: "The version's external web services paths are published",
		Needs:  []string{"dns.resolves", "http.reachable"},
		Run:    httpPaths,
		Inputs: InputNetwork,
		About: About{
			Reference: "on each web services name, `/meet`, `/dialin`, `/abs/handler`, `/GroupExpansion/service.svc`, `/CertProv/CertProvisioningService.svc`, `/WebTicket/WebTicketService.svc`, `/Autodiscover/AutodiscoverService.svc/root`, `/Reach`, plus `/lwa` and `/ucwa` from `lync2013` and `/mcx` up to `sfb2015` (that cut-off is inferred), are answered by a front end. A front end is known by signs that survive a hardened proxy (one that strips `Server`, `X-Powered-By`, `X-AspNet-Version`, `X-MS-Server-Fqdn`): an IIS Windows (NTLM/Negotiate) or `MsRtcOAuth` challenge, the Autodiscover document, a WCF SOAP fault or UCWA error body, IIS's own error page (an IIS 404 still proves the path is published), the branding headers when present, and, with `web_services[].backends`, the same path fetched from a front end directly and compared. Only the proxy's own answer — its error page (TMG, nginx, Apache, HAProxy, F5 house styles), a proxy `Server` header on an error, a Basic challenge or login — fails, with the rule to add; an answer nothing explains is `skip` saying to set `web_services[].backends`, never `fail`; a proxy 5xx or login is `skip` (see `http.preauth`); asked on every address of each name",
			What:      "On each web services name, /meet, /dialin, /abs/handler, /GroupExpansion/service.svc, /CertProv/CertProvisioningService.svc, /WebTicket/WebTicketService.svc, /Autodiscover/AutodiscoverService.svc/root and /Reach, plus /lwa and /ucwa from Lync 2013 and /mcx up to Skype for Business 2015, are answered by a front end, known by what survives a hardened proxy (an IIS Windows or MsRtcOAuth challenge, the Autodiscover document, a WCF SOAP fault or UCWA error body, IIS's own error page), by IIS, ASP.NET or X-MS-Server-Fqdn headers when present, or, with web_services.backends, by the same answer from a front end asked directly. Only the proxy's own answer (its error page, a proxy Server header on an error, its Basic challenge or login) fails; an answer nothing explains is skip, saying to set web_services.backends. The /mcx cut-off after SfB 2015 is inferred, not read in a Microsoft source.",
			Why:       "Microsoft asks the proxy to publish the whole external site (/*); a path left out breaks one feature (address book, certificate provisioning, mobility) while the rest works.",
			Sources:   []string{"https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-get-csservice-for-address-book-management; https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-technical-requirements-for-mobility; https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-configuration-requirements-for-reverse-proxy"},
		},
	},
	{
		ID: "http.internal-site-exposed", Module: "http", Title: "The internal web site is not published",
		Needs:  []string{"dns.resolves", "http.reachable"},
		Run:    httpInternalSiteExposed,
		Inputs: InputNetwork,
		About: About{
			Reference: "`/cscp` and `/OcsPowerShell` do not answer from outside; if they do (a page, a challenge, a redirect), the proxy bridges to the front ends' internal site (443) instead of the external one (4443): `fail`, with `evidence.security`",
			What:      "/cscp and /OcsPowerShell do not answer from outside; if they do, the proxy bridges to the front ends' internal web site (443) instead of the external one (4443). A failure and a security finding.",
			Why:       "The internal site holds the Control Panel and remote PowerShell, which must never face the Internet; the external site exists so that web services can tell outside traffic apart.",
			Sources:   []string{"https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-port-summary-reverse-proxy", "https://blogs.perficient.com/microsoft/2015/06/skype-for-business-reverse-proxy-101/"},
		},
	},
	{
		ID: "http.preauth", Module: "http", Title: "The proxy passes requests through without pre-authentication",
		Needs:  []string{"dns.resolves", "http.reachable"},
		Run:    httpPreauth,
		Inputs: InputNetwork,
		About: About{
			Reference: "the meet, dial-in, Lync Web App and lyncdiscover answers and every path `http.paths` probes, followed through their redirects, are not the proxy's own login: AD FS / WAP pre-authentication, TMG forms-based authentication `CookieAuth.dll`, Azure AD, F5 APM, NetScaler, a redirect to a login host (`login.`, `sso.`, `sts.`, `adfs.`, `idp.`, `auth.` …), a forms page with a password field, a Basic challenge (its realm named), or an NTLM/Negotiate challenge on a path the front ends serve without one (meet, dial-in, Lync Web App, Autodiscover; `/ucwa` without `MsRtcOAuth`). Each failure names the path, what the proxy asked for and what breaks for users (address book download, distribution-list expansion, client certificates, mobile sign-in, meeting join)",
			What:      "The meet, dial-in, Lync Web App and lyncdiscover answers and every web services path http.paths probes, followed through their redirects, are not the proxy's own login: a redirect to AD FS, a login host or a forms page, TMG forms-based authentication (CookieAuth.dll), a Web Application Proxy pre-authentication, a Basic challenge no front end sends, a Windows challenge on a path the front ends serve anonymously. A failure names the path, what the proxy asked for and what breaks for users.",
			Why:       "Lync/SfB clients authenticate to the front ends themselves (NTLM, MsRtcOAuth); the proxy must allow no authentication or pass-through.",
			Sources:   []string{"https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-configuration-requirements-for-reverse-proxy", "https://blog.kloud.com.au/2013/07/15/publish-lync-2013-with-2012-r2-preview-web-application-proxy/"},
		},
	},
	{
		ID: "http.backend-tls", Module: "http", Title: "The front ends' certificate suits a proxy that validates it",
		Run:    httpBackendTLS,
		Inputs: InputNetwork,
		About: About{
			Reference: "with `web_services[].backends`: each front end's certificate covers the name the proxy connects to (`web_services.internal`, else the backend's host) and chains to `tls.backend_ca_file` (`info` when that is not set); an unreachable backend is `skip`",
			What:      "With web_services[].backends: each front end's external site (4443) presents a certificate that covers the name the proxy connects to (web_services.internal, else the backend's own host) and chains to tls.backend_ca_file. Without backend_ca_file the trust is not judged (info).",
			Why:       "A proxy that validates its backend (TMG does) answers 500 for every request when the name or the chain is wrong, though the front ends work from inside.",
			Sources:   []string{"https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-configure-web-publishing-rules-for-a-single-internal-pool"},
		},
	},
	{
		ID: "http.office-web-apps", Module: "http", Title: "Office Web Apps discovery is published",
		Needs:  []string{"dns.resolves", "http.reachable"},
		Run:    httpOfficeWebApps,
		Inputs: InputNetwork,
		About: About{
			Reference: "when `office_web_apps` is set: `https://<office_web_apps>/hosting/discovery` is published on the HTTPS port and answers the WOPI discovery XML",
			What:      "When office_web_apps is set, https://<office_web_apps>/hosting/discovery is published on 443 and answers the WOPI discovery XML.",
			Why:       "PowerPoint presentation in meetings needs the Office Web Apps / Office Online Server farm reachable from outside, published on 443 (not 4443).",
			Sources:   []string{"https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-port-summary-reverse-proxy; https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-setting-up-reverse-proxy-servers"},
		},
	},
	{
		ID: "http.node-consistency", Module: "http", Title: "Every proxy node answers alike",
		Run:    httpNodeConsistency,
		Inputs: InputNetwork,
		About: About{
			Reference: "with two or more `reverse_proxy.nodes`: every node answers each page of `http.host-forwarding` alike, and each `http.paths` path plus `/cscp`, `/OcsPowerShell` the same way (status, front end or proxy); a node that differs is named (the majority, or on a tie the node that serves the page, is the reference), with the Host-forwarding diagnosis when its page comes up blank",
			What:      "With two or more reverse_proxy.nodes: each node answers the meet, dial-in, Lync Web App and lyncdiscover pages alike, and every web services path and /cscp, /OcsPowerShell the same way (status, front end or proxy); a node that differs is named, with the Host-forwarding diagnosis when its page comes up blank.",
			Why:       "Array members are configured one by one; one TMG member without Host forwarding fails only the clients the load balancer sends to it.",
			Sources:   []string{"comments 1 and 6 on https://blogs.technet.microsoft.com/drrez/2011/02/21/remote-conferencing-with-lync-web-app-with-forefront-threat-management-gateway-2010-reverse-proxy-part-1/", "http://www.confusedamused.com/notebook/lync-reverse-proxy-and-friendly-meeting-urls"},
		},
	},
	{
		ID: "affinity.sticky", Module: "affinity", Title: "Repeated connections of one client stay on one front end",
		Needs:  []string{"dns.resolves"},
		Run:    affinitySticky,
		Inputs: InputNetwork,
		About: About{
			Reference: "`affinity.connections` fresh connections (new TCP and TLS each; all at once up to 24, else 8 in flight; never more than `--concurrency`) to each external web services name ask the Autodiscover user URL, whose 401 names the front end (`X-MS-Server-Fqdn`, or `affinity.identity_header`, or the value of `affinity.identity_cookie`); once without and once with a cookie jar, spread round robin over `affinity.source_addresses` when set. Passes when several front ends exist (seen, or named by `web_services[].backends` asked directly) and each client stays on one; `info` when only one front end is known; connections spread whatever the client does: `fail` for `lync2010`, `warn` otherwise (saying that Microsoft's pages conflict); every connection on one front end with no persistence cookie (source-address persistence only): `warn` for `lync2010`, which requires MS-WSMAN cookie persistence for external clients (see *Affinity by version and balancing mode*); sticky by source address only while the configured source addresses (a NAT pool) split one client: `warn`; no front end named (a hardened proxy strips `X-MS-Server-Fqdn`): `skip` naming `affinity.identity_header` and `affinity.identity_cookie`; with `affinity.identity_cookie`, a request that carried the cookie and got no new one counts as served by the front end the cookie names. Evidence: connection → source → cookie → front end. The probe runs once per address family of the name (the first IPv4 and the first IPv6 address), and the affinity checks judge each",
			What: "affinity.connections fresh connections (new TCP and TLS each) to each external web services name ask the Autodiscover user URL, whose 401 names the front end (X-MS-Server-Fqdn, or affinity.identity_header / affinity.identity_cookie); once without and once with a cookie jar, spread over affinity.source_addresses when set. " +
				"Passes when several front ends exist (seen, or named by web_services.backends asked directly) and each client stays on one; spread whatever the client does fails for lync2010 and warns otherwise; sticky by source address only while the configured source addresses (a NAT pool) split one client warns. " +
				"Why so many connections: a verdict of \"sticky\" rests on every connection landing on one front end, and a balancer without affinity that picks at random puts N connections on one of k front ends by chance with probability k^(1-N): 1 in 16 for 5 connections over 2 front ends, about 1 in 500,000 for the default 20; the second N (with the cookie jar) is needed because cookie persistence shows only on connections that send the cookie back. The connections offer an X25519 key share only (where a connection lands does not depend on the key exchange); the run's shared handshake keeps the client defaults.",
			Why: "Lync Web App opens several separate connections while it joins a meeting; a balancer that sends them to different front ends makes \"Join meeting\" fail although the page loads. Lync 2010 requires cookie persistence for external clients; from Lync 2013 Microsoft's guidance on external affinity conflicts.",
			Sources: []string{"https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-hardware-load-balancer-requirements; https://learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/network-requirements/load-balancing; https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-technical-requirements-for-mobility",
				"http://blogs.technet.com/b/nexthop/archive/2011/11/03/hardware-load-balancer-requirements-for-lync-server-2010.aspx",
				"comment on https://blogs.technet.microsoft.com/drrez/2011/02/21/remote-conferencing-with-lync-web-app-with-forefront-threat-management-gateway-2010-reverse-proxy-part-1/"},
		},
	},
	{
		ID: "affinity.cookie", Module: "affinity", Title: "The MS-WSMAN persistence cookie follows Microsoft's rules",
		Needs:  []string{"dns.resolves"},
		Run:    affinityCookie,
		Inputs: InputNetwork,
		About: About{
			Reference: "when the balancer sets `MS-WSMAN`: not HttpOnly, no Expires/Max-Age, set on every response to a request without it (new connections, and the later requests of one keep-alive connection); a persistence cookie under another name (`BIGipServer…`, `SERVERID…`, the identity cookie) is `info` noting that Lync 2010 expects MS-WSMAN (`warn` for `lync2010`); no persistence cookie is `info`",
			What:      "When the balancer sets MS-WSMAN: it is not HttpOnly, has no Expires or Max-Age, and is set on every response whose request carried no cookie, including the second request on one keep-alive connection. A persistence cookie under another name (BIGipServer…, SERVERID…) is reported, a warning for lync2010.",
			Why:       "The web services expect exactly MS-WSMAN; an HttpOnly, persistent or once-per-connection cookie breaks cookie persistence for some requests.",
			Sources:   []string{"https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-hardware-load-balancer-requirements; https://learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/network-requirements/load-balancing", "https://docs.progress.com/bundle/loadmaster-deployment-guide-ms-lync-2013-ga/page/DNS-Only-Configuration.html"},
		},
	},
	{
		ID: "affinity.per-request", Module: "affinity", Title: "Whether requests inside one connection are balanced one by one",
		Needs:  []string{"dns.resolves"},
		Run:    affinityPerRequest,
		Inputs: InputNetwork,
		About: About{
			Reference: "`info`: whether 6 requests without cookies over one keep-alive connection reach several front ends (balanced per request, what mobile clients want from Lync 2013 on) or one",
			What:      "Several requests without cookies over one keep-alive connection: info on whether they reached several front ends (balanced per request) or one.",
			Why:       "From Lync 2013 on, mobile clients need each request in a TCP connection balanced individually (F5 OneConnect).",
			Sources:   []string{"https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-hardware-load-balancer-requirements"},
		},
	},
	{
		ID: "affinity.join-flow", Module: "affinity", Title: "A Lync Web App join stays on one front end and works",
		// The replay starts from the meet page: a page the proxy broke
		// (blank, the internal site's) proves nothing about the join.
		Needs:  []string{"dns.resolves", "http.host-forwarding", "http.blank-page"},
		Run:    affinityJoinFlow,
		Inputs: InputNetwork,
		About: About{
			Reference: "replays the Lync Web App join of `meeting_url`: the meet page, then 6 follow-ups to the web app link it gives (`/lwa`, `/Reach` in Lync 2010) on new connections opened together, as a browser's parallel connections are (one by one under `--concurrency 1`), each carrying the cookies the meet page set (from `affinity.source_addresses` in turn; the report shows them up to the first that broke); the front end of each step comes from its answer or an identity request on the same connection. `fail` when a follow-up breaks (naming whether it crossed front ends), `info` when it crossed and still worked, `skip` without `meeting_url`, when the meet page does not load, or when `http.host-forwarding` or `http.blank-page` failed for the meet name (a blank page replayed proves nothing). Replayed on every address of the meet name (a verdict that holds on some addresses only names them)",
			What:      "Replays the join of meeting_url: the meet page, then up to 6 follow-ups to the web app (/lwa, /Reach in Lync 2010) on new connections carrying the cookies the page set (from affinity.source_addresses in turn when set); reports whether the join crossed front ends and whether that broke it. Skips without meeting_url.",
			Why:       "This is the failure a comment on Microsoft's TMG remote conferencing article reports: the meeting page loads, \"Join meeting\" fails, because a later connection reached another front end.",
			Sources:   []string{"comment on https://blogs.technet.microsoft.com/drrez/2011/02/21/remote-conferencing-with-lync-web-app-with-forefront-threat-management-gateway-2010-reverse-proxy-part-1/"},
		},
	},
	{
		ID: "affinity.distribution", Module: "affinity", Title: "How new connections spread over the front ends",
		Needs:  []string{"dns.resolves"},
		Run:    affinityDistribution,
		Inputs: InputNetwork,
		About: About{
			Reference: "`info`: the fresh connections without cookies counted per front end (known front ends that got none show 0), drawn as a bar chart in the text report and as `evidence.distribution` (`[{label, count}]`) in JSON",
			What:      "Info: the fresh connections without cookies counted per front end, drawn as a bar chart in the text report and listed under evidence.distribution in JSON.",
			Why:       "Shows at a glance whether the balancer spreads clients, keeps them, or sends everything to one front end (e.g. a NAT pool behind source affinity).",
			Sources:   []string{"https://docs.progress.com/bundle/loadmaster-deployment-guide-ms-lync-2013-ga/page/DNS-Only-Configuration.html (KEMP: NATed clients show up as one address, so distribution is uneven)"},
		},
	},
	{
		ID: "edge.access", Module: "edge", Title: "The Access Edge completes TLS with a certificate covering sip.<domain>",
		Run:    edgeAccess,
		Inputs: InputNetwork,
		About: About{
			Reference: "with an `edge` in the config (the module says nothing without one): at every address `edge.access` resolves to, TCP `edge.ports.sip_tls` (443) completes TLS with a certificate covering `edge.access` and every `sip.<d>`, judged with the cert module's coverage, chain and expiry decisions; with `edge.federation: true`, TCP `edge.ports.federation` (5061) likewise, even when the server asks for a client certificate (the probe sends an empty one and keeps the chain; `evidence.client_cert_requested`). `via` = `sip_tls ADDR:PORT` or `federation ADDR:PORT`; a refused or silent port fails naming it",
			What:      "At every address edge.access resolves to, TCP edge.ports.sip_tls (443) completes TLS with a certificate that covers edge.access and sip.<d> for every SIP domain, whose chain as sent verifies and is in date (the cert module's decisions); with edge.federation, TCP edge.ports.federation (5061) likewise, even when the server asks for a client certificate (the probe sends none and keeps the chain). The dns.srv records point here.",
			Why:       "External Lync/SfB clients sign in and send IM through the Access Edge, and federated partners reach it on 5061; a certificate that misses a sip.<d> name fails for that domain's users.",
			Sources:   []string{"https://learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements"},
		},
	},
	{
		ID: "edge.webconf", Module: "edge", Title: "The Web Conferencing Edge completes TLS with a covering certificate",
		Run:    edgeWebConf,
		Inputs: InputNetwork,
		About: About{
			Reference: "TCP `edge.ports.webconf` (443) on `edge.webconf` completes TLS with a covering, trusted, current certificate; `skip` when `edge.webconf` is not set",
			What:      "At every address edge.webconf resolves to, TCP edge.ports.webconf (443) completes TLS with a certificate that covers edge.webconf, verifies and is in date. Skips when edge.webconf is not set.",
			Why:       "Meeting content (PowerPoint, whiteboard, polls: PSOM over TLS) reaches remote users through the Web Conferencing Edge; without it they join meetings and see nothing shared.",
			Sources:   []string{"https://learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements"},
		},
	},
	{
		ID: "edge.av", Module: "edge", Title: "The A/V Edge answers MS-TURN on UDP 3478 and TCP 443",
		Run:    edgeAVCheck,
		Inputs: InputNetwork,
		About: About{
			Reference: "on `edge.av`, an [MS-TURN] Allocate request without credentials over UDP `edge.ports.av_udp` (3478) and TCP `edge.ports.av_tcp` (443, MS-TURN's TCP framing) must draw the authentication challenge (401 with realm and nonce); when MS-TURN gets no answer an RFC 5389 Binding request is tried and, if only that answers, `warn`s labelled \"fallback\". UDP that gets no answer (\"UDP 3478 to av.contoso.com got no answer: audio/video will fall back to TCP 443 or fail\") warns when TCP answered and fails when not; `skip` when `edge.av` is not set",
			What:      "At every address edge.av resolves to, an MS-TURN Allocate request without credentials, on UDP edge.ports.av_udp (3478) and on TCP edge.ports.av_tcp (443, with MS-TURN's TCP framing), must draw the server's authentication challenge (401 with realm and nonce). When MS-TURN gets no answer, an RFC 5389 Binding request is tried as a fallback and labelled so (a warning: clients speak MS-TURN). UDP without an answer while TCP answers warns (media falls back to TCP), otherwise fails.",
			Why:       "Audio, video, desktop sharing and file transfer of remote users are relayed by the A/V Edge; UDP is preferred with TCP as fallback, and sharing needs TCP. A firewall that drops UDP 3478 is the commonest cause of one-way or no audio from outside.",
			Sources:   []string{"[MS-TURN] Traversal Using Relay NAT (TURN) Extensions, sections 2.1.4, 2.2.1, 2.2.2, 3.1.10, 3.3.5.1", "https://learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements"},
		},
	},
	{
		ID: "edge.summary", Module: "edge", Title: "What a remote user will have",
		Run:    edgeSummary,
		Inputs: InputNetwork,
		About: About{
			Reference: "`info`, the last line of the module: in plain words what a remote user will have (sign-in and IM, federation, meeting content, audio/video over UDP / TCP only / none, desktop and application sharing) given what answered; `evidence` lists each capability as `yes`, `no`, `TCP only` or `not checked`",
			What:      "Info: from what the Edge roles answered, in plain words, what a remote user will have: sign-in and IM, federation (when enabled), meeting content, audio/video (UDP, TCP only, or none) and desktop/application sharing; evidence lists each capability.",
			Why:       "Admins troubleshoot remote conferencing with telnet and guesswork; this says what users will and will not be able to do.",
			Sources:   []string{"https://learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements (UDP preferred with TCP fallback; sharing needs TCP)", "http://info.stapro.cz/lync/ (with only 443, voice and chat work but sharing does not)"},
		},
	},
	{
		ID: "proxy.server-names", Module: "proxy", Title: "The proxy configuration serves every published name, and not the admin URL",
		Run:    proxyServerNames,
		Inputs: InputProxyConfig,
		About: About{
			Reference: "`validate` only: every published name is served by a site of `reverse_proxy.config_files` (nginx `server_name`, exact or wildcard; Apache `ServerName`/`ServerAlias`; an HAProxy frontend's `hdr(host)`/SNI ACL; an ARR rule's `{HTTP_HOST}` condition, else the sites' bindings; regular expressions are matched); a catch-all — an nginx `default_server`, an HAProxy frontend without Host rules, an ARR rule for `*` — serves, and is judged for, only the names no other site names; a missing name fails at the first site; a site that names the admin simple URL warns",
			What:      "Offline (lyncprobe validate): every published name (web services, meet, dial-in, lyncdiscover, Office Web Apps) is served by a site of reverse_proxy.config_files — an nginx server_name, an Apache ServerName/ServerAlias, an HAProxy frontend's Host ACL (a frontend without one serves every name), an IIS ARR rule's {HTTP_HOST} condition or site binding; a site serving the admin simple URL warns.",
			Why:       "A name missing from the publishing rule is not answered by the proxy, or lands on its default site; the admin URL is internal only.",
			Sources:   []string{"http://www.confusedamused.com/notebook/lync-reverse-proxy-and-friendly-meeting-urls", "https://learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/network-requirements/simple-urls"},
			Symptoms:  "One published name (often dial-in or a second domain's meet) does not answer from outside, or shows another site, while the others work.",
			Fix:       map[string]string{"nginx": "Add the name to server_name.", "apache": "ServerName or ServerAlias in the VirtualHost.", "haproxy": "Add the name to the frontend's hdr(host) ACL.", "arr": "The rule's {HTTP_HOST} condition or a site binding for the name.", "tmg": "The rule's Public Name tab."},
		},
	},
	{
		ID: "proxy.certificate-files", Module: "proxy", Title: "The certificate files the proxy configuration names exist",
		Run:    proxyCertificateFiles,
		Inputs: InputProxyConfig,
		About: About{
			Reference: "`validate` only: each certificate file a Lync site names (`ssl_certificate`, `SSLCertificateFile`, `bind … crt`, a `crt` folder or a `crt-list`), resolved as the proxy resolves it, holds a certificate (`cert.san-coverage` then judges its names); a file not on this machine is `skip`, naming the path and how to supply it; a file there that holds no certificate fails",
			What:      "Offline (lyncprobe validate): each certificate file a site publishing a Lync name names (nginx ssl_certificate, Apache SSLCertificateFile, HAProxy bind ... crt, a crt folder or crt-list), resolved as the proxy resolves it, holds a certificate; cert.san-coverage then judges it against the names the site serves. A file that is not on this machine (keys stay on the proxy host) is a skip naming the path and how to supply it (reverse_proxy.path_map, the file's root, or tls.certificate_files); a file that is there and holds no certificate fails.",
			Why:       "A proxy whose certificate file is missing or unreadable does not start, or serves no certificate for these names.",
			Sources:   []string{"https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_certificate", "https://httpd.apache.org/docs/2.4/mod/mod_ssl.html#sslcertificatefile", "https://docs.haproxy.org/3.0/configuration.html#5.1-crt"},
			Symptoms:  "The proxy does not start after a change, or serves a default certificate: every client gets a certificate error.",
			Fix:       map[string]string{"nginx": "ssl_certificate names the chain file that exists.", "apache": "SSLCertificateFile names a file that exists.", "haproxy": "bind ... crt names a PEM file with the chain and key."},
		},
	},
	{
		ID: "proxy.timeouts", Module: "proxy", Title: "The proxy time-out suits mobile push (960 s)",
		Run:    proxyTimeouts,
		Inputs: InputProxyConfig,
		About: About{
			Reference: "`validate` only: the proxy's time-out towards the front ends (nginx `proxy_read_timeout`, 60 s by default; HAProxy `timeout server`/`tunnel`; Apache `ProxyPass … timeout=`, `ProxyTimeout`, `Timeout`, 60 s by default; ARR proxy or farm `protocol timeout`) is at least 960 s, else `warn`: needed only when mobile push is used (Office 365's push time-out is 900 s)",
			What:      "Offline (lyncprobe validate): the time-out the proxy waits for the front ends (nginx proxy_read_timeout, 60 s by default; HAProxy timeout server; Apache ProxyPass timeout=, ProxyTimeout or Timeout, 60 s by default; IIS ARR proxy or farm protocol timeout) is at least 960 s, else a warning: it matters only when mobile push notifications are used.",
			Why:       "Microsoft asks for an ARR proxy time-out of 960 s when mobile push is used, because Office 365's push notification time-out is 900 s.",
			Sources:   []string{"https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-configure-web-publishing-rules-for-a-single-internal-pool"},
			Symptoms:  "Mobile clients miss push notifications (new IMs, missed calls) when the proxy cuts the long-held request before Office 365's 900 s.",
			Fix:       map[string]string{"nginx": "proxy_read_timeout 960s;", "haproxy": "timeout server 960s", "apache": "ProxyTimeout 960", "arr": "The farm's Proxy time-out: <protocol timeout=\"00:16:00\" />."},
		},
	},
	{
		ID: "proxy.ssl-offload", Module: "proxy", Title: "IIS ARR does not offload SSL",
		Run:    proxySSLOffload,
		Inputs: InputProxyConfig,
		About: About{
			Reference: "`validate` only: an IIS ARR rule that routes HTTPS requests to the farm over `http://` (\"Enable SSL offloading\") fails: SSL offloading is not supported",
			What:      "Offline (lyncprobe validate): an IIS ARR URL Rewrite rule that routes HTTPS requests to the server farm over http:// (\"Enable SSL offloading\" ticked) fails.",
			Why:       "\"SSL Offloading by the reverse proxy is not supported\": the proxy must bridge 443 to the front ends' 4443 over TLS.",
			Symptoms:  "The web services answer for the wrong site or not at all: HTTP to the front ends' 4443 is refused, or the request lands on 8080 and Lync sees plain HTTP.",
			Fix:       map[string]string{"arr": "Clear \"Enable SSL offloading\" in the server farm's Routing Rules: the rule routes to https://<farm>/{R:0}."},
			Sources:   []string{"https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-configure-web-publishing-rules-for-a-single-internal-pool"},
		},
	},
}

// Registry returns the checks in report order.
func Registry() []Check { return append([]Check(nil), registry...) }

// Modules lists the module names --only accepts, in report order.
func Modules() []string {
	out := append([]string(nil), moduleOrder...)
	for _, c := range registry {
		if !slices.Contains(out, c.Module) {
			out = append(out, c.Module)
		}
	}
	return out
}

// moduleOrder fixes the order of modules in reports and listings.
var moduleOrder = []string{"dns", "cert", "http", "affinity", "edge", "proxy"}

package lab

import (
	"fmt"
	"slices"
	"strings"
)

// FaultSpec switches on one fault: its name and, if it takes one, its
// argument as the user wrote it ("dialin" or "dialin.contoso.test").
type FaultSpec struct{ Name, Arg string }

// String is the command-line form, NAME or NAME=ARG.
func (s FaultSpec) String() string {
	if s.Arg == "" {
		return s.Name
	}
	return s.Name + "=" + s.Arg
}

// Expect is one result that must appear to diagnose a fault.
type Expect struct {
	ID     string // check ID, e.g. dns.resolves
	Status string // "fail" or "warn"
	Target string // the FQDN or URL the result is about; "" = any
	Via    string // what the result's via must contain ("OCSP", "CRL", a node, a view, an address); "" = any
}

// FaultInfo describes one fault of the table.
type FaultInfo struct {
	Name        string
	Arg         string // "" if the fault takes no argument, else a placeholder like "NAME"
	Description string
	// Breaks and DiagnosedBy are the fault's row in docs/LAB.md's fault
	// table (Markdown), generated from them: what the fault breaks and the
	// results that show it, consequences included. Description and Must
	// stand in when they are empty. Regenerate with
	// go test ./cmd/lyncprobe -run TestGeneratedDocs -update-docs
	Breaks      string
	DiagnosedBy string
	Example     string   // the argument the table test uses
	Must        []Expect // results that must appear (given Example)
	Allowed     []string // check IDs allowed to fail, warn, skip or error as consequences
	// LB is the balancing mode the fault needs ("" = the lab's setting);
	// lab.Start applies it over Options.LB.
	LB string
	// Nodes is the least number of proxy nodes the fault needs (0 = the
	// lab's setting); lab.Start raises Options.Nodes to it.
	Nodes int
	// OWA: the fault needs the Office Web Apps host; lab.Start sets
	// Options.OWA.
	OWA bool
	// MoreExamples are further arguments the table test also runs, each
	// with the same Must and Allowed (a fault with variants).
	MoreExamples []string
	// Optional: the argument may be left out (NAME alone is a variant).
	Optional bool
	// Regions is the least number of regions (geo-DNS views) the fault
	// needs; DualStack: it needs the proxy's IPv6 listener (topology.go).
	Regions   int
	DualStack bool

	kind argKind // how the argument is read and normalised
}

// argKind says what a fault's argument is, so that every fault of one kind
// accepts the same spellings.
type argKind int

const (
	argNone   argKind = iota
	argName           // a lab host: short label or FQDN, normalised to the FQDN
	argPath           // a URL path prefix, normalised to lower case with a leading /
	argValue          // a free word the fault's behaviour interprets
	argChoice         // one of the words in Arg, separated by "|"
)

// Faults is the fault table, in the order `lyncprobe lab --list-faults`
// prints it. Adding a fault is one entry here plus its behaviour in the
// component that consults faultSet:
//   - DNS: zoneLines drops or changes zone lines (resolver-split: lab.Start
//     starts a second server whose zone splitFaults bends);
//   - certificates: Lab.proxyLeafSpec / frontEndLeafSpec bend the leafSpec
//     (names, validity, key size; bendProxyLeaf in certfaults.go), newPKI
//     decides the served chain (proxyPlan), proxyTLS each node's
//     certificate and TLS versions, the CRL site (crl.go) its addresses;
//   - front ends: startFrontEnds sets frontEnd fields (foreignHost404);
//   - proxy nodes: startProxies sets proxyNode fields (backendHost for
//     the Host rewrite, mode for affinity, cookie for MS-WSMAN).
//   - HTTP (lab/httpfaults.go): bendFrontEnd and bendProxy set the front
//     ends' and nodes' fields and the proxy's rules (names and paths it
//     answers itself, pre-authentication); FaultInfo.OWA implies --lab-owa;
//     bendFrontEndLeaf bends the front ends' certificate.
//   - Edge (lab/edge.go): edgeLeafSpec bends the Edge certificate,
//     startEdge closes a role's listener, startAVUDP drops UDP.
//   - affinity (lab/affinity.go): FaultInfo.LB implies a balancing mode,
//     bendAffinity bends the MS-WSMAN cookie, natPoolSources writes the
//     client addresses into the config, the balancer round-robins nodes.
var Faults = []FaultInfo{
	{
		Name:        "missing-dns",
		Breaks:      "the lab DNS has no record for NAME",
		DiagnosedBy: "`dns.resolves` fail (and `http.reachable` skips that name)",
		Arg:         "NAME",
		Description: "the lab DNS has no record for NAME: queries get NXDOMAIN",
		Example:     "dialin",
		Must:        []Expect{{ID: "dns.resolves", Status: "fail", Target: "dialin." + Domain}},
		// The HTTP checks skip the pages on NAME (depends on dns.resolves); so do the cert checks.
		Allowed: []string{"http.reachable", "dns.expected-address", "dns.private-address",
			"http.host-forwarding", "http.blank-page", "http.internal-name-leak", "http.preauth",
			"cert.san-coverage", "cert.tls-versions", "cert.node-consistency"},
		kind: argName,
	},
	{
		Name:        "wrong-ip",
		Breaks:      "NAME answers 127.0.0.2, not the proxy's address (nothing listens there)",
		DiagnosedBy: "`dns.expected-address` fail (`dns.private-address` warns, loopback being internal; the probes of that address are refused)",
		Arg:         "NAME",
		Description: "NAME answers 127.0.0.2, which is not the reverse proxy's address (nothing listens there; " +
			"a loopback address so that no probe leaves the machine)",
		Example: "meet",
		Must:    []Expect{{ID: "dns.expected-address", Status: "fail", Target: MeetHost}},
		// The meeting join cannot be replayed where the meet name points nowhere.
		// The HTTP checks skip the pages on NAME: nothing answers there.
		Allowed: []string{"dns.private-address", "http.reachable", "affinity.join-flow", "cert.san-coverage", "cert.tls-versions",
			"http.host-forwarding", "http.blank-page", "http.internal-name-leak", "http.preauth"},
		kind: argName,
	},
	{
		Name:        "private-ip",
		Breaks:      "NAME answers 127.0.0.3, standing in for an internal address in public DNS",
		DiagnosedBy: "`dns.private-address` warn (`dns.expected-address` fails too)",
		Arg:         "NAME",
		Description: "NAME answers 127.0.0.3, standing in for an internal address published in public DNS " +
			"(loopback counts as internal; nothing listens there)",
		Example: "dialin",
		Must:    []Expect{{ID: "dns.private-address", Status: "warn", Target: DialinHost}},
		// The HTTP checks skip the pages on NAME: nothing answers there.
		Allowed: []string{"dns.expected-address", "http.reachable", "cert.san-coverage", "cert.tls-versions",
			"http.host-forwarding", "http.blank-page", "http.internal-name-leak", "http.preauth"},
		kind: argName,
	},
	{
		Name:        "no-srv",
		Breaks:      "the lab DNS has no `_sip._tls` or `_sipfederationtls._tcp` record",
		DiagnosedBy: "`dns.srv` fail for both",
		Description: "the lab DNS has no _sip._tls or _sipfederationtls._tcp SRV record",
		Must: []Expect{
			{ID: "dns.srv", Status: "fail", Target: "_sip._tls." + Domain},
			{ID: "dns.srv", Status: "fail", Target: "_sipfederationtls._tcp." + Domain},
		},
	},
	{
		Name:        "resolver-split",
		Breaks:      "a second lab resolver, listed second in the config, has no record for meet (a secondary that has not caught up)",
		DiagnosedBy: "`dns.consistency` warn (`dns.resolves` fails on that resolver)",
		Description: "a second lab resolver, listed in the config after the first, has no record for meet " +
			"(a secondary that has not caught up)",
		Must:    []Expect{{ID: "dns.consistency", Status: "warn", Target: MeetHost}},
		Allowed: []string{"dns.resolves", "dns.expected-address", "dns.private-address"},
	},
	{
		Name:        "lyncdiscover-cname",
		Breaks:      "lyncdiscover is a CNAME to `director.contoso-dmz.test`, another domain the lab DNS also serves",
		DiagnosedBy: "`dns.lyncdiscover-cname` fail (the lab publishes no HTTP port)",
		Description: "lyncdiscover is a CNAME to director." + ForeignDomain + ", another domain " +
			"(which the lab DNS serves too, pointing at the proxy)",
		Must: []Expect{{ID: "dns.lyncdiscover-cname", Status: "fail", Target: DiscoverHost}},
	},
	{
		Name:        "missing-san",
		Breaks:      "the proxy certificate lacks NAME among its SANs",
		DiagnosedBy: "`cert.san-coverage` fail for NAME and `cert.all-names` fail naming it (`http.reachable` fails for NAME: its certificate does not verify)",
		Arg:         "NAME",
		Description: "the proxy certificate lacks NAME among its subject alternative names",
		Example:     "dialin",
		Must: []Expect{
			{ID: "cert.san-coverage", Status: "fail", Target: DialinHost},
			{ID: "cert.all-names", Status: "fail"},
		},
		// cert.subject fails too when NAME is the subject (webext).
		Allowed: []string{"http.reachable", "cert.subject"},
		kind:    argName,
	},
	{
		Name:        "expired-cert",
		Breaks:      "the proxy certificate expired yesterday",
		DiagnosedBy: "`cert.expiry` fail with the date (`http.reachable` fails)",
		Description: "the proxy certificate expired yesterday",
		Must:        []Expect{{ID: "cert.expiry", Status: "fail"}},
		Allowed:     []string{"http.reachable"},
	},
	{
		Name:        "expiring-cert",
		Breaks:      "the proxy certificate expires in 10 days, inside `tls.warn_days` (30)",
		DiagnosedBy: "`cert.expiry` warn with the date",
		Description: "the proxy certificate expires in 10 days, inside tls.warn_days (30)",
		Must:        []Expect{{ID: "cert.expiry", Status: "warn"}},
	},
	{
		Name:        "missing-intermediate",
		Breaks:      "the proxy sends its certificate without the intermediate",
		DiagnosedBy: "`cert.chain` fail: \"the server did not send the intermediate\" (`http.reachable` fails)",
		Description: "the proxy sends its certificate without the issuing CA's intermediate certificate",
		Must:        []Expect{{ID: "cert.chain", Status: "fail"}},
		Allowed:     []string{"http.reachable"},
	},
	{
		Name:        "self-signed",
		Breaks:      "the proxy serves a self-signed certificate with the right names",
		DiagnosedBy: "`cert.chain` fail: self-signed (`http.reachable` fails)",
		Description: "the proxy serves a self-signed certificate (with the right names)",
		Must:        []Expect{{ID: "cert.chain", Status: "fail"}},
		Allowed:     []string{"http.reachable"},
	},
	{
		Name:        "weak-key",
		Breaks:      "the proxy certificate has a 1024-bit RSA key",
		DiagnosedBy: "`cert.key-usage` fail",
		Description: "the proxy certificate has a 1024-bit RSA key",
		Must:        []Expect{{ID: "cert.key-usage", Status: "fail"}},
	},
	{
		Name:        "wildcard-subject",
		Breaks:      "the proxy certificate's subject is `*.contoso.test` (its SANs still list every name)",
		DiagnosedBy: "`cert.subject` fail",
		Description: "the proxy certificate's subject is *." + Domain + " (its SANs still list every name)",
		Must:        []Expect{{ID: "cert.subject", Status: "fail"}},
	},
	{
		Name:        "legacy-tls",
		Breaks:      "the proxy also accepts TLS 1.0 and 1.1",
		DiagnosedBy: "`cert.tls-versions` warn",
		Description: "the proxy also accepts TLS 1.0 and 1.1",
		Must:        []Expect{{ID: "cert.tls-versions", Status: "warn"}},
	},
	{
		Name:        "no-tls12",
		Breaks:      "the proxy stops at TLS 1.1",
		DiagnosedBy: "`cert.tls-versions` fail (everything that speaks HTTPS fails or skips: Go clients need TLS 1.2)",
		Description: "the proxy stops at TLS 1.1: clients that need TLS 1.2 cannot connect",
		Must:        []Expect{{ID: "cert.tls-versions", Status: "fail"}},
		// Everything that speaks HTTPS (with Go's TLS 1.2 floor) gets no answer.
		Allowed: []string{"http.reachable", "affinity.sticky", "affinity.cookie", "affinity.per-request",
			"affinity.join-flow", "affinity.distribution",
			"http.host-forwarding", "http.blank-page", "http.internal-name-leak", "http.lyncdiscover",
			"http.paths", "http.internal-site-exposed", "http.preauth"},
	},
	{
		Name:        "node-cert-mismatch",
		Breaks:      "implies `--lab-nodes 2`; node 2 still serves an older certificate",
		DiagnosedBy: "`cert.node-consistency` fail naming node 2",
		Description: "proxy node 2 still serves an older certificate (implies --lab-nodes 2)",
		Must:        []Expect{{ID: "cert.node-consistency", Status: "fail"}},
		Nodes:       2,
	},
	{
		Name:        "crl-unreachable",
		Breaks:      "the proxy certificate names a CRL address that hangs up",
		DiagnosedBy: "`cert.revocation` fail for that address",
		Description: "the proxy certificate names a CRL address that does not answer (it hangs up)",
		Must:        []Expect{{ID: "cert.revocation", Status: "fail"}},
	},
	{
		Name:        "revoked-cert",
		Breaks:      "the issuing CA has revoked the proxy certificate: the lab's CRL lists its serial and the lab's OCSP responder answers `revoked`",
		DiagnosedBy: "`cert.revocation` fail for the CRL (`via CRL`) and for the OCSP responder (`via OCSP`)",
		Description: "the issuing CA has revoked the proxy certificate: its CRL lists the serial and its OCSP responder answers revoked",
		Must: []Expect{
			{ID: "cert.revocation", Status: "fail", Via: "CRL"},
			{ID: "cert.revocation", Status: "fail", Via: "OCSP"},
		},
	},
	{
		Name:        "no-affinity",
		Breaks:      "the proxy array balances each new connection round robin where affinity is expected (TMG without cookie persistence); with `--lab-nodes 2` the balancer in front round-robins the nodes too (a load balancer in front of a TMG array in front of the pool, as a comment on Microsoft's TMG remote conferencing article reports)",
		DiagnosedBy: "`affinity.join-flow` fail (the join's follow-up reaches the other front end: 500 \"session not found\") and `affinity.sticky` warn (fail with `--lab-version lync2010`)",
		Description: "the proxy array balances each new connection round robin where affinity is expected " +
			"(with --lab-nodes 2 the balancer in front does too): a Lync Web App join crosses front ends and fails",
		Must: []Expect{
			{ID: "affinity.join-flow", Status: "fail", Target: "https://" + MeetHost + MeetingPath},
			{ID: "affinity.sticky", Status: "warn", Target: ExternalWeb},
		},
		LB: string(lbRoundRobin),
	},
	{
		Name:        "no-affinity-per-request",
		Breaks:      "the proxy balances each request round robin, not each connection (nginx, HAProxy and Apache without persistence), so even the requests of one keep-alive connection cross front ends; a `--lab-nodes 2` balancer in front keeps its own setting",
		DiagnosedBy: "`affinity.join-flow` fail (500 \"session not found\") and `affinity.sticky` warn (fail with `--lab-version lync2010`)",
		Description: "the proxy array balances each request round robin, not each connection (nginx, HAProxy " +
			"and Apache without persistence): the requests of one join cross front ends even on one connection",
		Must: []Expect{
			{ID: "affinity.join-flow", Status: "fail", Target: "https://" + MeetHost + MeetingPath},
			{ID: "affinity.sticky", Status: "warn", Target: ExternalWeb},
		},
		LB: string(lbPerRequest),
	},
	{
		Name:        "cookie-httponly",
		Breaks:      "MS-WSMAN is set HttpOnly (implies `--lab-lb cookie`)",
		DiagnosedBy: "`affinity.cookie` fail naming HttpOnly",
		Description: "the MS-WSMAN persistence cookie is set HttpOnly (implies --lab-lb cookie)",
		Must:        []Expect{{ID: "affinity.cookie", Status: "fail", Target: ExternalWeb}},
		LB:          string(lbCookie),
	},
	{
		Name:        "cookie-expires",
		Breaks:      "MS-WSMAN carries Expires and Max-Age=3600 (implies `--lab-lb cookie`)",
		DiagnosedBy: "`affinity.cookie` fail naming the expiry",
		Description: "the MS-WSMAN persistence cookie has Expires and Max-Age: it outlives the session (implies --lab-lb cookie)",
		Must:        []Expect{{ID: "affinity.cookie", Status: "fail", Target: ExternalWeb}},
		LB:          string(lbCookie),
	},
	{
		Name:        "cookie-once-per-connection",
		Breaks:      "MS-WSMAN is set only on the first response of each TCP connection, the insert optimisation Microsoft forbids (implies `--lab-lb cookie`)",
		DiagnosedBy: "`affinity.cookie` fail naming \"once per TCP connection\"",
		Description: "MS-WSMAN is set only on the first response of each TCP connection, the insert " +
			"optimisation Microsoft forbids (implies --lab-lb cookie)",
		Must: []Expect{{ID: "affinity.cookie", Status: "fail", Target: ExternalWeb}},
		LB:   string(lbCookie),
	},
	{
		Name:        "nat-pool",
		Breaks:      "source-address affinity (implied), and the config lists two client source addresses, 127.0.0.1 and 127.0.0.2 (a NAT pool), that the lab's hash puts on different front ends; Linux only (elsewhere the fault is refused, naming the missing loopback alias)",
		DiagnosedBy: "`affinity.sticky` warn naming the NAT-pool effect, `affinity.join-flow` fail",
		Description: "source-address affinity, and the config lists two client source addresses (127.0.0.1 and " +
			"127.0.0.2: a NAT pool) that the hash puts on different front ends (Linux only)",
		Must: []Expect{
			{ID: "affinity.sticky", Status: "warn", Target: ExternalWeb},
			{ID: "affinity.join-flow", Status: "fail", Target: "https://" + MeetHost + MeetingPath},
		},
		LB: string(lbSourceIP),
	},
	{
		Name:         "no-host-forward",
		Breaks:       "the proxy sends the internal pool name as Host (TMG without \"Forward the original host header\"); meet, dial-in and the lyncdiscover root come up blank, or with `=404` the front ends answer IIS 404",
		DiagnosedBy:  "`http.host-forwarding` fail for meet and dial-in (and lyncdiscover), the same with and without `backends`; `http.blank-page` fails (blank variant), `http.lyncdiscover` fails",
		Arg:          "404",
		Optional:     true,
		Description:  "the proxy sends the internal pool name as Host (TMG without \"Forward the original host header\"): meet and dial-in come up blank; =404 makes the front ends answer IIS 404 instead",
		Example:      "",
		MoreExamples: []string{"404"},
		Must: []Expect{
			{ID: "http.host-forwarding", Status: "fail", Target: "https://" + MeetHost + MeetingPath},
			{ID: "http.host-forwarding", Status: "fail", Target: "https://" + DialinHost},
		},
		// With =404 the join page does not load, so the join cannot be replayed.
		Allowed: []string{"http.host-forwarding", "http.blank-page", "http.lyncdiscover", "affinity.join-flow"},
		kind:    argChoice,
	},
	{
		Name:        "internal-links",
		Breaks:      "the front ends' Autodiscover documents link to `pool01.contoso.local`",
		DiagnosedBy: "`http.internal-name-leak` fail and `http.lyncdiscover` fail naming the internal name",
		Description: "the front ends advertise the internal pool name in the Autodiscover links (the external web services FQDN left at the pool's)",
		Must: []Expect{
			{ID: "http.internal-name-leak", Status: "fail", Target: "https://" + DiscoverHost},
			{ID: "http.lyncdiscover", Status: "fail", Target: "https://" + DiscoverHost},
		},
		Allowed: []string{"http.internal-name-leak"},
	},
	{
		Name:        "bridge-internal",
		Breaks:      "the proxy bridges to the front ends' internal site (443), which also serves `/cscp` and `/OcsPowerShell`",
		DiagnosedBy: "`http.internal-site-exposed` fail",
		Description: "the proxy bridges to the front ends' internal web site (443), which also serves /cscp and /OcsPowerShell, instead of the external one (4443)",
		Must:        []Expect{{ID: "http.internal-site-exposed", Status: "fail", Target: "https://" + ExternalWeb}},
	},
	{
		Name:        "unpublished-path",
		Breaks:      "the proxy answers 404 itself for PATH and below (e.g. `/abs`)",
		DiagnosedBy: "`http.paths` fail for that path, with the rule to add",
		Arg:         "PATH",
		Description: "the proxy answers 404 itself for PATH and below: its rule lists paths and leaves this one out",
		Example:     "/abs",
		Must:        []Expect{{ID: "http.paths", Status: "fail", Target: "https://" + ExternalWeb + "/abs/handler"}},
		kind:        argPath,
	},
	{
		Name:        "node-no-host-forward",
		Breaks:      "implies `--lab-nodes 2`; node 2 sends the internal pool name as Host, node 1 forwards the original (the balancer sends 127.0.0.1 to node 1)",
		DiagnosedBy: "`http.node-consistency` fail naming node 2 and the Host-forwarding diagnosis",
		Description: "proxy node 2 sends the internal pool name as Host while node 1 forwards the original (implies --lab-nodes 2): one TMG array member without host forwarding",
		Must: []Expect{
			{ID: "http.node-consistency", Status: "fail", Target: "https://" + MeetHost + MeetingPath},
			{ID: "http.node-consistency", Status: "fail", Target: "https://" + DialinHost},
		},
		// The balancer picks the node by the client's address: from some
		// addresses the public name shows the fault too.
		Allowed: []string{"http.node-consistency", "http.host-forwarding", "http.blank-page", "http.lyncdiscover"},
		Nodes:   2,
	},
	{
		Name:        "lyncdiscover-404",
		Breaks:      "the proxy does not publish lyncdiscover: it answers 404 itself",
		DiagnosedBy: "`http.lyncdiscover` fail: \"404 from the reverse proxy itself\" (`http.host-forwarding` skips it)",
		Description: "the proxy does not publish the lyncdiscover name: it answers 404 itself",
		Must:        []Expect{{ID: "http.lyncdiscover", Status: "fail", Target: "https://" + DiscoverHost}},
		Allowed:     []string{"http.host-forwarding"},
	},
	{
		Name:        "preauth",
		Breaks:      "the proxy redirects every request to TMG's forms-based logon (`/CookieAuth.dll?GetLogon`)",
		DiagnosedBy: "`http.preauth` fail; the checks that need the front ends skip (\"depends on http.preauth\"), `http.lyncdiscover` fails",
		Description: "the proxy pre-authenticates: every request is redirected to TMG's forms-based logon (CookieAuth.dll) instead of passing through",
		Must: []Expect{
			{ID: "http.preauth", Status: "fail", Target: "https://" + MeetHost + MeetingPath},
			{ID: "http.preauth", Status: "fail", Target: "https://" + DiscoverHost},
		},
		// The proxy answers everything itself: no front end names itself
		// and the join stops at the logon redirect.
		Allowed: []string{"http.preauth", "http.host-forwarding", "http.blank-page", "http.lyncdiscover", "http.paths", "http.internal-site-exposed",
			"affinity.sticky", "affinity.per-request", "affinity.join-flow", "affinity.distribution"},
	},
	{
		Name:        "partial-preauth",
		Breaks:      "the proxy pre-authenticates some paths and lets the meeting pages through: a Basic challenge (realm \"Contoso staff\") on `/abs` and `/CertProv`, a redirect to `https://sso.contoso.test/idp/signin` on `/GroupExpansion`",
		DiagnosedBy: "`http.preauth` fail for each of the three paths, naming the challenge or the login host and what breaks; `http.paths` skips them (\"depends on http.preauth\")",
		Description: "the proxy pre-authenticates some web services paths and lets the meeting pages through: a Basic challenge on " +
			"/abs and /CertProv (nginx auth_basic), a redirect to the login host " + LoginHost + " on /GroupExpansion",
		Must: []Expect{
			{ID: "http.preauth", Status: "fail", Target: "https://" + ExternalWeb + "/abs/handler"},
			{ID: "http.preauth", Status: "fail", Target: "https://" + ExternalWeb + "/CertProv/CertProvisioningService.svc"},
			{ID: "http.preauth", Status: "fail", Target: "https://" + ExternalWeb + "/GroupExpansion/service.svc"},
		},
		// http.paths cannot tell whether a front end would answer behind the login.
		Allowed: []string{"http.paths"},
	},
	{
		Name:        "backend-cert-mismatch",
		Breaks:      "the front ends' certificate names fe01/fe02 but not `pool01.contoso.local`, which the proxy verifies: it answers 500 \"The target principal name is incorrect\"",
		DiagnosedBy: "`http.backend-tls` fail for each backend; the checks that need the front ends skip, `http.lyncdiscover` fails",
		Description: "the front ends' certificate names the servers but not the pool the proxy connects to: the proxy, which validates its backend like TMG, answers 500",
		Must:        []Expect{{ID: "http.backend-tls", Status: "fail", Target: ExternalWeb}},
		// Every request through the proxy gets its 500: no front end names
		// itself and the join page does not load.
		Allowed: []string{"http.host-forwarding", "http.lyncdiscover", "http.paths", "http.internal-site-exposed",
			"affinity.sticky", "affinity.per-request", "affinity.join-flow", "affinity.distribution"},
	},
	{
		Name:        "owa-unpublished",
		Breaks:      "implies `--lab-owa`; the proxy does not publish `owa.contoso.test`: it answers 404 itself",
		DiagnosedBy: "`http.office-web-apps` fail",
		Description: "the proxy does not publish the Office Web Apps name (implies --lab-owa): it answers 404 itself",
		Must:        []Expect{{ID: "http.office-web-apps", Status: "fail", Target: "https://" + OWAHost + "/hosting/discovery"}},
		OWA:         true,
	},
	{
		Name:        "edge-no-udp",
		Breaks:      "the A/V Edge's UDP port drops every datagram (a firewall dropping UDP 3478); TCP still answers",
		DiagnosedBy: "`edge.av` warn: \"got no answer: audio/video will fall back to TCP … or fail\" (`edge.summary`: audio/video TCP only)",
		Description: "the A/V Edge's UDP port drops every datagram, as a firewall that drops UDP 3478 does (TCP still answers)",
		Must:        []Expect{{ID: "edge.av", Status: "warn", Target: AVEdge}},
	},
	{
		Name:        "edge-cert-missing-sip",
		Breaks:      "the Edge certificate lacks `sip.contoso.test` among its SANs (it is only the CN)",
		DiagnosedBy: "`edge.access` fail for 443 and 5061, naming the missing name",
		Description: "the Edge certificate lacks " + AccessEdge + " among its SANs (it is only the subject CN)",
		Must:        []Expect{{ID: "edge.access", Status: "fail", Target: AccessEdge}},
	},
	{
		Name:        "edge-no-federation",
		Breaks:      "the Access Edge's federation port is closed",
		DiagnosedBy: "`edge.access` fail (`via federation …`): refused",
		Description: "the Access Edge's federation port (5061) is closed: connections are refused",
		Must:        []Expect{{ID: "edge.access", Status: "fail", Target: AccessEdge}},
	},
	{
		Name:        "edge-no-webconf",
		Breaks:      "the Web Conferencing Edge's listener is closed",
		DiagnosedBy: "`edge.webconf` fail: refused",
		Description: "the Web Conferencing Edge's listener is closed: connections are refused",
		Must:        []Expect{{ID: "edge.webconf", Status: "fail", Target: WebConfEdge}},
	},
	{
		Name:        "region-record",
		Breaks:      "implies `--lab-regions 2`; region2's view answers meet with region1's proxy address (`other-region`) or with 127.0.1.99, an address region2's proxy no longer has (`retired`)",
		DiagnosedBy: "`dns.expected-address` fail for meet via `resolver … in view region2`, naming view region1's address for `other-region` (`retired`: `dns.private-address` warns too, and the probes of that address are refused)",
		Arg:         "other-region|retired",
		Description: "two regions (geo-DNS views); region2's view answers meet with region1's proxy address " +
			"(other-region) or with " + retiredIP + ", an address region2's proxy no longer has (retired; nothing listens there)",
		Example:      "other-region",
		MoreExamples: []string{"retired"},
		Must:         []Expect{{ID: "dns.expected-address", Status: "fail", Target: MeetHost, Via: "view " + RegionName(2)}},
		// retired: nothing answers at the address, so the pages on meet
		// cannot be probed there, and loopback counts as internal.
		Allowed: []string{"dns.private-address", "http.reachable", "affinity.join-flow", "cert.san-coverage", "cert.tls-versions",
			"http.host-forwarding", "http.blank-page", "http.internal-name-leak", "http.preauth"},
		Regions: 2,
		kind:    argChoice,
	},
	{
		Name:        "ipv6-host-rewrite",
		Breaks:      "implies `--lab-dual-stack`; only the proxy's IPv6 listener sends the internal pool name as Host",
		DiagnosedBy: "`http.host-forwarding` fail for meet, dial-in and lyncdiscover via `address ::1` only (`http.blank-page` and `http.lyncdiscover` fail there too)",
		Description: "dual stack, and only the proxy's IPv6 listener ([" + IPv6Addr + "]) sends the internal pool name as Host: " +
			"meet and dial-in come up blank over IPv6 alone",
		Must: []Expect{
			{ID: "http.host-forwarding", Status: "fail", Target: "https://" + MeetHost + MeetingPath, Via: "address " + IPv6Addr},
			{ID: "http.host-forwarding", Status: "fail", Target: "https://" + DialinHost, Via: "address " + IPv6Addr},
			{ID: "http.host-forwarding", Status: "fail", Target: "https://" + DiscoverHost, Via: "address " + IPv6Addr},
		},
		// Over IPv6 the pages and the Autodiscover root come up blank too.
		Allowed:   []string{"http.blank-page", "http.lyncdiscover", "affinity.join-flow"},
		DualStack: true,
	},
	{
		Name:        "ipv6-wrong-cert",
		Breaks:      "implies `--lab-dual-stack`; only the proxy's IPv6 listener (`[::1]`) serves another certificate, one without `dialin.contoso.test`",
		DiagnosedBy: "`cert.san-coverage` fail for dial-in via `address ::1` only, and `http.reachable` fails there (its certificate does not verify)",
		Description: "dual stack, and only the proxy's IPv6 listener ([" + IPv6Addr + "]) serves another certificate, " +
			"one without " + DialinHost,
		Must: []Expect{
			{ID: "cert.san-coverage", Status: "fail", Target: DialinHost, Via: "address " + IPv6Addr},
			{ID: "http.reachable", Status: "fail", Target: "https://" + DialinHost, Via: "address " + IPv6Addr},
		},
		Allowed:   []string{"cert.all-names", "cert.node-consistency", "cert.san-coverage"},
		DualStack: true,
	},
	{
		Name:        "http-closed",
		Breaks:      "implies `--lab-discover-http-only`; the config's `reverse_proxy.http_port` is a port where nothing answers",
		DiagnosedBy: "`http.lyncdiscover` fail for `http://lyncdiscover.contoso.test`: \"nothing answers over HTTP on port …\"",
		Description: "lyncdiscover is published over HTTP only (lyncdiscover_http_only) and the config's reverse_proxy.http_port " +
			"is a port where nothing answers",
		Must: []Expect{{ID: "http.lyncdiscover", Status: "fail", Target: "http://" + DiscoverHost}},
	},
	{
		Name:        "http-to-https",
		Breaks:      "implies `--lab-discover-http-only`; the HTTP port answers 301 to `https://lyncdiscover.contoso.test`, which the certificate does not cover",
		DiagnosedBy: "`http.lyncdiscover` fail: \"the HTTP fallback is gone\"",
		Description: "lyncdiscover is published over HTTP only, and the HTTP port answers 301 to https://" + DiscoverHost +
			", which the certificate does not cover: the HTTP fallback is gone",
		Must: []Expect{{ID: "http.lyncdiscover", Status: "fail", Target: "http://" + DiscoverHost}},
	},
}

// ParseFault reads NAME or NAME=ARG as given on the command line.
func ParseFault(s string) (FaultSpec, error) {
	name, arg, _ := strings.Cut(strings.TrimSpace(s), "=")
	spec := FaultSpec{Name: strings.TrimSpace(name), Arg: strings.TrimSpace(arg)}
	if _, err := spec.normalise(); err != nil {
		return FaultSpec{}, err
	}
	return spec, nil
}

func lookupFault(name string) (FaultInfo, error) {
	i := slices.IndexFunc(Faults, func(f FaultInfo) bool { return f.Name == name })
	if i < 0 {
		return FaultInfo{}, fmt.Errorf("unknown fault %q; valid faults: %s", name, faultNames())
	}
	return Faults[i], nil
}

func faultNames() string {
	var names []string
	for _, f := range Faults {
		names = append(names, f.Usage())
	}
	return strings.Join(names, ", ")
}

// Usage is how the fault is written: NAME, NAME=ARG, or NAME[=ARG] when
// the argument is optional.
func (f FaultInfo) Usage() string {
	switch {
	case f.Arg == "":
		return f.Name
	case f.Optional:
		return f.Name + "[=" + f.Arg + "]"
	}
	return f.Name + "=" + f.Arg
}

// normalise checks the spec against the table and returns its argument in
// canonical form (an FQDN for names, a lower-case prefix for paths).
func (s FaultSpec) normalise() (string, error) {
	f, err := lookupFault(s.Name)
	if err != nil {
		return "", err
	}
	switch {
	case f.kind == argNone && s.Arg != "":
		return "", fmt.Errorf("fault %s takes no argument (got %q); valid faults: %s", s.Name, s.Arg, faultNames())
	case f.kind != argNone && s.Arg == "" && !f.Optional:
		return "", fmt.Errorf("fault %s needs an argument: %s=%s (e.g. %s=%s); valid faults: %s",
			s.Name, s.Name, f.Arg, s.Name, f.Example, faultNames())
	}
	return normaliseArg(f, s.Arg)
}

func normaliseArg(f FaultInfo, arg string) (string, error) {
	switch f.kind {
	case argName:
		fqdn := hostFQDN(arg)
		if !slices.Contains(zoneHosts(), fqdn) {
			return "", fmt.Errorf("fault %s: %q is not a lab name; want one of %s (or its FQDN)",
				f.Name, arg, strings.Join(hostLabels, ", "))
		}
		return fqdn, nil
	case argPath:
		return "/" + strings.TrimLeft(strings.ToLower(arg), "/"), nil
	case argChoice:
		choices := strings.Split(f.Arg, "|")
		if arg != "" && !slices.Contains(choices, strings.ToLower(arg)) {
			return "", fmt.Errorf("fault %s: %q is not one of %s", f.Name, arg, strings.Join(choices, ", "))
		}
		return strings.ToLower(arg), nil
	}
	return arg, nil
}

// faultSet is what the components consult: which faults are on, with
// which (normalised) arguments. The zero value has every fault off.
type faultSet map[string][]string

func newFaultSet(specs []FaultSpec) (faultSet, error) {
	fs := faultSet{}
	for _, s := range specs {
		arg, err := s.normalise()
		if err != nil {
			return nil, err
		}
		fs[s.Name] = append(fs[s.Name], arg)
	}
	return fs, nil
}

// has reports whether the fault is switched on (with any argument).
func (fs faultSet) has(name string) bool { _, ok := fs[name]; return ok }

// arg is the fault's first argument, "" when it is off.
func (fs faultSet) arg(name string) string {
	if a := fs[name]; len(a) > 0 {
		return a[0]
	}
	return ""
}

// hasArg reports whether the fault is on for this (normalised) argument;
// a fault may be given several times with different arguments.
func (fs faultSet) hasArg(name, arg string) bool { return slices.Contains(fs[name], arg) }

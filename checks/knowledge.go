package checks

// knowledge holds the symptoms and per-family fixes of the checks whose
// remedies are family-specific. It is kept apart from registry.go because
// the text is long; init copies it into each check's About. Every fact
// here is one the check's remedy already states (each check's Sources name where).
var knowledge = map[string]struct {
	Symptoms string
	Fix      map[string]string
}{
	"http.host-forwarding": {
		Symptoms: "The meet and dial-in pages come up blank (or with an IIS 404) from outside while Lync Web App, Autodiscover and the other web components work: Lync routes meet and dial-in by the Host header on one IIS site (confusedamused.com, \"Lync reverse proxy and friendly meeting URLs\").",
		Fix: map[string]string{
			"tmg":     `On the web publishing rule's To tab, tick "Forward the original host header instead of the actual one specified in the Internal site name field".`,
			"nginx":   "proxy_set_header Host $host; (or $http_host) in the location that proxies to the pool: nginx sends the proxy_pass name by default.",
			"apache":  "ProxyPreserveHost On (it is Off by default).",
			"arr":     `<proxy preserveHostHeader="true" /> in system.webServer/proxy.`,
			"haproxy": "Remove the http-request set-header Host rewrite from the backend.",
			"wap":     "Publish with the same host name in -ExternalUrl and -BackendServerUrl.",
		},
	},
	"http.internal-site-exposed": {
		Symptoms: "The Control Panel (/cscp) and the remote PowerShell endpoint (/OcsPowerShell) answer from the internet: the proxy bridges to the front ends' internal site (443) instead of the external one (4443) (Microsoft: Lync Server 2013 port summary for the reverse proxy).",
		Fix: map[string]string{
			"all":     "Until the bridge is fixed, block /cscp and /OcsPowerShell on the proxy.",
			"tmg":     `Bridging tab: "Redirect requests to SSL port" 4443 (HTTP 8080).`,
			"nginx":   "proxy_pass https://<pool>:4443;",
			"apache":  "ProxyPass / https://<pool>:4443/",
			"arr":     "The server farm's httpsPort 4443 (httpPort 8080).",
			"haproxy": "server lines on :4443.",
			"wap":     "-BackendServerUrl https://<pool>:4443/",
		},
	},
	"http.paths": {
		Symptoms: "The feature behind the unpublished path fails from outside only (e.g. the address book at /abs, group expansion, certificate provisioning, Autodiscover) while the published pages work: the proxy publishes a list of paths, not the whole external site (Microsoft: Lync Server 2013 reverse proxy configuration requirements).",
		Fix: map[string]string{
			"tmg":     "The rule's Paths tab holds /*.",
			"nginx":   "location / { proxy_pass https://<pool>:4443; }",
			"apache":  "ProxyPass / https://<pool>:4443/",
			"arr":     "The URL Rewrite rule matches * and routes to the farm.",
			"haproxy": "No ACL denies or diverts the path.",
			"wap":     "-BackendServerUrl https://<pool>:4443/ (the whole site).",
		},
	},
	"http.preauth": {
		Symptoms: "Lync/SfB clients and mobile apps cannot sign in from outside and the meeting join shows a login page; or, where only some paths are pre-authenticated, the meeting join works but the address book (/abs), distribution-list expansion (/GroupExpansion), client certificates (/CertProv) or mobile sign-in (/ucwa, /mcx, Autodiscover) fail: the proxy asks for its own authentication, which the clients cannot answer (Microsoft: Lync Server 2013 reverse proxy configuration requirements).",
		Fix: map[string]string{
			"tmg":    `The listener's authentication is "No Authentication" and the rule's delegation "No delegation, but client may authenticate directly".`,
			"wap":    "-ExternalPreauthentication PassThrough.",
			"f5":     "No APM access policy on these names.",
			"nginx":  "No auth_request or login redirect on these names.",
			"apache": "No authentication or login redirect on these names.",
		},
	},
	"affinity.sticky": {
		Symptoms: "A meeting join through Lync Web App fails part way (its requests reach different front ends), and mobile sign-in \"ping-pongs\" between servers and fails (confusedamused.com on TMG and Lync).",
		Fix: map[string]string{
			"all":  "Keep one client on one front end: source-address affinity on the load balancer in front of the reverse-proxy array, or cookie persistence with a cookie named MS-WSMAN.",
			"tmg":  "TMG's own cookie affinity needs forms-based authentication, which Lync cannot use: put source-address affinity on the balancer in front of the TMG array (Windows NLB port rule Affinity \"Single\").",
			"f5":   "Source-address persistence (or MS-WSMAN cookie persistence).",
			"kemp": "Source-address persistence; NATed clients show up as one or several IPs, so add MS-WSMAN cookie persistence when clients sit behind a NAT pool.",
		},
	},
	"affinity.cookie": {
		Symptoms: "Where cookie persistence is needed (Lync 2010 external clients and CU4 mobility), requests of one client reach different front ends, so sign-in and meeting joins fail: the web services expect a cookie named MS-WSMAN, which the client must be able to read (not HttpOnly) and which must be set on every response to a request without it (Microsoft: Lync Server 2013 hardware load balancer requirements).",
		Fix: map[string]string{
			"all":  "Cookie persistence named MS-WSMAN, not HttpOnly, no Expires or Max-Age (a session cookie), inserted in every response whose request carried no cookie, even later ones on the same TCP connection (no once-per-connection insert optimisation).",
			"tmg":  "TMG's cookie persistence works only with forms-based authentication, which Lync cannot use: set the MS-WSMAN cookie on a balancer in front of TMG.",
			"kemp": "KEMP's Lync deployment guide states the same MS-WSMAN rules for its cookie persistence.",
		},
	},
	"cert.chain": {
		Symptoms: "Desktop clients may still connect (Windows fetches missing intermediates) while iOS and Android Lync sign-in fails with \"Can't connect to the server\" (a missing intermediate on a KEMP balancer did this: blogs.bricomp.com, KEMP-HLB).",
		Fix: map[string]string{
			"tmg":     "Import the intermediates into the computer's Intermediate Certification Authorities store.",
			"arr":     "Import the root and intermediates into the computer stores (ARR warns when intermediates are missing).",
			"wap":     "Import the intermediates into the computer's Intermediate Certification Authorities store.",
			"nginx":   "ssl_certificate names a file with the leaf then the intermediates.",
			"haproxy": "The crt PEM holds the leaf, the intermediates and the key.",
			"apache":  "SSLCertificateFile with the chain appended (2.4.8+).",
			"f5":      "The client SSL profile's Chain.",
			"kemp":    "Add the intermediate under Certificates.",
		},
	},
}

func init() {
	for i := range registry {
		if k, ok := knowledge[registry[i].ID]; ok {
			registry[i].About.Symptoms, registry[i].About.Fix = k.Symptoms, k.Fix
		}
		if registry[i].Module == "affinity" {
			registry[i].About.Rules = AffinityRules
		}
	}
}

// CheckByID returns the check with id from the catalogue.
func CheckByID(id string) (Check, bool) {
	for _, c := range registry {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

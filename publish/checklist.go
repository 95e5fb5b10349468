package publish

// TMG and WAP are configured in a console or PowerShell, not from a
// file: publish prints their rule settings as a numbered checklist.
func init() {
	register("tmg", tmgTemplate)
	register("wap", wapTemplate)
}

const tmgTemplate = `Forefront TMG 2010: web publishing rules for {{.Name}} ({{.Version}}), written by lyncprobe publish.
Source for every step unless another is named: {{src "rules"}}

{{range $i, $pool := .Pools}}Rule {{add $i 1}}: {{join .Names ", "}}
 1. New Web Site Publishing Rule, action Allow; "Publish a single Web site or load balancer".
 2. Server connection security: "Use SSL to connect to the published Web server"; never SSL offloading ("SSL Offloading by the reverse proxy is not supported").
 3. Internal site name: {{range $j, $s := .Servers}}{{if $j}}, {{end}}{{$s.Host}}{{end}} (a server farm when there are several); path /*: publish all the web site's content ({{src "require"}}).
 4. Public Name tab: exactly {{join .Names ", "}}{{if $.Admin}} - never {{$.Admin}}, the admin simple URL ({{src "simple"}}){{end}}.
 5. Web listener: port {{$.HTTPSPort}} (HTTPS){{if $.HTTPPort}} and {{$.HTTPPort}} (HTTP){{end}}, the certificate that names every published name with its intermediates ({{src "cert"}}), authentication "No Authentication".
 6. Authentication delegation: "No delegation, but client may authenticate directly"; users: All Users.
 7. To tab: "Forward the original host header instead of the actual one" checked ({{src "require"}}); "Requests appear to come from the Forefront TMG computer".
 8. Bridging tab: redirect HTTP requests to port {{if .OWA}}80{{else}}8080{{end}} and SSL requests to port {{if .OWA}}443{{else}}4443{{end}}: {{if .OWA}}Office Web Apps Server is published on 443/80{{else}}the front ends' external web site, which has no /cscp or /OcsPowerShell{{end}} ({{src "ports"}}).
 9. Time-out (listener Connections, and the rule's web farm): 960 s (16 minutes) or more, for mobile push: Office 365's push time-out is 900 s.
10. Persistence: {{if $.Cookie}}Lync Server 2010 needs the MS-WSMAN cookie (not HttpOnly, no expiry, set on every response: {{src "hlb"}}); TMG's cookie persistence works only with forms-based listeners, which Lync cannot use, so put a load balancer that sets MS-WSMAN behind TMG{{else}}source-address persistence (web farm "Client IP address" affinity) keeps each client on one front end ({{src "lb"}}){{end}}.
11. Test the rule ("Test Rule"), then: lyncprobe check -c lyncprobe.yaml
{{end}}`

const wapTemplate = `Web Application Proxy: publishing for {{.Name}} ({{.Version}}), written by lyncprobe publish.
Source for the rules: {{src "require"}}; the cmdlet: {{src "wap"}}

 1. Import the certificate that names every published name, with its intermediates, into the computer's Personal store ({{src "cert"}}); note its thumbprint.
 2. Pre-authentication: PassThrough for every Lync application (the clients cannot use AD FS pre-authentication).
 3. Each application's backend is the front ends' external web site on 4443 ({{src "ports"}}), behind a load balancer with {{if .Cookie}}the MS-WSMAN cookie (Lync Server 2010: not HttpOnly, no expiry, set on every response; {{src "hlb"}}){{else}}source-address persistence ({{src "lb"}}){{end}}: WAP itself neither balances nor keeps a client on one server.
 4. Host header: use the same host name in -BackendServerUrl as in -ExternalUrl, so that the front ends receive the published name ({{src "require"}}); keep URL translation off.
 5. Publish only these names on port {{.HTTPSPort}}{{if .Admin}}; never {{.Admin}}, the admin simple URL ({{src "simple"}}){{end}}; never the internal web site on 443 (/cscp, /OcsPowerShell).
 6. Time-out: -InactiveTransactionsTimeoutSec 960 or more, for mobile push (Office 365's push time-out is 900 s; {{src "rules"}}).
 7. Run, in PowerShell as administrator (replace CHANGE-ME with the thumbprint):

$thumb = "CHANGE-ME"
{{- range .Pools}}{{$pool := .}}{{range .Names}}
Add-WebApplicationProxyApplication -Name "Lync {{.}}" -ExternalPreauthentication PassThrough -ExternalUrl "https://{{.}}/" -BackendServerUrl "https://{{.}}:{{if $pool.OWA}}443{{else}}4443{{end}}/" -ExternalCertificateThumbprint $thumb -DisableTranslateUrlInRequestHeaders -DisableTranslateUrlInResponseHeaders -InactiveTransactionsTimeoutSec 960
{{- end}}{{end}}

 8. Make each name resolve, on the WAP server, to the front ends' load balancer (a hosts file entry or internal DNS), then: lyncprobe check -c lyncprobe.yaml
`

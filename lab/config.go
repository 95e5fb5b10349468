package lab

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"text/template"
)

// configFile is the name of the config Start writes into Dir.
const configFile = "lyncprobe.yaml"

// configData is what the config template needs.
type configData struct {
	Version    string
	Addr       string
	Port       int
	Backends   []string
	Nodes      []string // only when there is more than one node
	SIPTLS     int
	Federation int
	DNS        []string // the resolvers, primary first
	// SourceAddresses are the client addresses of the nat-pool fault.
	SourceAddresses []string
	OWA             string // the Office Web Apps name under --lab-owa
	IdentityCookie  string // affinity.identity_cookie (--lab-hardened)
	Edge            edgeConfig
	CertFiles       string       // tls.certificate_files' items
	Addrs           []string     // the proxy's addresses (two under dual stack)
	Views           []viewConfig // one per region under Options.Regions
	HTTPPort        int          // the published HTTP port; 0 = not published
	// DiscoverHTTPOnly: lyncdiscover is published over HTTP only.
	DiscoverHTTPOnly bool
}

// The config is written from a template rather than a YAML library so
// that it reads like docs/CONFIG.md's example; every address is quoted so
// that IPv6 literals stay one YAML string.
var configTemplate = template.Must(template.New("config").Funcs(template.FuncMap{
	"q":    strconv.Quote,
	"list": quoteList,
}).Parse(`# The lyncprobe lab, written by lab.Start; the ports change on every start.
name: lab
version: {{.Version}}
sip_domains: [` + Domain + `]
web_services:
  - external: ` + ExternalWeb + `
    internal: ` + PoolFQDN + `
    backends: [{{list .Backends}}]
simple_urls:
  meet: [https://` + MeetHost + `]
  dialin: https://` + DialinHost + `
  admin: https://` + AdminHost + `      # not in public DNS, as it should be
meeting_url: https://` + MeetHost + MeetingPath + `
{{- if .DiscoverHTTPOnly}}
lyncdiscover_http_only: true   # the certificate leaves lyncdiscover out (supported, not recommended)
{{- end}}
{{- if .OWA}}
office_web_apps: {{.OWA}}
{{- end}}
reverse_proxy:
{{- if not .Views}}
  addresses: [{{list .Addrs}}]
{{- end}}
  port: {{.Port}}
  http_port: {{.HTTPPort}}
{{- if .Nodes}}
  nodes: [{{list .Nodes}}]
{{- end}}
edge:
  access: ` + AccessEdge + `
  addresses: [{{q .Addr}}]
  webconf: {{.Edge.WebConf}}
  av: {{.Edge.AV}}
  federation: true
  ports: {sip_tls: {{.SIPTLS}}, federation: {{.Federation}}, webconf: {{.Edge.WebConfPort}}, av_udp: {{.Edge.AVUDP}}, av_tcp: {{.Edge.AVTCP}}}
dns:
{{- if .Views}}
  views:                 # geo-DNS: each region's resolver gives its own proxy's address
{{- range .Views}}
    - name: {{.Name}}
      resolvers: [{{q .Resolver}}]
      proxy_addresses: [{{list .Proxy}}]
      edge_addresses: [{{q .Edge}}]
{{- end}}
{{- else}}
  resolvers: [{{list .DNS}}]
{{- end}}
tls:
  ca_file: ca.pem
  backend_ca_file: internal-ca.pem
  warn_days: 30
  certificate_files: [{{.CertFiles}}]   # the proxy's chains as served, for lyncprobe cert inspect
affinity:
  connections: 20
{{- if .SourceAddresses}}
  source_addresses: [{{list .SourceAddresses}}]   # a NAT pool: one client, several addresses
{{- end}}
{{- if .IdentityCookie}}
  identity_cookie: {{.IdentityCookie}}   # the proxy strips X-MS-Server-Fqdn; the persistence cookie names the front end
{{- end}}
`))

func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

func writeConfig(path string, d configData) error {
	var buf bytes.Buffer
	if err := configTemplate.Execute(&buf, d); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

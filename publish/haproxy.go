package publish

// The HAProxy configuration: a complete haproxy.cfg.
func init() { register("haproxy", haproxyTemplate) }

const haproxyTemplate = `# Lync/Skype for Business external web services for {{.Name}} ({{.Version}}), written by lyncprobe publish.
# A complete haproxy.cfg: replace the certificate path (one PEM file with the
# chain and the key), then run "haproxy -c -f haproxy.cfg" and
# "lyncprobe validate".
#
# Not published, on purpose:{{if .Admin}}
# - {{.Admin}}: the admin simple URL opens the Control Panel and stays inside
#   ({{src "simple"}}).{{end}}
# - the front ends' internal web site (443/80), which holds /cscp and
#   /OcsPowerShell: every backend below is the external site, 4443 and 8080,
#   which has neither ({{src "ports"}}).

global
    maxconn 4096
    # TLS 1.2 and later towards clients.
    ssl-default-bind-options ssl-min-ver TLSv1.2

defaults
    mode http
    option httplog
    timeout connect 5s
    # Rule: mobile push needs 960 s (16 minutes): Office 365's push time-out
    # is 900 s ({{src "rules"}}).
    timeout client 960s
    timeout server 960s

frontend lync_https
{{- range bind .Listen .HTTPSPort}}
    # Rule: the certificate names every published name, with its
    # intermediates ({{src "cert"}}).
    bind {{.}} ssl crt {{$.CertFile}}
{{- end}}
    # Rule: the client's Host header goes to the front ends unchanged:
    # HAProxy forwards it as received ({{src "require"}}).
{{- range .Pools}}
    acl host_{{.Group}} req.hdr(host),host_only -i {{join .Names " "}}
    use_backend {{.Group}} if host_{{.Group}}
{{- end}}
{{- if .HTTPPort}}

frontend lync_http
{{- range bind .Listen .HTTPPort}}
    bind {{.}}
{{- end}}
{{- range .Pools}}
    acl host_{{.Group}} req.hdr(host),host_only -i {{join .Names " "}}
    use_backend {{.Group}}_http if host_{{.Group}}
{{- end}}
{{- end}}
{{range .Pools}}
# Backend {{.Group}}: {{join .Names ", "}}.
{{- if .OWA}}
# Rule: Office Web Apps Server is published on 443, not 4443 ({{src "ports"}}).
{{- else}}
# Rule: bridge 443 to the front ends' external web site on 4443, re-encrypted:
# SSL offloading is not supported ({{src "ports"}}; {{src "rules"}}).
{{- end}}
backend {{.Group}}
{{- template "persist" $}}
{{- range .Servers}}
    server {{.ID}} {{.Addr}} ssl verify none{{if $.Cookie}} cookie {{.ID}}{{end}}
{{- end}}
{{- if $.HTTPPort}}

# Rule: bridge 80 to the external web site on 8080 ({{src "ports"}}).
backend {{.Group}}_http
{{- template "persist" $}}
{{- range .HTTPServers}}
    server {{.ID}} {{.Addr}}{{if $.Cookie}} cookie {{.ID}}{{end}}
{{- end}}
{{- end}}
{{end}}
{{- define "persist"}}
{{- if .Cookie}}
    # Rule: Lync Server 2010 needs cookie persistence named MS-WSMAN, not
    # HttpOnly, with no expiry, set on every response: no "indirect", no
    # "httponly", no Max-Age or Expires ({{src "hlb"}}).
    balance roundrobin
    cookie MS-WSMAN insert nocache
{{- else}}
    # Rule: source-address persistence keeps each client on one front end
    # ({{src "lb"}}; {{src "mobility"}}).
    balance source
{{- end}}
{{- end}}`

package publish

// The Apache httpd site: one VirtualHost per pool and port.
func init() { register("apache", apacheTemplate) }

const apacheTemplate = `# Lync/Skype for Business external web services for {{.Name}} ({{.Version}}), written by lyncprobe publish.
# Put this file in sites-available/ (Debian: a2ensite) or conf.d/, replace the
# certificate paths, then run "apache2ctl -t" and "lyncprobe validate".
# Modules: ssl, proxy, proxy_http, proxy_balancer, lbmethod_byrequests,
# slotmem_shm, socache_shmcb, headers (Debian: a2enmod ssl proxy_http
# proxy_balancer lbmethod_byrequests headers).
#
# Not published, on purpose:{{if .Admin}}
# - {{.Admin}}: the admin simple URL opens the Control Panel and stays inside
#   ({{src "simple"}}).{{end}}
# - the front ends' internal web site (443/80), which holds /cscp and
#   /OcsPowerShell: every balancer below is the external site, 4443 and 8080,
#   which has neither ({{src "ports"}}).
{{- if .Listen}}
{{range listen .Listen .HTTPSPort}}
Listen {{.}}
{{- end}}
{{- if .HTTPPort}}{{range listen .Listen .HTTPPort}}
Listen {{.}}
{{- end}}{{end}}
{{- else}}
# Listen {{.HTTPSPort}}{{if .HTTPPort}} and {{.HTTPPort}}{{end}}: Debian's ports.conf already has them.
{{- end}}
{{range .Pools}}{{$pool := .}}
# {{join .Names ", "}}.
{{- if .OWA}}
# Rule: Office Web Apps Server is published on 443 and 80, not 4443/8080
# ({{src "ports"}}).
{{- else}}
# Rule: bridge 443 to the front ends' external web site on 4443, re-encrypted:
# SSL offloading is not supported ({{src "ports"}}; {{src "rules"}}).
{{- end}}
<VirtualHost {{range $i, $a := listen $.Listen $.HTTPSPort}}{{if $i}} {{end}}{{if $.Listen}}{{$a}}{{else}}*:{{$a}}{{end}}{{end}}>
    ServerName {{index .Names 0}}
{{- if gt (len .Names) 1}}
    ServerAlias{{range $i, $n := .Names}}{{if $i}} {{$n}}{{end}}{{end}}
{{- end}}
    # Rule: the certificate names every published name, with its
    # intermediates in the chain file ({{src "cert"}}).
    SSLEngine on
    SSLCertificateFile {{$.CertFile}}
    SSLCertificateKeyFile {{$.KeyFile}}
    # TLS 1.2 and later towards clients.
    SSLProtocol -all +TLSv1.2 +TLSv1.3
    # The front ends' certificate is issued by the internal CA: to verify it,
    # set SSLProxyVerify require with SSLProxyCACertificateFile.
    SSLProxyEngine on
    SSLProxyVerify none
    SSLProxyCheckPeerName off
    SSLProxyCheckPeerExpire off
    # Rule: forward the client's Host header; Apache's default, Off, sends
    # the balancer member's name ({{src "require"}}; {{src "hlb"}}).
    ProxyPreserveHost On
    # Rule: mobile push needs 960 s (16 minutes): Office 365's push time-out
    # is 900 s ({{src "rules"}}).
    ProxyTimeout 960
{{- template "balancer" (pair $ .Group .Servers "https")}}
    ProxyPass / balancer://{{.Group}}/
    ProxyPassReverse / balancer://{{.Group}}/
</VirtualHost>
{{- if $.HTTPPort}}

# Rule: bridge 80 to the external web site on 8080 ({{src "ports"}}).
<VirtualHost {{range $i, $a := listen $.Listen $.HTTPPort}}{{if $i}} {{end}}{{if $.Listen}}{{$a}}{{else}}*:{{$a}}{{end}}{{end}}>
    ServerName {{index .Names 0}}
{{- if gt (len .Names) 1}}
    ServerAlias{{range $i, $n := .Names}}{{if $i}} {{$n}}{{end}}{{end}}
{{- end}}
    # Rule: forward the client's Host header ({{src "require"}}).
    ProxyPreserveHost On
    # Rule: mobile push needs 960 s ({{src "rules"}}).
    ProxyTimeout 960
{{- template "balancer" (pair $ (printf "%s_http" .Group) .HTTPServers "http")}}
    ProxyPass / balancer://{{.Group}}_http/
    ProxyPassReverse / balancer://{{.Group}}_http/
</VirtualHost>
{{- end}}
{{end}}
{{- define "balancer"}}
{{- if .Plan.Cookie}}
    # Rule: Lync Server 2010 needs cookie persistence named MS-WSMAN, not
    # HttpOnly, with no expiry, set on every response ({{src "hlb"}}).
{{- else}}
    # Rule: keep each client on one front end ({{src "lb"}}). Apache's
    # balancer has no source-address persistence, so it uses Microsoft's
    # MS-WSMAN cookie, which works for every version ({{src "hlb"}}): not
    # HttpOnly, no expiry, set on every response.
{{- end}}
    <Proxy balancer://{{.Group}}>
{{- range .Servers}}
        BalancerMember {{$.Scheme}}://{{.Addr}} route={{.ID}}
{{- end}}
        ProxySet stickysession=MS-WSMAN
    </Proxy>
    Header add Set-Cookie "MS-WSMAN=.%{BALANCER_WORKER_ROUTE}e; path=/"
{{- end}}`

// balancerArgs are what the balancer template needs from its caller.
type balancerArgs struct {
	Plan    *Plan
	Group   string
	Servers []Server
	Scheme  string
}

func pair(p *Plan, group string, servers []Server, scheme string) balancerArgs {
	return balancerArgs{p, group, servers, scheme}
}

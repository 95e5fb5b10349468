package publish

// The nginx site: upstream groups and server blocks for the http {}
// context (conf.d/ or sites-available/).
func init() { register("nginx", nginxTemplate) }

const nginxTemplate = `# Lync/Skype for Business external web services for {{.Name}} ({{.Version}}), written by lyncprobe publish.
# Put this file in nginx's http {} context (/etc/nginx/conf.d/lync.conf or
# sites-available/ with a link in sites-enabled/), replace the certificate
# paths, then run "nginx -t" and "lyncprobe validate".
#
# Not published, on purpose:{{if .Admin}}
# - {{.Admin}}: the admin simple URL opens the Control Panel and stays inside
#   ({{src "simple"}}).{{end}}
# - the front ends' internal web site (443/80), which holds /cscp and
#   /OcsPowerShell: every block below forwards to the external site, 4443 and
#   8080, which has neither ({{src "ports"}}).
{{- if .Cookie}}

# The MS-WSMAN cookie the client sent, else a new value for this request
# (nginx open source has no "sticky cookie": this is its cookie persistence).
map $http_cookie $lync_wsman {
    "~(?:^|;)\s*MS-WSMAN=(?<lync_wsman_value>[^;]+)" $lync_wsman_value;
    default $request_id;
}
{{- end}}
{{range .Pools}}{{$pool := .}}
# Upstream {{.Group}}: {{join .Names ", "}}.
{{- if .OWA}}
# Rule: Office Web Apps Server is published on 443 and 80, not 4443/8080
# ({{src "ports"}}).
{{- else}}
# Rule: bridge 443 to the front ends' external web site on 4443
# ({{src "ports"}}).
{{- end}}
{{- if $.Cookie}}
# Rule: Lync Server 2010 needs cookie persistence named MS-WSMAN, not
# HttpOnly, with no expiry, set on every response ({{src "hlb"}}): the
# upstream hashes $lync_wsman, which each response hands the client as the
# MS-WSMAN cookie (add_header below), so the client comes back to the same
# front end.
{{- else}}
# Rule: source-address persistence keeps each client on one front end
# ({{src "lb"}}; {{src "mobility"}}).
{{- end}}
upstream {{.Group}} {
{{- if $.Cookie}}
    hash $lync_wsman consistent;
{{- else}}
    ip_hash;
{{- end}}
{{- range .Servers}}
    server {{.Addr}};
{{- end}}
}
{{- if $.HTTPPort}}
upstream {{.Group}}_http {
{{- if $.Cookie}}
    hash $lync_wsman consistent;
{{- else}}
    ip_hash;
{{- end}}
{{- range .HTTPServers}}
    server {{.Addr}};
{{- end}}
}
{{- end}}

server {
{{- range listen $.Listen $.HTTPSPort}}
    listen {{.}} ssl;
{{- end}}
    server_name {{join .Names " "}};

    # Rule: the certificate names every published name, with its
    # intermediates in the chain file ({{src "cert"}}).
    ssl_certificate     {{$.CertFile}};
    ssl_certificate_key {{$.KeyFile}};
    # TLS 1.2 and later towards clients.
    ssl_protocols TLSv1.2 TLSv1.3;

    location / {
        # Rule: re-encrypt to the front ends; SSL offloading is not
        # supported ({{src "rules"}}).
        proxy_pass https://{{.Group}};
        proxy_http_version 1.1;
        # The front ends' certificate is issued by the internal CA: to verify
        # it, set proxy_ssl_verify on with proxy_ssl_trusted_certificate.
        proxy_ssl_verify off;
        # Rule: forward the client's Host header; without this line nginx
        # sends the upstream's name ({{src "require"}}; {{src "hlb"}}).
        proxy_set_header Host $host;
        # Rule: mobile push needs 960 s (16 minutes): Office 365's push
        # time-out is 900 s ({{src "rules"}}).
        proxy_read_timeout 960s;
        proxy_send_timeout 960s;
        proxy_buffering off;
{{- if $.Cookie}}
        # Rule: MS-WSMAN on every response, not HttpOnly, no expiry ({{src "hlb"}}).
        add_header Set-Cookie "MS-WSMAN=$lync_wsman; path=/" always;
{{- end}}
    }
}
{{- if $.HTTPPort}}

# Rule: bridge 80 to the external web site on 8080 ({{src "ports"}}).
server {
{{- range listen $.Listen $.HTTPPort}}
    listen {{.}};
{{- end}}
    server_name {{join .Names " "}};

    location / {
        proxy_pass http://{{.Group}}_http;
        proxy_http_version 1.1;
        # Rule: forward the client's Host header ({{src "require"}}).
        proxy_set_header Host $host;
        # Rule: mobile push needs 960 s ({{src "rules"}}).
        proxy_read_timeout 960s;
        proxy_send_timeout 960s;
{{- if $.Cookie}}
        # Rule: MS-WSMAN on every response ({{src "hlb"}}).
        add_header Set-Cookie "MS-WSMAN=$lync_wsman; path=/" always;
{{- end}}
    }
}
{{- end}}
{{end}}`

package config

// ExampleYAML is a complete deployment file that uses every key. It is the
// reference for the format; testdata/config/full.yaml is a copy that a test
// keeps equal and loads (the two CA files sit next to it).
const ExampleYAML = `# lyncprobe deployment file.
# Host names are case-insensitive; lyncprobe lower-cases them and drops a
# trailing dot. Relative file paths are relative to this file's folder.

# A label for reports. Default: this file's name without its extension.
name: contoso
# One of lync2010, lync2013, sfb2015, sfb2019, sfbse. Default: sfb2019.
version: sfb2019

# Required. Every SIP domain users sign in with.
sip_domains:
  - contoso.com
  - fabrikam.com

# Required, at least one. One entry per Standard Edition server, Front End
# pool or Director pool that the reverse proxy publishes.
web_services:
  - external: webext.contoso.com        # required: external web services FQDN
    internal: pool01.corp.contoso.com   # optional: internal pool FQDN
    backends:                           # optional: host:port the proxy forwards to
      - fe01.corp.contoso.com:4443
      - 10.0.1.12:4443
  - external: dirext.contoso.com
    internal: dir01.corp.contoso.com
    backends:
      - "[2001:db8:1::21]:4443"        # IPv6 goes in brackets

# https URLs without a port, query or fragment, not on an internal pool FQDN;
# none may be a prefix of another.
simple_urls:
  meet:                                 # required: one per SIP domain
    - https://meet.contoso.com
    - https://meet.fabrikam.com
  dialin: https://dialin.contoso.com    # required
  admin: https://admin.contoso.com      # optional; internal only, not probed

# Optional: a real meeting link to try through the proxy.
meeting_url: https://meet.contoso.com/alice/7322994

# Optional. Default: lyncdiscover.<domain> for each SIP domain.
lyncdiscover:
  - lyncdiscover.contoso.com
  - lyncdiscover.fabrikam.com
# Optional. true: the lyncdiscover names are published over HTTP only
# (reverse_proxy.http_port), and the certificate need not name them.
# Microsoft supports it but recommends HTTPS. Default: false.
lyncdiscover_http_only: false

# Optional: the Office Web Apps / Office Online Server FQDN.
office_web_apps: owa.contoso.com

reverse_proxy:
  addresses:                            # public IP addresses the names should resolve to
    - 203.0.113.10
    - 2001:db8::10
  port: 443                             # published HTTPS port. Default: 443
  http_port: 80                         # published HTTP port, 0 = not published. Default: 80
  nodes:                                # proxy nodes probed one by one: address[:port]
    - 203.0.113.11                      # port defaults to reverse_proxy.port
    - rp02.dmz.contoso.com:443
    - "[2001:db8::12]:443"
  config_files:                         # optional: the proxy's own config files, which "lyncprobe validate" parses
    - nginx-lync.conf                   # family (nginx, haproxy, apache, arr) detected from the name and content
    - {path: lb.cfg, family: haproxy}   # or named
    # - {path: httpd/conf/httpd.conf, root: httpd}  # root: the local folder that stands for the proxy's
    #                                   # configuration root (nginx prefix, Apache ServerRoot). Default: the file's folder
  path_map:                             # optional, for validate: absolute paths as the proxy host names them -> local folders
    /etc/ssl/lync: certs                # a certificate the config names but that is in neither is a skip, not a fail
  family: nginx                         # optional: the proxy product (tmg, arr, nginx, apache, haproxy, f5, kemp, wap);
                                        # its fix comes first in remedies. Default: detected from the answers (Server, Via) and config_files

# Optional: the Edge server (not published by the reverse proxy).
edge:
  access: sip.contoso.com               # required: Access Edge FQDN
  webconf: webcon.contoso.com           # optional: Web Conferencing Edge FQDN
  av: av.contoso.com                    # optional: A/V Edge FQDN
  federation: true                      # the Access Edge federates: check TCP 5061 too. Default: false
  addresses:
    - 203.0.113.20
  ports:
    sip_tls: 443                        # Default: 443
    federation: 5061                    # Default: 5061
    av_udp: 3478                        # Default: 3478
    av_tcp: 443                         # A/V Edge MS-TURN over TCP. Default: 443
    webconf: 443                        # Web Conferencing Edge. Default: 443

dns:
  resolvers:                            # public view, host[:port]; none = system resolver
    - 192.0.2.53
    - "[2001:db8::53]:53"
  views:                                # optional: regional views (geo-DNS), each asked through
    - name: apac                        # its own resolvers and judged against its own addresses;
      resolvers: [198.51.100.53]        # dns.resolvers above are the default view
      proxy_addresses: [198.51.100.10]  # default: reverse_proxy.addresses
      edge_addresses: [198.51.100.20]   # default: edge.addresses
  internal_resolvers:                   # inside view, host[:port] (port 53 when left out)
    - 10.0.0.53
  zone_file: contoso.com.zone           # optional: the public zone, BIND format, for offline runs

tls:
  ca_file: ca.pem                       # optional: extra roots for the public certificate
  backend_ca_file: backend-ca.pem       # optional: roots for the backends' certificates
  warn_days: 30                         # warn this many days before expiry. Default: 30
  certificate_files:                    # optional: files that "lyncprobe cert inspect" judges offline (PEM, DER or PFX)
    - rp-chain.pem
    - {path: rp.pfx, password_env: RP_PFX_PASSWORD}   # or password_file: a PFX password is never written here

affinity:
  connections: 20                       # fresh connections per name, 1-1000. Default: 20
  source_addresses:                     # optional: local addresses to connect from
    - 198.51.100.7
  identity_header: X-MS-Server-Fqdn     # header naming the answering server
  identity_cookie: BIGipServerlync_web  # optional: a cookie whose value names the answering server

# Optional: suppress known findings. A suppressed result keeps its status and
# shows in every report as suppressed, with the reason, but fails no run.
ignore:
  - id: cert.expiry                     # required: a check ID (lyncprobe checks)
    target: dialin.contoso.com          # optional: only this target. Default: every target
    via: address 203.0.113.10           # optional: only this via. Default: every via
    reason: renewal booked for next week  # required: shown in every report
`

// Package publish writes a reverse-proxy configuration from the
// deployment file: the rules lyncprobe's checks judge, turned around.
// Each family's text is a text/template in its own file; every block
// carries a comment naming the rule and its public source.
//
// It knows the deployment and proxy syntax, never the network.
package publish

import (
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"text/template"

	"github.com/lyncprobe/lyncprobe/config"
)

// Families are the values publish takes: the four written as files, then
// the two printed as checklists.
var Families = []string{"nginx", "haproxy", "apache", "arr", "tmg", "wap"}

// FileName is the file each configuration family is written to with --out.
var FileName = map[string]string{
	"nginx":   "lync-nginx.conf",
	"haproxy": "haproxy.cfg",
	"apache":  "lync-apache.conf",
	"arr":     "applicationHost.config",
	"tmg":     "lync-tmg-checklist.txt",
	"wap":     "lync-wap-checklist.txt",
}

// Options are what the deployment file does not say.
type Options struct {
	// Listen are the addresses the proxy binds; none = every address.
	Listen []string
	// CertFile and KeyFile are the certificate chain and key; "" = a
	// placeholder the user fills in. For HAProxy CertFile holds both.
	CertFile, KeyFile string
}

// Placeholders for the certificate files.
const (
	PlaceholderChain = "/etc/ssl/lync/CHANGE-ME-chain.pem"
	PlaceholderKey   = "/etc/ssl/lync/CHANGE-ME.key"
	PlaceholderPEM   = "/etc/ssl/lync/CHANGE-ME-chain-and-key.pem"
)

// Pool is one upstream group and the names it serves.
type Pool struct {
	Group string   // the upstream / backend / balancer / farm name
	Names []string // the published names routed to it
	// Servers are the front ends' external web site, host:port (4443),
	// HTTPServers the same hosts on 8080; OWA is on 443/80.
	Servers, HTTPServers []Server
	OWA                  bool
}

// HTTPPortOf is the plain-HTTP port of the i-th server.
func (p Pool) HTTPPortOf(i int) int { return p.HTTPServers[i].Port }

// Server is one upstream server.
type Server struct {
	ID   string // fe01, fe02, …: the route / cookie value
	Host string
	Port int
}

// Addr is host:port, IPv6 in brackets.
func (s Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// Plan is what every family's template reads.
type Plan struct {
	Name, Version string
	Cookie        bool // Lync 2010: MS-WSMAN cookie persistence, else source address
	HTTPSPort     int
	HTTPPort      int // 0 = plain HTTP not published
	Listen        []string
	CertFile      string
	KeyFile       string
	Pools         []Pool
	Admin         string // the admin simple URL's host, never published
	Internal      []string
}

// NewPlan reads the deployment into a plan.
func NewPlan(dep *config.Deployment, o Options) (*Plan, error) {
	p := &Plan{Name: dep.Name, Version: dep.Version, Cookie: dep.Version == "lync2010",
		HTTPSPort: dep.ReverseProxy.Port, HTTPPort: dep.ReverseProxy.HTTPPublishedPort(),
		Listen: o.Listen, CertFile: o.CertFile, KeyFile: o.KeyFile, Admin: config.HostOf(dep.SimpleURLs.Admin)}
	if p.HTTPSPort == 0 {
		p.HTTPSPort = config.DefaultPort
	}
	if p.CertFile == "" {
		p.CertFile, p.KeyFile = PlaceholderChain, PlaceholderKey
	}
	if p.KeyFile == "" {
		p.KeyFile = PlaceholderKey
	}
	for i, ws := range dep.WebServices {
		pool, err := webPool(i, ws)
		if err != nil {
			return nil, err
		}
		if ws.Internal != "" {
			p.Internal = append(p.Internal, ws.Internal)
		}
		p.Pools = append(p.Pools, pool)
	}
	if len(p.Pools) == 0 {
		return nil, fmt.Errorf("web_services: publish needs at least one pool")
	}
	// Simple URLs and lyncdiscover go to the first pool (the Director or
	// the Front End pool listed first).
	for _, pub := range dep.PublishedHosts() {
		switch pub.Role {
		case config.RoleMeet, config.RoleDialin, config.RoleLyncdiscover:
			if !slices.Contains(p.Pools[0].Names, pub.Host) {
				p.Pools[0].Names = append(p.Pools[0].Names, pub.Host)
			}
		case config.RoleOWA:
			p.Pools = append(p.Pools, Pool{Group: "lync_owa", Names: []string{pub.Host}, OWA: true,
				Servers: []Server{{ID: "owa01", Host: pub.Host, Port: 443}}, HTTPServers: []Server{{ID: "owa01", Host: pub.Host, Port: 80}}})
		}
	}
	return p, nil
}

// webPool is one web_services entry: its backends, else its internal
// pool FQDN, on the external web site's ports.
func webPool(i int, ws config.WebService) (Pool, error) {
	pool := Pool{Group: "lync_pool" + strconv.Itoa(i+1), Names: []string{ws.External}}
	hosts := ws.Backends
	if len(hosts) == 0 && ws.Internal != "" {
		hosts = []string{net.JoinHostPort(ws.Internal, "4443")}
	}
	if len(hosts) == 0 {
		return pool, fmt.Errorf("web_services[%d] (%s): set internal or backends, so that publish knows where to forward", i, ws.External)
	}
	for j, hp := range hosts {
		host, port, err := net.SplitHostPort(hp)
		if err != nil {
			host, port = strings.Trim(hp, "[]"), "4443"
		}
		n, _ := strconv.Atoi(port)
		id := fmt.Sprintf("fe%02d", j+1)
		pool.Servers = append(pool.Servers, Server{ID: id, Host: host, Port: n})
		pool.HTTPServers = append(pool.HTTPServers, Server{ID: id, Host: host, Port: 8080})
	}
	return pool, nil
}

// AllNames are every published name, in the pools' order.
func (p *Plan) AllNames() []string {
	var out []string
	for _, pool := range p.Pools {
		out = append(out, pool.Names...)
	}
	return out
}

// Write writes family's configuration or checklist for dep to w.
func Write(w io.Writer, family string, dep *config.Deployment, o Options) error {
	t, ok := templates[family]
	if !ok {
		return fmt.Errorf("unknown proxy %q: want one of %s", family, strings.Join(Families, ", "))
	}
	p, err := NewPlan(dep, o)
	if err != nil {
		return err
	}
	return t.Execute(w, p)
}

var templates = map[string]*template.Template{}

// register parses one family's template with the shared functions.
func register(family, text string) {
	templates[family] = template.Must(template.New(family).Funcs(funcs).Parse(text))
}

var funcs = template.FuncMap{
	"join": strings.Join,
	"add":  func(a, b int) int { return a + b },
	// listen is host:port for each listen address, or the port alone.
	"listen": func(addrs []string, port int) []string {
		if len(addrs) == 0 {
			return []string{strconv.Itoa(port)}
		}
		return listenOn(addrs, port)
	},
	// bind is HAProxy's: ":port" for every address.
	"bind": func(addrs []string, port int) []string {
		if len(addrs) == 0 {
			return []string{":" + strconv.Itoa(port)}
		}
		return listenOn(addrs, port)
	},
	"src":  source,
	"pair": pair,
}

// Sources are the public pages the comments cite, one name for each rule.
const (
	SrcPorts     = "https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-port-summary-reverse-proxy"
	SrcRequire   = "https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-configuration-requirements-for-reverse-proxy"
	SrcRules     = "https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-configure-web-publishing-rules-for-a-single-internal-pool"
	SrcHLB       = "https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-hardware-load-balancer-requirements"
	SrcLB        = "https://learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/network-requirements/load-balancing"
	SrcMobility  = "https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-technical-requirements-for-mobility"
	SrcCert      = "https://learn.microsoft.com/en-us/previous-versions/office/lync-server-2013/lync-server-2013-certificate-summary-reverse-proxy"
	SrcSimpleURL = "https://learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/network-requirements/simple-urls"
	SrcWAPCmdlet = "https://learn.microsoft.com/en-us/previous-versions/windows/powershell-scripting/dn283409(v=wps.630)"
)

// source is the public page a template cites, by a short name.
func source(name string) string {
	return map[string]string{"ports": SrcPorts, "require": SrcRequire, "rules": SrcRules, "hlb": SrcHLB, "lb": SrcLB,
		"mobility": SrcMobility, "cert": SrcCert, "simple": SrcSimpleURL, "wap": SrcWAPCmdlet}[name]
}

func listenOn(addrs []string, port int) []string {
	var out []string
	for _, a := range addrs {
		out = append(out, net.JoinHostPort(a, strconv.Itoa(port)))
	}
	return out
}

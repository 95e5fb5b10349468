// Package config is the lyncprobe deployment file: its YAML model, its
// defaults and its validation. It knows the file and nothing of the network.
//
// Load returns a *Deployment with every default filled and every rule
// checked; an error names the file, the line and the key
// ("lyncprobe.yaml:7: simple_urls.dialin: must be an https URL").
package config

// Versions lists the product versions a deployment may declare, oldest first.
var Versions = []string{"lync2010", "lync2013", "sfb2015", "sfb2019", "sfbse"}

// Deployment is one Lync/SfB deployment as the config file describes it.
// Field order follows the file reference in docs/CONFIG.md.
type Deployment struct {
	Name         string       `yaml:"name"`
	Version      string       `yaml:"version"`
	SIPDomains   []string     `yaml:"sip_domains"`
	WebServices  []WebService `yaml:"web_services"`
	SimpleURLs   SimpleURLs   `yaml:"simple_urls"`
	MeetingURL   string       `yaml:"meeting_url"`
	Lyncdiscover []string     `yaml:"lyncdiscover"`
	// LyncdiscoverHTTPOnly: the lyncdiscover names are published over HTTP
	// only (reverse_proxy.http_port), with no lyncdiscover name on the
	// certificate; see OverHTTPOnly.
	LyncdiscoverHTTPOnly bool         `yaml:"lyncdiscover_http_only"`
	OfficeWebApps        string       `yaml:"office_web_apps"`
	ReverseProxy         ReverseProxy `yaml:"reverse_proxy"`
	Edge                 *Edge        `yaml:"edge"`
	DNS                  DNS          `yaml:"dns"`
	TLS                  TLS          `yaml:"tls"`
	Affinity             Affinity     `yaml:"affinity"`
	// Ignore suppresses known findings; see Ignore.
	Ignore []Ignore `yaml:"ignore"`

	// Path is the file the deployment was loaded from ("" when built in code).
	Path string `yaml:"-"`

	// positions maps dotted keys ("simple_urls.meet[0]") to their line in
	// the file; see Line.
	positions map[string]int
	// zone is dns.zone_file as Load read it; see Zone.
	zone *Zone
}

// Zone is dns.zone_file as Load read and parsed it (nil without one):
// validate judges these records, and locates findings by their lines,
// without reading the file again.
func (d *Deployment) Zone() *Zone { return d.zone }

// WebService is one Front End or Director pool that the proxy publishes.
type WebService struct {
	External string   `yaml:"external"`
	Internal string   `yaml:"internal"`
	Backends []string `yaml:"backends"`
}

// SimpleURLs are the meet, dial-in and admin simple URLs.
type SimpleURLs struct {
	Meet   []string `yaml:"meet"`
	Dialin string   `yaml:"dialin"`
	Admin  string   `yaml:"admin"`
}

// ReverseProxy describes how the proxy publishes the names.
type ReverseProxy struct {
	Addresses []string `yaml:"addresses"`
	Port      int      `yaml:"port"`
	// HTTPPort is a pointer so that an explicit 0 (not published) differs
	// from an absent key (default 80). Use HTTPPublishedPort to read it.
	HTTPPort *int     `yaml:"http_port"`
	Nodes    []string `yaml:"nodes"`
	// ConfigFiles are the proxy's own configuration files, which
	// `lyncprobe validate` parses (proxyfiles.go).
	ConfigFiles []ProxyConfigFile `yaml:"config_files"`
	// PathMap maps absolute paths as the proxy host names them (keys) to
	// local folders, for the files config_files name (proxyfiles.go).
	PathMap PathMap `yaml:"path_map"`
	// Family names the proxy product (ReverseProxyFamilies); it overrides
	// what lyncprobe detects from the answers and config_files, and puts
	// that product's fix first in the remedies.
	Family string `yaml:"family"`
}

// ReverseProxyFamilies are the values of reverse_proxy.family.
var ReverseProxyFamilies = []string{"tmg", "arr", "nginx", "apache", "haproxy", "f5", "kemp", "wap"}

// HTTPPublishedPort is the published plain-HTTP port, 0 when not published.
func (r ReverseProxy) HTTPPublishedPort() int {
	if r.HTTPPort == nil {
		return DefaultHTTPPort
	}
	return *r.HTTPPort
}

// Edge is the Edge server; it is not published by the reverse proxy.
type Edge struct {
	Access    string    `yaml:"access"`
	Addresses []string  `yaml:"addresses"`
	Ports     EdgePorts `yaml:"ports"`
	// WebConf is the Web Conferencing Edge FQDN, AV the A/V Edge FQDN;
	// "" = not checked.
	WebConf string `yaml:"webconf"`
	AV      string `yaml:"av"`
	// Federation: the Access Edge federates, so TCP 5061 is checked too.
	Federation bool `yaml:"federation"`
}

// EdgePorts are the Edge's public ports.
type EdgePorts struct {
	SIPTLS     int `yaml:"sip_tls"`
	Federation int `yaml:"federation"`
	AVUDP      int `yaml:"av_udp"`
	AVTCP      int `yaml:"av_tcp"`  // the A/V Edge's MS-TURN over TCP (443)
	WebConf    int `yaml:"webconf"` // the Web Conferencing Edge's PSOM/TLS (443)
}

// DNS names the resolvers that give the public and the inside view.
type DNS struct {
	// Resolvers are host:port; empty means the system resolver.
	Resolvers []string `yaml:"resolvers"`
	// Views are regional public views (geo-DNS): each is asked through its
	// own resolvers and judged against its own addresses. Resolvers, when
	// set, are the default view, judged against reverse_proxy.addresses.
	Views             []View   `yaml:"views"`
	InternalResolvers []string `yaml:"internal_resolvers"`
	// ZoneFile is a BIND zone file of the public zone, absolute after Load;
	// the DNS checks can run against it with no network (see ReadZone).
	ZoneFile string `yaml:"zone_file"`
}

// View is one regional public view of the names: the resolvers that give
// it and the addresses its answers must hold.
type View struct {
	Name      string   `yaml:"name"`
	Resolvers []string `yaml:"resolvers"`
	// ProxyAddresses default to reverse_proxy.addresses, EdgeAddresses to
	// edge.addresses (Load fills them).
	ProxyAddresses []string `yaml:"proxy_addresses"`
	EdgeAddresses  []string `yaml:"edge_addresses"`
}

// TLS holds trust anchors and thresholds. Paths are absolute after Load.
type TLS struct {
	CAFile        string `yaml:"ca_file"`
	BackendCAFile string `yaml:"backend_ca_file"`
	WarnDays      int    `yaml:"warn_days"`
	// CertificateFiles are judged offline by `lyncprobe cert inspect`.
	CertificateFiles []CertificateFile `yaml:"certificate_files"`
}

// Affinity configures the affinity probes.
type Affinity struct {
	Connections     int      `yaml:"connections"`
	SourceAddresses []string `yaml:"source_addresses"`
	IdentityHeader  string   `yaml:"identity_header"`
	// IdentityCookie, when set, names a cookie whose value names the
	// answering front end (a balancer's server cookie); "" = none.
	IdentityCookie string `yaml:"identity_cookie"`
}

// Defaults applied by Load.
const (
	DefaultVersion        = "sfb2019"
	DefaultPort           = 443
	DefaultHTTPPort       = 80
	DefaultWarnDays       = 30
	DefaultConnections    = 20
	DefaultIdentityHeader = "X-MS-Server-Fqdn"
	DefaultSIPTLSPort     = 443
	DefaultFederationPort = 5061
	DefaultAVUDPPort      = 3478
	DefaultAVTCPPort      = 443
	DefaultWebConfPort    = 443
)

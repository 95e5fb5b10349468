// Package proxyconf parses reverse-proxy configuration files (nginx,
// HAProxy, Apache httpd, IIS ARR) into a neutral model with the file and
// line of every fact. It knows proxy syntax, not Lync verdicts: the
// checks package judges the model.
//
// The parsers are our own. The HAProxy, Apache and ARR parsers we could
// use are not served here (see LIBRARIES.md), and the nginx one we looked
// at (gonginx) keeps no line numbers for includes, which a CI finding
// needs; the grammar each family needs for these facts is small.
package proxyconf

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Family is a proxy's configuration dialect.
type Family string

// The families parsed.
const (
	Nginx   Family = "nginx"
	HAProxy Family = "haproxy"
	Apache  Family = "apache"
	ARR     Family = "arr"
)

// Pos is a place in a configuration file.
type Pos struct {
	File string
	Line int
}

func (p Pos) String() string { return fmt.Sprintf("%s:%d", p.File, p.Line) }

// Config is one parsed configuration (a file and what it includes).
type Config struct {
	Family Family
	File   string
	Files  []string // every file read: File, then what it includes, in order
	Sites  []*Site
}

// Site is what serves a set of names: an nginx server block, an HAProxy
// frontend or listen section, an Apache VirtualHost, an ARR rewrite rule.
type Site struct {
	Kind       string // "server", "frontend", "listen", "VirtualHost", "rule"
	Name       string // the section's own name, when it has one
	Pos        Pos
	Names      []Value   // the host names served ("" value = any)
	Ports      []int     // the ports it listens on
	CertFiles  []FileRef // certificate files it names
	Routes     []*Route
	SSLOffload *Flag // ARR: SSL offloading
}

// Route is one place where requests go to upstream servers.
type Route struct {
	Pos         Pos
	Path        string // the location / path prefix, "" = all
	Group       string // upstream / backend / balancer / farm name
	Targets     []Target
	Host        Host
	Persistence []Persistence
	Timeouts    []Timeout
}

// Target is one upstream server.
type Target struct {
	Scheme string // "https", "http", "" when unknown
	Host   string
	Port   int // 0 when not given (then the scheme's default applies)
	Pos    Pos
}

// Value is a string setting with its place.
type Value struct {
	Value string
	Pos   Pos
}

// FileRef is a file the configuration names.
type FileRef struct {
	Path    string // where it is read here (after the proxy's root and the path map)
	Written string // as the configuration writes it
	Pos     Pos
}

// Flag is a boolean setting with its place.
type Flag struct {
	On  bool
	Pos Pos
}

// Host is how the route sets the Host header sent upstream.
type Host struct {
	Preserved bool   // the client's Host goes upstream
	Setting   string // the directive that decides, or "" when the default applies
	Pos       Pos    // where that directive is, else the route's place
}

// Persistence is one way the upstream group keeps a client on a server.
type Persistence struct {
	Method string // "source" (client address) or "cookie"
	Cookie string // the cookie's name, for "cookie"
	// Inserted reports that the proxy sets the cookie itself (HAProxy
	// insert, nginx sticky cookie, ARR affinity), so its attributes are the
	// proxy's.
	Inserted bool
	HTTPOnly bool
	Secure   bool
	Expiry   string // the attribute that makes it persistent ("Max-Age=3600", "expires 1h"), "" none
	Pos      Pos
}

// Timeout is a proxy timeout towards the upstream, in seconds.
type Timeout struct {
	Name    string
	Seconds float64
	Pos     Pos
}

// Parse reads the configuration at path as the proxy host would, with
// the files in place. family "" detects it from the file's name and
// content.
func Parse(path string, family Family) (*Config, error) {
	return ParseWith(context.Background(), path, Options{Family: family})
}

// ParseWith reads the configuration at path and what it includes, within
// a budget (load.go), resolving paths as the proxy does and then through
// o's root and path map.
func ParseWith(ctx context.Context, path string, o Options) (*Config, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() && (o.Family == HAProxy || o.Family == "") {
		return parseHAProxyDir(ctx, path, o)
	}
	text, err := readRegular(path, maxFile)
	if err != nil {
		return nil, err
	}
	family := o.Family
	if family == "" {
		family = Detect(path, text)
		if family == "" {
			return nil, fmt.Errorf("%s: cannot tell which proxy this configuration is for: name its family (nginx, haproxy, apache, arr)", path)
		}
	}
	l := newLoader(ctx, path, family, o)
	var c *Config
	switch {
	case family == Nginx && isNginxDump(text):
		c, err = parseNginxDump(l, path, text)
	case family == Nginx:
		c, err = parseNginx(l, path)
	case family == HAProxy:
		c, err = parseHAProxy(l, []string{path})
	case family == Apache && isApacheIncludeDump(text):
		c, err = parseApacheIncludeDump(l, path, text)
	case family == Apache:
		c, err = parseApache(l, path, o.Root != "")
	case family == ARR:
		c, err = parseARR(l, path)
	default:
		return nil, fmt.Errorf("%s: unknown family %q", path, family)
	}
	if err != nil {
		return nil, err
	}
	c.Family, c.File, c.Files = family, path, l.files
	return c, nil
}

// Detect guesses the family from the file name, then the content; ""
// when neither tells.
func Detect(path, text string) Family {
	base := strings.ToLower(filepath.Base(path))
	switch {
	case strings.HasSuffix(base, ".config") || strings.HasSuffix(base, ".xml"):
		return ARR
	case strings.Contains(base, "haproxy") || strings.HasSuffix(base, ".cfg"):
		return HAProxy
	case strings.Contains(base, "nginx"):
		return Nginx
	case strings.Contains(base, "apache") || strings.Contains(base, "httpd"):
		return Apache
	}
	if isNginxDump(text) {
		return Nginx
	}
	if isApacheIncludeDump(text) {
		return Apache
	}
	lower := strings.ToLower(text)
	switch {
	case strings.HasPrefix(strings.TrimSpace(lower), "<?xml") || strings.Contains(lower, "<configuration"):
		return ARR
	case strings.Contains(lower, "<virtualhost") || strings.Contains(lower, "proxypass") || apacheMain.MatchString(text):
		return Apache
	case strings.Contains(lower, "proxy_pass") || strings.Contains(lower, "server_name") || nginxMain.MatchString(text):
		return Nginx
	case haproxyMain.MatchString(text):
		return HAProxy
	}
	return ""
}

// What a main configuration file of each family starts with: nginx's
// events and http blocks, Apache's ServerRoot and Include lines (as
// Apache writes them, capitalised and with no ";", unlike nginx's include),
// HAProxy's sections at the start of a line.
var (
	nginxMain   = regexp.MustCompile(`(?m)^\s*(events|http)\s*\{`)
	apacheMain  = regexp.MustCompile(`(?m)^\s*(ServerRoot|Include|IncludeOptional|LoadModule)\s+[^;\n]*$`)
	haproxyMain = regexp.MustCompile(`(?m)^(global|defaults|frontend|backend|listen)\b`)
)

// splitHostPort splits "host:port", "[v6]:port" or "host"; port 0 when absent.
func splitHostPort(s string) (string, int) {
	if strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]")
		if end < 0 {
			return s, 0
		}
		host, rest := s[1:end], s[end+1:]
		return host, atoiPort(strings.TrimPrefix(rest, ":"))
	}
	if i := strings.LastIndex(s, ":"); i >= 0 && strings.Count(s, ":") == 1 {
		return s[:i], atoiPort(s[i+1:])
	}
	return s, 0
}

func atoiPort(s string) int {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0
		}
		n = n*10 + int(r-'0')
		if n > 65535 {
			return 0
		}
	}
	return n
}

// parseURL splits "https://host:port/path" into scheme, host, port, path.
func parseURL(u string) (scheme, host string, port int, path string) {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return "", "", 0, ""
	}
	hostport, path, _ := strings.Cut(rest, "/")
	host, port = splitHostPort(hostport)
	return strings.ToLower(scheme), host, port, "/" + path
}

// DefaultPort is the port a target without one uses.
func (t Target) DefaultPort() int {
	if t.Port != 0 {
		return t.Port
	}
	if t.Scheme == "http" {
		return 80
	}
	return 443
}

// String names the config for messages.
func (c *Config) String() string { return string(c.Family) + " " + c.File }

package proxyconf

import (
	"strconv"
	"strings"
)

// apacheLines joins continuation lines and drops comments, keeping the
// first line of each logical line.
func apacheLines(text string) (lines []string, nums []int) {
	raw := strings.Split(text, "\n")
	for i := 0; i < len(raw); i++ {
		start := i
		l := strings.TrimRight(raw[i], "\r")
		for strings.HasSuffix(l, "\\") && i+1 < len(raw) {
			i++
			l = strings.TrimSuffix(l, "\\") + " " + strings.TrimRight(raw[i], "\r")
		}
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		lines, nums = append(lines, l), append(nums, start+1)
	}
	return lines, nums
}

type apacheParser struct {
	l     *loader
	file  string
	lines []string
	nums  []int
	i     int
	depth int // include depth
	nest  int // section depth
	// explicitRoot: the user set the root, so ServerRoot only says what
	// the proxy host calls it.
	explicitRoot bool
}

func parseApacheFile(l *loader, file string, depth int, explicitRoot bool) ([]*directive, error) {
	text, err := l.read(file, depth)
	if err != nil {
		return nil, err
	}
	lines, nums := apacheLines(text)
	p := &apacheParser{l: l, file: file, lines: lines, nums: nums, depth: depth, explicitRoot: explicitRoot}
	return p.block("")
}

// block reads directives up to </section> (or the end when section is "").
func (p *apacheParser) block(section string) ([]*directive, error) {
	out := []*directive{}
	for p.i < len(p.lines) {
		l, line := p.lines[p.i], p.nums[p.i]
		p.i++
		pos := Pos{p.file, line}
		switch {
		case strings.HasPrefix(l, "</"):
			name := strings.TrimSuffix(strings.TrimPrefix(l, "</"), ">")
			if !strings.EqualFold(name, section) {
				if section == "" {
					return nil, syntaxErr(p.file, line, "</%s> closes no open section", token(name))
				}
				return nil, syntaxErr(p.file, line, "</%s> where </%s> was expected", token(name), token(section))
			}
			return out, nil
		case strings.HasPrefix(l, "<"):
			d, err := p.section(l, pos)
			if err != nil {
				return nil, err
			}
			out = append(out, d)
		default:
			w := haproxyWords(l)
			if len(w) == 0 {
				continue // a line of quotes only
			}
			d := &directive{Name: strings.ToLower(w[0]), Args: w[1:], Pos: pos}
			if (d.Name == "include" || d.Name == "includeoptional") && len(d.Args) == 1 {
				inc, err := p.include(d)
				if err != nil {
					return nil, err
				}
				out = append(out, inc...)
				continue
			}
			if d.Name == "serverroot" && len(d.Args) == 1 {
				p.l.setServerRoot(d.Args[0], p.explicitRoot)
			}
			out = append(out, d)
		}
	}
	if section != "" {
		return nil, syntaxErr(p.file, p.nums[len(p.nums)-1], "<%s> is never closed, expecting </%s>", token(section), token(section))
	}
	return out, nil
}

func (p *apacheParser) section(l string, pos Pos) (*directive, error) {
	if !strings.HasSuffix(l, ">") {
		return nil, syntaxErr(p.file, pos.Line, "section %s has no closing \">\"", token(l))
	}
	w := haproxyWords(strings.TrimSuffix(l[1:], ">"))
	if len(w) == 0 {
		return nil, syntaxErr(p.file, pos.Line, "empty section tag")
	}
	if p.nest++; p.nest > maxNesting {
		return nil, syntaxErr(p.file, pos.Line, "sections nested deeper than %d", maxNesting)
	}
	b, err := p.block(w[0])
	if err != nil {
		return nil, err
	}
	p.nest--
	return &directive{Name: strings.ToLower(w[0]), Args: w[1:], Pos: pos, Block: b}, nil
}

// include splices the files Include or IncludeOptional names. Apache
// resolves a relative path against ServerRoot; the path may be a
// wildcard, and a folder (or a wildcard matching one) includes every file
// in it and its subfolders, in alphabetical order. Include fails when a
// plain file is missing; IncludeOptional never does
// (https://httpd.apache.org/docs/2.4/mod/core.html#include).
func (p *apacheParser) include(d *directive) ([]*directive, error) {
	arg := d.Args[0]
	pattern := p.l.local(arg)
	matches, err := p.l.glob(pattern)
	if err != nil {
		return nil, syntaxErr(p.file, d.Pos.Line, "%s %s: %v", d.Name, token(arg), err)
	}
	if len(matches) == 0 && d.Name == "include" && !strings.ContainsAny(arg, "*?[") {
		return nil, syntaxErr(p.file, d.Pos.Line, "Include %s: no such file %s (relative paths resolve against ServerRoot; set the file's root or reverse_proxy.path_map when the files are checked out elsewhere)", token(arg), sanitize(pattern, 200))
	}
	files, err := p.l.expandDirs(matches)
	if err != nil {
		return nil, syntaxErr(p.file, d.Pos.Line, "%s %s: %v", d.Name, token(arg), err)
	}
	var out []*directive
	for _, f := range files {
		ds, err := parseApacheFile(p.l, f, p.depth+1, p.explicitRoot)
		if err != nil {
			return nil, includeErr(p.file, d.Pos.Line, arg, err)
		}
		out = append(out, ds...)
	}
	return out, nil
}

// flatten lifts the content of conditional sections (<IfModule>,
// <IfDefine>, <IfVersion>) into their parent: we read the config as it
// would most likely run.
func flatten(ds []*directive) []*directive {
	var out []*directive
	for _, d := range ds {
		if strings.HasPrefix(d.Name, "if") && d.Block != nil {
			out = append(out, flatten(d.Block)...)
			continue
		}
		out = append(out, d)
	}
	return out
}

type apacheScope struct {
	l         *loader
	balancers map[string]*directive // "balancer://name" -> <Proxy>
	global    []*directive
}

func parseApache(l *loader, file string, explicitRoot bool) (*Config, error) {
	ds, err := parseApacheFile(l, file, 0, explicitRoot)
	if err != nil {
		return nil, err
	}
	ds = flatten(ds)
	sc := apacheScope{l: l, balancers: map[string]*directive{}, global: ds}
	var vhosts []*directive
	for _, d := range ds {
		if d.Name == "virtualhost" {
			d.Block = flatten(d.Block)
			vhosts = append(vhosts, d)
		}
	}
	for _, d := range append(append([]*directive{}, ds...), allBlocks(vhosts)...) {
		if d.Name == "proxy" && len(d.Args) > 0 && strings.HasPrefix(strings.ToLower(d.Args[0]), "balancer://") {
			sc.balancers[strings.TrimSuffix(strings.ToLower(d.Args[0]), "/")] = d
		}
	}
	c := &Config{}
	for _, v := range vhosts {
		c.Sites = append(c.Sites, sc.site(v))
	}
	return c, nil
}

func allBlocks(ds []*directive) []*directive {
	var out []*directive
	for _, d := range ds {
		out = append(out, d.Block...)
	}
	return out
}

func (sc apacheScope) site(v *directive) *Site {
	s := &Site{Kind: "VirtualHost", Pos: v.Pos}
	for _, a := range v.Args {
		_, port := splitHostPort(a)
		s.Ports = append(s.Ports, port)
	}
	for _, d := range v.Block {
		switch d.Name {
		case "servername", "serveralias":
			for _, a := range d.Args {
				host, _ := splitHostPort(a)
				s.Names = append(s.Names, Value{strings.ToLower(host), d.Pos})
			}
		case "sslcertificatefile":
			if len(d.Args) > 0 {
				// Relative to ServerRoot (https://httpd.apache.org/docs/2.4/mod/mod_ssl.html#sslcertificatefile).
				s.CertFiles = append(s.CertFiles, FileRef{sc.l.local(d.Args[0]), d.Args[0], d.Pos})
			}
		case "proxypass":
			if len(d.Args) >= 2 && d.Args[1] != "!" {
				s.Routes = append(s.Routes, sc.route(d, d.Args[0], d.Args[1], d.Args[2:], v))
			}
		case "location":
			if pp := lastDirective(d.Block, "proxypass"); pp != nil && len(pp.Args) >= 1 && pp.Args[0] != "!" {
				s.Routes = append(s.Routes, sc.route(pp, strings.Join(d.Args, " "), pp.Args[0], pp.Args[1:], v))
			}
		}
	}
	return s
}

func lastDirective(ds []*directive, name string) *directive {
	var found *directive
	for _, d := range ds {
		if d.Name == name {
			found = d
		}
	}
	return found
}

func (sc apacheScope) route(pp *directive, path, url string, keys []string, v *directive) *Route {
	r := &Route{Pos: pp.Pos, Path: path}
	scheme, host, port, _ := parseURL(url)
	params := keyValues(keys)
	if scheme == "balancer" {
		r.Group = host
		b := sc.balancers["balancer://"+strings.ToLower(host)]
		if b != nil {
			r.Targets = balancerMembers(b)
			for _, set := range b.Block {
				if set.Name == "proxyset" {
					for k, val := range keyValues(set.Args) {
						params[k] = val
					}
				}
			}
		}
	} else {
		r.Targets = []Target{{Scheme: scheme, Host: host, Port: port, Pos: pp.Pos}}
	}
	if sticky := params["stickysession"]; sticky != "" {
		name, _, _ := strings.Cut(sticky, "|")
		r.Persistence = append(r.Persistence, apacheCookie(name, pp.Pos, v.Block, sc.global))
	}
	r.Host = apacheHost(v.Block, sc.global, pp.Pos)
	r.Timeouts = apacheTimeouts(params, pp.Pos, v.Block, sc.global)
	return r
}

func keyValues(args []string) map[string]string {
	out := map[string]string{}
	for _, a := range args {
		if k, v, ok := strings.Cut(a, "="); ok {
			out[strings.ToLower(k)] = v
		}
	}
	return out
}

func balancerMembers(b *directive) []Target {
	var ts []Target
	for _, d := range b.Block {
		if d.Name == "balancermember" && len(d.Args) > 0 {
			scheme, host, port, _ := parseURL(d.Args[0])
			ts = append(ts, Target{Scheme: scheme, Host: host, Port: port, Pos: d.Pos})
		}
	}
	return ts
}

// apacheCookie: stickysession names the cookie; when the config sets it
// (Header add Set-Cookie "NAME=..."), its attributes are read there.
func apacheCookie(name string, at Pos, levels ...[]*directive) Persistence {
	p := Persistence{Method: "cookie", Cookie: name, Pos: at}
	for _, ds := range levels {
		for _, d := range ds {
			if d.Name != "header" || len(d.Args) < 3 || !strings.EqualFold(d.Args[1], "Set-Cookie") {
				continue
			}
			parts := strings.Split(d.Args[2], ";")
			if !strings.HasPrefix(strings.TrimSpace(parts[0]), name+"=") {
				continue
			}
			p.Inserted, p.Pos = true, d.Pos
			for _, a := range parts[1:] {
				a = strings.TrimSpace(a)
				la := strings.ToLower(a)
				switch {
				case la == "httponly":
					p.HTTPOnly = true
				case la == "secure":
					p.Secure = true
				case strings.HasPrefix(la, "max-age") || strings.HasPrefix(la, "expires"):
					p.Expiry = a
				}
			}
			return p
		}
	}
	return p
}

// apacheHost: ProxyPreserveHost is Off by default; a RequestHeader that
// sets Host rewrites it either way.
func apacheHost(vhost, global []*directive, at Pos) Host {
	h := Host{Setting: "", Pos: at}
	for _, ds := range [][]*directive{global, vhost} {
		for _, d := range ds {
			switch {
			case d.Name == "proxypreservehost" && len(d.Args) > 0:
				h = Host{Preserved: strings.EqualFold(d.Args[0], "on"), Setting: "ProxyPreserveHost " + d.Args[0], Pos: d.Pos}
			case d.Name == "requestheader" && len(d.Args) >= 3 && strings.EqualFold(d.Args[1], "Host") && d.Args[0] != "unset":
				return Host{Setting: "RequestHeader " + strings.Join(d.Args, " "), Pos: d.Pos}
			}
		}
	}
	return h
}

// apacheTimeouts: the ProxyPass timeout= key, else ProxyTimeout, else
// Timeout (60 s by default).
func apacheTimeouts(params map[string]string, at Pos, vhost, global []*directive) []Timeout {
	if v, ok := params["timeout"]; ok {
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			return []Timeout{{Name: "ProxyPass timeout=", Seconds: n, Pos: at}}
		}
	}
	for _, name := range []string{"proxytimeout", "timeout"} {
		for _, ds := range [][]*directive{vhost, global} {
			if d := lastDirective(ds, name); d != nil && len(d.Args) > 0 {
				if n, err := strconv.ParseFloat(d.Args[0], 64); err == nil {
					return []Timeout{{Name: map[string]string{"proxytimeout": "ProxyTimeout", "timeout": "Timeout"}[name], Seconds: n, Pos: d.Pos}}
				}
			}
		}
	}
	return []Timeout{{Name: "Timeout (default)", Seconds: 60, Pos: at}}
}

package proxyconf

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// directive is one nginx (or Apache) directive: its name, arguments and
// block, with the place it starts.
type directive struct {
	Name  string
	Args  []string
	Pos   Pos
	Block []*directive // nil when the directive has no block
}

type nginxToken struct {
	text   string
	quoted bool
	line   int
}

// nginxTokens splits nginx syntax: words, quoted strings (with \
// escapes), comments to the end of the line, and ; { } as tokens.
func nginxTokens(file, text string) ([]nginxToken, error) {
	var out []nginxToken
	line := 1
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '#':
			for i < len(text) && text[i] != '\n' {
				i++
			}
		case c == ';' || c == '{' || c == '}':
			out = append(out, nginxToken{text: string(c), line: line})
			i++
		case c == '"' || c == '\'':
			start := line
			var b strings.Builder
			j := i + 1
			for ; j < len(text) && text[j] != c; j++ {
				if text[j] == '\\' && j+1 < len(text) {
					j++
				}
				if text[j] == '\n' {
					line++
				}
				b.WriteByte(text[j])
			}
			if j >= len(text) {
				return nil, syntaxErr(file, start, "unterminated quoted string")
			}
			out = append(out, nginxToken{text: b.String(), quoted: true, line: start})
			i = j + 1
		default:
			j := i
			for j < len(text) && !strings.ContainsRune(" \t\r\n;{}#", rune(text[j])) {
				j++
			}
			out = append(out, nginxToken{text: text[i:j], line: line})
			i = j
		}
	}
	return out, nil
}

// nginxParser builds the directive tree of one file, splicing includes.
type nginxParser struct {
	l     *loader
	file  string
	toks  []nginxToken
	i     int
	depth int // include depth
	nest  int // block depth
}

func parseNginxFile(l *loader, file string, depth int) ([]*directive, error) {
	text, err := l.read(file, depth)
	if err != nil {
		return nil, err
	}
	shown := file
	if l.dump != nil { // places in the dump, where the user can find them
		shown, _ = l.dump.at(file, 0)
	}
	toks, err := nginxTokens(shown, text)
	if err != nil {
		return nil, err
	}
	if l.dump != nil {
		_, off := l.dump.at(file, 0)
		for i := range toks {
			toks[i].line += off
		}
	}
	p := &nginxParser{l: l, file: shown, toks: toks, depth: depth}
	ds, err := p.block(false)
	if err != nil {
		return nil, err
	}
	return ds, nil
}

func (p *nginxParser) block(inner bool) ([]*directive, error) {
	out := []*directive{}
	for p.i < len(p.toks) {
		t := p.toks[p.i]
		if !t.quoted && t.text == "}" {
			if !inner {
				return nil, syntaxErr(p.file, t.line, "unexpected \"}\"")
			}
			p.i++
			return out, nil
		}
		d, err := p.directive()
		if err != nil {
			return nil, err
		}
		if d.Name == "include" && d.Block == nil && len(d.Args) == 1 {
			inc, err := p.include(d)
			if err != nil {
				return nil, err
			}
			out = append(out, inc...)
			continue
		}
		out = append(out, d)
	}
	if inner {
		return nil, syntaxErr(p.file, p.lastLine(), "unexpected end of file, expecting \"}\"")
	}
	return out, nil
}

func (p *nginxParser) lastLine() int {
	if len(p.toks) == 0 {
		return 1
	}
	return p.toks[len(p.toks)-1].line
}

// directive reads "name args... ;" or "name args... { ... }".
func (p *nginxParser) directive() (*directive, error) {
	t := p.toks[p.i]
	if !t.quoted && (t.text == ";" || t.text == "{") {
		return nil, syntaxErr(p.file, t.line, "unexpected %q, expecting a directive", t.text)
	}
	d := &directive{Name: t.text, Pos: Pos{p.file, t.line}}
	for p.i++; p.i < len(p.toks); p.i++ {
		a := p.toks[p.i]
		switch {
		case a.quoted:
			d.Args = append(d.Args, a.text)
		case a.text == ";":
			p.i++
			return d, nil
		case a.text == "{":
			if p.nest++; p.nest > maxNesting {
				return nil, syntaxErr(p.file, a.line, "blocks nested deeper than %d", maxNesting)
			}
			p.i++
			b, err := p.block(true)
			if err != nil {
				return nil, err
			}
			p.nest--
			d.Block = b
			return d, nil
		case a.text == "}":
			return nil, syntaxErr(p.file, a.line, "unexpected \"}\", expecting \";\" after directive %s", token(d.Name))
		default:
			d.Args = append(d.Args, a.text)
		}
	}
	return nil, syntaxErr(p.file, t.line, "unexpected end of file, expecting \";\" after directive %s", token(d.Name))
}

// include splices the files an include names (a glob). nginx resolves a
// relative include against its configuration prefix, the folder of the
// main nginx.conf, not the including file's folder
// (https://nginx.org/en/docs/ngx_core_module.html#include; `nginx -p`/`-c`).
func (p *nginxParser) include(d *directive) ([]*directive, error) {
	arg := d.Args[0]
	pattern := p.l.includePath(arg)
	files, err := p.l.glob(pattern)
	if err != nil {
		return nil, syntaxErr(p.file, d.Pos.Line, "include %s: %v", token(arg), err)
	}
	if len(files) == 0 && !strings.ContainsAny(arg, "*?[") {
		if p.l.dump == nil && pattern != arg && filepath.IsAbs(arg) && fileExists(arg) {
			files = []string{arg} // not in the checkout, but here as on the proxy host (mime.types)
		} else {
			return nil, syntaxErr(p.file, d.Pos.Line, "include %s: no such file %s (relative includes resolve against the folder of the main nginx.conf; set the file's root or reverse_proxy.path_map when the files are checked out elsewhere)", token(arg), sanitize(pattern, 200))
		}
	}
	var out []*directive
	for _, f := range files {
		ds, err := parseNginxFile(p.l, f, p.depth+1)
		if err != nil {
			return nil, includeErr(p.file, d.Pos.Line, arg, err)
		}
		out = append(out, ds...)
	}
	return out, nil
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

func parseNginx(l *loader, file string) (*Config, error) {
	ds, err := parseNginxFile(l, file, 0)
	if err != nil {
		return nil, err
	}
	c := &Config{}
	scope := nginxScope{l: l, upstreams: map[string]*directive{}}
	for _, http := range append(findAll(ds, "http"), &directive{Block: ds}) {
		for _, u := range findAll(http.Block, "upstream") {
			if len(u.Args) > 0 {
				scope.upstreams[u.Args[0]] = u
			}
		}
	}
	for _, http := range findAll(ds, "http") {
		for _, s := range findAll(http.Block, "server") {
			c.Sites = append(c.Sites, scope.site(s, http.Block))
		}
	}
	for _, s := range findAll(ds, "server") { // a conf.d file: server blocks at the top
		c.Sites = append(c.Sites, scope.site(s, nil))
	}
	return c, nil
}

func findAll(ds []*directive, name string) []*directive {
	var out []*directive
	for _, d := range ds {
		if d.Name == name && d.Block != nil {
			out = append(out, d)
		}
	}
	return out
}

func last(ds []*directive, name string) *directive {
	var found *directive
	for _, d := range ds {
		if d.Name == name && d.Block == nil {
			found = d
		}
	}
	return found
}

type nginxScope struct {
	l         *loader
	upstreams map[string]*directive
}

func (sc nginxScope) site(s *directive, httpBlock []*directive) *Site {
	site := &Site{Kind: "server", Pos: s.Pos}
	for _, d := range s.Block {
		switch d.Name {
		case "server_name":
			for _, a := range d.Args {
				site.Names = append(site.Names, Value{strings.ToLower(a), d.Pos})
			}
		case "listen":
			if len(d.Args) > 0 {
				_, port := splitHostPort(d.Args[0])
				if port == 0 {
					port = atoiPort(d.Args[0])
				}
				site.Ports = append(site.Ports, port)
				if slices.Contains(d.Args, "default_server") {
					site.Names = append(site.Names, Value{"*", d.Pos}) // it answers names no other server claims
				}
			}
		case "ssl_certificate":
			// Relative to the configuration prefix, as include
			// (https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_certificate).
			if len(d.Args) > 0 && !strings.Contains(d.Args[0], "$") && !strings.HasPrefix(d.Args[0], "data:") {
				site.CertFiles = append(site.CertFiles, FileRef{sc.l.local(d.Args[0]), d.Args[0], d.Pos})
			}
		}
	}
	outer := [][]*directive{httpBlock, s.Block}
	sc.routes(site, s.Block, outer)
	return site
}

// routes collects proxy_pass routes in locations (nested ones too).
func (sc nginxScope) routes(site *Site, block []*directive, outer [][]*directive) {
	for _, d := range block {
		if d.Name != "location" || d.Block == nil {
			continue
		}
		levels := append(append([][]*directive{}, outer...), d.Block)
		if pp := last(d.Block, "proxy_pass"); pp != nil && len(pp.Args) > 0 {
			site.Routes = append(site.Routes, sc.route(pp, strings.Join(d.Args, " "), levels))
		}
		sc.routes(site, d.Block, levels)
	}
}

func (sc nginxScope) route(pp *directive, path string, levels [][]*directive) *Route {
	r := &Route{Pos: pp.Pos, Path: path}
	scheme, host, port, _ := parseURL(pp.Args[0])
	if u := sc.upstreams[host]; u != nil {
		r.Group = host
		r.Targets, r.Persistence = nginxUpstream(u, scheme)
		if p, ok := nginxHashCookie(u, levels); ok {
			r.Persistence = append(r.Persistence, p)
		}
	} else {
		r.Targets = []Target{{Scheme: scheme, Host: host, Port: port, Pos: pp.Pos}}
	}
	r.Host = nginxHost(levels, pp.Pos)
	r.Timeouts = nginxTimeouts(levels, pp.Pos)
	return r
}

// nginxHost: proxy_set_header directives are inherited from the nearest
// level that has any; without Host among them nginx sends $proxy_host.
func nginxHost(levels [][]*directive, at Pos) Host {
	for i := len(levels) - 1; i >= 0; i-- {
		var headers []*directive
		for _, d := range levels[i] {
			if d.Name == "proxy_set_header" && len(d.Args) >= 2 {
				headers = append(headers, d)
			}
		}
		if len(headers) == 0 {
			continue
		}
		for j := len(headers) - 1; j >= 0; j-- {
			h := headers[j]
			if strings.EqualFold(h.Args[0], "Host") {
				v := h.Args[1]
				return Host{Preserved: v == "$host" || v == "$http_host", Setting: "proxy_set_header Host " + v, Pos: h.Pos}
			}
		}
		break
	}
	return Host{Setting: "", Pos: at}
}

// nginxTimeouts: proxy_read_timeout, inherited, 60 s by default.
func nginxTimeouts(levels [][]*directive, at Pos) []Timeout {
	for i := len(levels) - 1; i >= 0; i-- {
		if d := last(levels[i], "proxy_read_timeout"); d != nil && len(d.Args) > 0 {
			if s, ok := nginxSeconds(d.Args[0]); ok {
				return []Timeout{{Name: "proxy_read_timeout", Seconds: s, Pos: d.Pos}}
			}
		}
	}
	return []Timeout{{Name: "proxy_read_timeout (default)", Seconds: 60, Pos: at}}
}

// nginxSeconds reads nginx time: "90", "90s", "15m", "1h30m", "500ms".
func nginxSeconds(v string) (float64, bool) {
	units := map[string]float64{"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "M": 2592000, "y": 31536000}
	total, num := 0.0, ""
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= '0' && c <= '9' {
			num += string(c)
			continue
		}
		unit := string(c)
		if c == 'm' && i+1 < len(v) && v[i+1] == 's' {
			unit, i = "ms", i+1
		}
		f, ok := units[unit]
		n, err := strconv.Atoi(num)
		if !ok || err != nil {
			return 0, false
		}
		total, num = total+float64(n)*f, ""
	}
	if num != "" {
		n, err := strconv.Atoi(num)
		if err != nil {
			return 0, false
		}
		total += float64(n)
	}
	return total, true
}

func nginxUpstream(u *directive, scheme string) ([]Target, []Persistence) {
	var ts []Target
	var ps []Persistence
	for _, d := range u.Block {
		switch {
		case d.Name == "server" && len(d.Args) > 0:
			host, port := splitHostPort(d.Args[0])
			if port == 0 {
				port = 80 // nginx's default for upstream servers
			}
			ts = append(ts, Target{Scheme: scheme, Host: host, Port: port, Pos: d.Pos})
		case d.Name == "ip_hash":
			ps = append(ps, Persistence{Method: "source", Pos: d.Pos})
		case d.Name == "hash" && len(d.Args) > 0 && (d.Args[0] == "$remote_addr" || d.Args[0] == "$binary_remote_addr"):
			ps = append(ps, Persistence{Method: "source", Pos: d.Pos})
		case d.Name == "sticky" && len(d.Args) >= 2 && d.Args[0] == "cookie":
			ps = append(ps, nginxSticky(d))
		}
	}
	return ts, ps
}

// nginxHashCookie reads cookie persistence built from nginx open source:
// the upstream hashes a variable ("hash $v consistent;") that the
// location hands the client in a cookie ("add_header Set-Cookie
// "NAME=$v; path=/" always;"), so a client that sends it back reaches the
// same server. add_header is inherited from the nearest level that has
// one.
func nginxHashCookie(u *directive, levels [][]*directive) (Persistence, bool) {
	h := last(u.Block, "hash")
	if h == nil || len(h.Args) == 0 || !strings.HasPrefix(h.Args[0], "$") || h.Args[0] == "$remote_addr" || h.Args[0] == "$binary_remote_addr" {
		return Persistence{}, false
	}
	for i := len(levels) - 1; i >= 0; i-- {
		var found bool
		for _, d := range levels[i] {
			if d.Name != "add_header" || d.Block != nil {
				continue
			}
			found = true
			if len(d.Args) < 2 || !strings.EqualFold(d.Args[0], "Set-Cookie") {
				continue
			}
			name, rest, ok := strings.Cut(d.Args[1], "=")
			if !ok || !strings.HasPrefix(rest, h.Args[0]) {
				continue
			}
			return cookieAttrs(Persistence{Method: "cookie", Cookie: strings.TrimSpace(name), Inserted: true, Pos: h.Pos}, rest), true
		}
		if found {
			return Persistence{}, false
		}
	}
	return Persistence{}, false
}

// cookieAttrs reads HttpOnly, Secure and an expiry from a Set-Cookie value.
func cookieAttrs(p Persistence, value string) Persistence {
	for _, a := range strings.Split(value, ";")[1:] {
		a = strings.TrimSpace(a)
		switch k, _, _ := strings.Cut(strings.ToLower(a), "="); k {
		case "httponly":
			p.HTTPOnly = true
		case "secure":
			p.Secure = true
		case "max-age", "expires":
			p.Expiry = a
		}
	}
	return p
}

// nginxSticky reads "sticky cookie NAME [expires=T] [httponly] [secure] ...".
func nginxSticky(d *directive) Persistence {
	p := Persistence{Method: "cookie", Cookie: d.Args[1], Inserted: true, Pos: d.Pos}
	for _, a := range d.Args[2:] {
		switch {
		case a == "httponly":
			p.HTTPOnly = true
		case a == "secure":
			p.Secure = true
		case strings.HasPrefix(a, "expires="):
			p.Expiry = a
		}
	}
	return p
}

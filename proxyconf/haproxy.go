package proxyconf

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// haproxyFiles resolves the certificate files of bind lines.
type haproxyFiles struct {
	l       *loader
	crtBase string // global crt-base, "" none
}

// parseHAProxyDir reads a folder as `haproxy -f DIR` does: its *.cfg
// files (not hidden ones) in lexical order
// (https://docs.haproxy.org/3.0/management.html#3, -f).
func parseHAProxyDir(ctx context.Context, dir string, o Options) (*Config, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".cfg") && !strings.HasPrefix(e.Name(), ".") {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	if len(files) == 0 {
		return nil, syntaxErr(dir, 1, "no *.cfg file in this folder")
	}
	if o.Root == "" {
		o.Root = dir
	}
	l := newLoader(ctx, filepath.Join(dir, "haproxy.cfg"), HAProxy, o)
	c, err := parseHAProxy(l, files)
	if err != nil {
		return nil, err
	}
	c.Family, c.File, c.Files = HAProxy, dir, l.files
	return c, nil
}

// crtPath resolves a certificate path: a relative one against crt-base
// when the global section sets it
// (https://docs.haproxy.org/3.0/configuration.html#3.1-crt-base), else
// against HAProxy's folder.
func (hp haproxyFiles) crtPath(p string) string {
	if !filepath.IsAbs(p) && hp.crtBase != "" {
		p = filepath.Join(hp.crtBase, p)
	}
	return hp.l.local(p)
}

// crt: a file, or a folder whose files are all loaded except the .key,
// .issuer, .ocsp and .sctl companions
// (https://docs.haproxy.org/3.0/configuration.html#5.1-crt).
func (hp haproxyFiles) crt(arg string, at Pos) []FileRef {
	p := hp.crtPath(arg)
	entries, err := os.ReadDir(p)
	if err != nil {
		return []FileRef{{p, arg, at}}
	}
	var out []FileRef
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if e.IsDir() || ext == ".key" || ext == ".issuer" || ext == ".ocsp" || ext == ".sctl" {
			continue
		}
		out = append(out, FileRef{filepath.Join(p, e.Name()), filepath.Join(arg, e.Name()), at})
	}
	return out
}

// crtList: each line of a crt-list names a certificate file first
// (relative to crt-base, the list itself is not), then optional [ssl
// options] and SNI filters
// (https://docs.haproxy.org/3.0/configuration.html#5.1-crt-list).
func (hp haproxyFiles) crtList(arg string, at Pos) []FileRef {
	p := hp.l.local(arg)
	text, err := hp.l.read(p, 1)
	if err != nil {
		return []FileRef{{p, arg, at}} // judged as a file not here
	}
	var out []FileRef
	for i, line := range strings.Split(text, "\n") {
		w := haproxyWords(line)
		if len(w) > 0 {
			out = append(out, hp.crt(w[0], Pos{p, i + 1})...)
		}
	}
	return out
}

// haproxyLine is one keyword line of a section.
type haproxyLine struct {
	Words []string
	Pos   Pos
}

// haproxySection is global, defaults, frontend, backend, listen, ...
type haproxySection struct {
	Kind, Name string
	Pos        Pos
	Lines      []haproxyLine
}

// haproxyWords splits a line as HAProxy does: blanks separate words,
// quotes group them, a backslash escapes, # starts a comment.
func haproxyWords(s string) []string {
	var out []string
	var b strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && quote != '\'':
			i++
			b.WriteByte(s[i])
			inWord = true
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			b.WriteByte(c)
		case c == '"' || c == '\'':
			quote, inWord = c, true
		case c == '#':
			i = len(s)
		case c == ' ' || c == '\t' || c == '\r':
			if inWord {
				out, inWord = append(out, b.String()), false
				b.Reset()
			}
		default:
			b.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		out = append(out, b.String())
	}
	return out
}

var haproxySectionKinds = map[string]bool{"global": true, "defaults": true, "frontend": true, "backend": true,
	"listen": true, "resolvers": true, "peers": true, "userlist": true, "mailers": true, "program": true,
	"http-errors": true, "ring": true, "cache": true, "log-forward": true, "crt-store": true, "traces": true}

func haproxySections(file, text string) ([]*haproxySection, error) {
	var out []*haproxySection
	for i, raw := range strings.Split(text, "\n") {
		w := haproxyWords(raw)
		if len(w) == 0 {
			continue
		}
		pos := Pos{file, i + 1}
		if haproxySectionKinds[w[0]] {
			s := &haproxySection{Kind: w[0], Pos: pos}
			if len(w) > 1 {
				s.Name = w[1]
			}
			out = append(out, s)
			continue
		}
		if len(out) == 0 {
			return nil, syntaxErr(file, i+1, "%s outside any section, expecting global, defaults, frontend, backend or listen first", token(w[0]))
		}
		cur := out[len(out)-1]
		cur.Lines = append(cur.Lines, haproxyLine{Words: w, Pos: pos})
	}
	return out, nil
}

// parseHAProxy reads the files as `haproxy -f a -f b` does: one after
// the other, a defaults section applying to the sections after it.
func parseHAProxy(l *loader, files []string) (*Config, error) {
	var secs []*haproxySection
	for _, f := range files {
		text, err := l.read(f, 0)
		if err != nil {
			return nil, err
		}
		more, err := haproxySections(f, text)
		if err != nil {
			return nil, err
		}
		secs = append(secs, more...)
	}
	hp := haproxyFiles{l: l}
	for _, s := range secs {
		if s.Kind != "global" {
			continue
		}
		for _, ln := range s.Lines {
			if ln.Words[0] == "crt-base" && len(ln.Words) > 1 {
				hp.crtBase = ln.Words[1]
			}
		}
	}
	backends := map[string]*haproxySection{}
	var defaults *haproxySection
	defaultsOf := map[*haproxySection]*haproxySection{}
	for _, s := range secs {
		if s.Kind == "defaults" {
			defaults = s
		}
		defaultsOf[s] = defaults
		if s.Kind == "backend" || s.Kind == "listen" {
			backends[s.Name] = s
		}
	}
	c := &Config{}
	for _, s := range secs {
		if s.Kind == "frontend" || s.Kind == "listen" {
			c.Sites = append(c.Sites, hp.site(s, backends, defaultsOf))
		}
	}
	return c, nil
}

func (hp haproxyFiles) site(s *haproxySection, backends map[string]*haproxySection, defaultsOf map[*haproxySection]*haproxySection) *Site {
	site := &Site{Kind: s.Kind, Name: s.Name, Pos: s.Pos}
	var used []haproxyLine // use_backend / default_backend lines
	for _, l := range s.Lines {
		w := l.Words
		switch w[0] {
		case "bind":
			hp.bind(site, l)
		case "acl":
			site.Names = append(site.Names, haproxyHostACL(l)...)
		case "use_backend", "default_backend":
			if len(w) > 1 {
				used = append(used, l)
			}
		}
	}
	if len(site.Names) == 0 {
		site.Names = []Value{{"*", s.Pos}} // no Host rule: every name reaches it
	}
	if s.Kind == "listen" {
		site.Routes = append(site.Routes, haproxyRoute(s, s.Pos, defaultsOf[s]))
	}
	for _, l := range used {
		if b := backends[l.Words[1]]; b != nil {
			site.Routes = append(site.Routes, haproxyRoute(b, l.Pos, defaultsOf[b]))
		}
	}
	return site
}

func (hp haproxyFiles) bind(site *Site, l haproxyLine) {
	w := l.Words
	if len(w) > 1 {
		for _, addr := range strings.Split(w[1], ",") {
			_, port := splitHostPort(addr)
			site.Ports = append(site.Ports, port)
		}
	}
	for i := 2; i+1 < len(w); i++ {
		switch w[i] {
		case "crt", "default-crt":
			site.CertFiles = append(site.CertFiles, hp.crt(w[i+1], l.Pos)...)
		case "crt-list":
			site.CertFiles = append(site.CertFiles, hp.crtList(w[i+1], l.Pos)...)
		}
	}
}

// haproxyHostACL reads the names of "acl N hdr(host) -i a b" and the SNI
// fetches.
func haproxyHostACL(l haproxyLine) []Value {
	w := l.Words
	if len(w) < 4 {
		return nil
	}
	fetch := strings.ToLower(w[2])
	hostFetch := strings.Contains(fetch, "(host)") || strings.Contains(fetch, "sni") || fetch == "req.hdr(host)"
	if !hostFetch {
		return nil
	}
	regex := strings.Contains(fetch, "_reg")
	var out []Value
	for i := 3; i < len(w); i++ {
		a := w[i]
		switch {
		case a == "-m" && i+1 < len(w):
			i++
			regex = regex || w[i] == "reg"
			continue
		case strings.HasPrefix(a, "-"):
			continue
		case regex:
			out = append(out, Value{"~" + a, l.Pos})
			continue
		}
		host, _ := splitHostPort(a)
		out = append(out, Value{strings.ToLower(host), l.Pos})
	}
	return out
}

// haproxyRoute reads a backend (or listen) section; at is the line that
// sends traffic to it.
func haproxyRoute(b *haproxySection, at Pos, def *haproxySection) *Route {
	r := &Route{Pos: at, Group: b.Name, Host: Host{Preserved: true, Pos: at}}
	lines := b.Lines
	if def != nil {
		lines = append(append([]haproxyLine{}, def.Lines...), b.Lines...)
	}
	for _, l := range lines {
		w := l.Words
		switch {
		case w[0] == "server" && len(w) > 2:
			r.Targets = append(r.Targets, haproxyServer(l))
		case w[0] == "balance" && len(w) > 1:
			r.Persistence = dropMethod(r.Persistence, "source")
			if w[1] == "source" {
				r.Persistence = append(r.Persistence, Persistence{Method: "source", Pos: l.Pos})
			}
		case w[0] == "stick" && len(w) > 2 && w[1] == "on" && w[2] == "src":
			r.Persistence = append(r.Persistence, Persistence{Method: "source", Pos: l.Pos})
		case w[0] == "cookie" && len(w) > 1:
			r.Persistence = append(dropMethod(r.Persistence, "cookie"), haproxyCookie(l))
		case w[0] == "http-request" && len(w) > 2 && (w[1] == "set-header" || w[1] == "replace-header" || w[1] == "replace-value") && strings.EqualFold(w[2], "host"):
			r.Host = Host{Preserved: false, Setting: strings.Join(w, " "), Pos: l.Pos}
		case w[0] == "timeout" && len(w) > 2 && (w[1] == "server" || w[1] == "tunnel"):
			if s, ok := haproxySeconds(w[2]); ok {
				r.Timeouts = append(dropTimeout(r.Timeouts, "timeout "+w[1]), Timeout{Name: "timeout " + w[1], Seconds: s, Pos: l.Pos})
			}
		}
	}
	return r
}

func dropMethod(ps []Persistence, method string) []Persistence {
	var out []Persistence
	for _, p := range ps {
		if p.Method != method {
			out = append(out, p)
		}
	}
	return out
}

func dropTimeout(ts []Timeout, name string) []Timeout {
	var out []Timeout
	for _, t := range ts {
		if t.Name != name {
			out = append(out, t)
		}
	}
	return out
}

func haproxyServer(l haproxyLine) Target {
	w := l.Words
	host, port := splitHostPort(w[2])
	t := Target{Scheme: "http", Host: host, Port: port, Pos: l.Pos}
	for _, o := range w[3:] {
		if o == "ssl" {
			t.Scheme = "https"
		}
	}
	return t
}

// haproxyCookie reads "cookie NAME insert [indirect] [nocache] [httponly]
// [secure] [attr VALUE]... [maxidle T] [maxlife T]". maxidle and maxlife
// are enforced by HAProxy from a date it keeps in the value; they put no
// expiry on the cookie, so they are not an Expiry.
func haproxyCookie(l haproxyLine) Persistence {
	w := l.Words
	p := Persistence{Method: "cookie", Cookie: w[1], Pos: l.Pos}
	for i := 2; i < len(w); i++ {
		switch strings.ToLower(w[i]) {
		case "insert":
			p.Inserted = true
		case "httponly":
			p.HTTPOnly = true
		case "secure":
			p.Secure = true
		case "attr":
			if i+1 < len(w) {
				i++
				a := strings.ToLower(w[i])
				if strings.HasPrefix(a, "max-age") || strings.HasPrefix(a, "expires") {
					p.Expiry = w[i]
				}
				if a == "httponly" {
					p.HTTPOnly = true
				}
			}
		case "maxidle", "maxlife", "domain":
			i++
		}
	}
	return p
}

// haproxySeconds reads HAProxy time: milliseconds by default, or with a
// unit us, ms, s, m, h, d.
func haproxySeconds(v string) (float64, bool) {
	units := []struct {
		suffix string
		f      float64
	}{{"us", 1e-6}, {"ms", 1e-3}, {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}}
	f := 1e-3
	for _, u := range units {
		if strings.HasSuffix(v, u.suffix) {
			v, f = strings.TrimSuffix(v, u.suffix), u.f
			break
		}
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, false
	}
	return n * f, true
}

package proxyconf

import (
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// xmlNode is an element with its attributes and line.
type xmlNode struct {
	Name     string
	Attrs    map[string]string
	Line     int
	Children []*xmlNode
}

func (n *xmlNode) child(names ...string) *xmlNode {
	cur := n
	for _, name := range names {
		var next *xmlNode
		for _, c := range cur.Children {
			if strings.EqualFold(c.Name, name) {
				next = c
				break
			}
		}
		if next == nil {
			return nil
		}
		cur = next
	}
	return cur
}

// all returns every descendant element named name, in document order.
func (n *xmlNode) all(name string) []*xmlNode {
	var out []*xmlNode
	for _, c := range n.Children {
		if strings.EqualFold(c.Name, name) {
			out = append(out, c)
		}
		out = append(out, c.all(name)...)
	}
	return out
}

func (n *xmlNode) attr(name string) (string, bool) {
	v, ok := n.Attrs[strings.ToLower(name)]
	return v, ok
}

// parseXML builds the element tree; lines come from the decoder's
// InputOffset taken before each token.
func parseXML(file, text string) (*xmlNode, error) {
	lineAt := lineIndex(text)
	dec := xml.NewDecoder(strings.NewReader(text))
	root := &xmlNode{Name: "#document"}
	stack := []*xmlNode{root}
	for {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, syntaxErr(file, se.Line, "%s", sanitize(se.Msg, 120))
			}
			return nil, syntaxErr(file, lineAt(dec.InputOffset()), "%s", sanitize(err.Error(), 120))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{Name: t.Name.Local, Attrs: map[string]string{}, Line: lineAt(off)}
			for _, a := range t.Attr {
				n.Attrs[strings.ToLower(a.Name.Local)] = a.Value
			}
			if len(stack) > maxNesting {
				return nil, syntaxErr(file, n.Line, "elements nested deeper than %d", maxNesting)
			}
			top := stack[len(stack)-1]
			top.Children = append(top.Children, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	return root, nil
}

// lineIndex returns a function from byte offset to 1-based line.
func lineIndex(text string) func(int64) int {
	var starts []int64
	for i := range len(text) {
		if text[i] == '\n' {
			starts = append(starts, int64(i))
		}
	}
	return func(off int64) int {
		return sort.Search(len(starts), func(i int) bool { return starts[i] >= off }) + 1
	}
}

type arrScope struct {
	file  string
	farms map[string]*xmlNode
	proxy *xmlNode // system.webServer/proxy
}

func (sc arrScope) pos(n *xmlNode) Pos { return Pos{sc.file, n.Line} }

func parseARR(l *loader, file string) (*Config, error) {
	text, err := l.read(file, 0)
	if err != nil {
		return nil, err
	}
	root, err := parseXML(file, text)
	if err != nil {
		return nil, err
	}
	sc := arrScope{file: file, farms: map[string]*xmlNode{}}
	for _, f := range root.all("webFarm") {
		name, _ := f.attr("name")
		sc.farms[strings.ToLower(name)] = f
	}
	if p := root.all("proxy"); len(p) > 0 {
		sc.proxy = p[0]
	}
	bindings := bindingNames(root, sc)
	c := &Config{}
	for _, rule := range root.all("rule") {
		if s := sc.site(rule, bindings); s != nil {
			c.Sites = append(c.Sites, s)
		}
	}
	return c, nil
}

// bindingNames are the host names of the sites' https bindings
// ("*:443:meet.contoso.com").
func bindingNames(root *xmlNode, sc arrScope) []Value {
	var out []Value
	for _, b := range root.all("binding") {
		info, _ := b.attr("bindingInformation")
		parts := strings.Split(info, ":")
		if len(parts) == 3 && parts[2] != "" {
			out = append(out, Value{strings.ToLower(parts[2]), sc.pos(b)})
		}
	}
	return out
}

// site reads a URL Rewrite rule whose action routes to a server farm.
func (sc arrScope) site(rule *xmlNode, bindings []Value) *Site {
	action := rule.child("action")
	if action == nil {
		return nil
	}
	if v, ok := rule.attr("enabled"); ok && strings.EqualFold(v, "false") {
		return nil // IIS keeps a disabled rule and never applies it
	}
	url, _ := action.attr("url")
	scheme, farmName, _, _ := parseURL(url)
	farm := sc.farms[strings.ToLower(farmName)]
	if farm == nil {
		return nil
	}
	name, _ := rule.attr("name")
	s := &Site{Kind: "rule", Name: name, Pos: sc.pos(rule)}
	httpsOff := false
	for _, cond := range rule.all("add") {
		input, _ := cond.attr("input")
		pattern, _ := cond.attr("pattern")
		if v, _ := cond.attr("negate"); strings.EqualFold(v, "true") {
			continue // a name the rule excludes is not one it serves
		}
		switch strings.ToUpper(input) {
		case "{HTTP_HOST}":
			s.Names = append(s.Names, Value{hostPattern(pattern), sc.pos(cond)})
		case "{HTTPS}":
			httpsOff = strings.EqualFold(pattern, "off") || strings.EqualFold(pattern, "^OFF$")
		}
	}
	if len(s.Names) == 0 {
		s.Names = bindings
	}
	if len(s.Names) == 0 {
		s.Names = []Value{{"*", s.Pos}}
	}
	if scheme == "http" && !httpsOff {
		s.SSLOffload = &Flag{On: true, Pos: sc.pos(action)}
	}
	s.Routes = []*Route{sc.route(farm, scheme, action)}
	return s
}

var hostPatternEscape = regexp.MustCompile(`\\(.)`)

// hostPattern turns a {HTTP_HOST} pattern into the name it matches, "*"
// when it matches any.
func hostPattern(p string) string {
	bare := strings.TrimSuffix(strings.TrimPrefix(p, "^"), "$")
	if bare == "*" || bare == ".*" || bare == ".+" || bare == "" {
		return "*"
	}
	if strings.ContainsAny(bare, "()|[]+?{}") {
		return "~" + p // a regular expression: the judge matches names against it
	}
	return strings.ToLower(hostPatternEscape.ReplaceAllString(bare, "$1"))
}

func (sc arrScope) route(farm *xmlNode, scheme string, action *xmlNode) *Route {
	name, _ := farm.attr("name")
	r := &Route{Pos: sc.pos(action), Group: name, Host: Host{Preserved: true, Pos: sc.pos(action)}}
	for _, srv := range farm.Children {
		if !strings.EqualFold(srv.Name, "server") {
			continue
		}
		r.Targets = append(r.Targets, sc.target(srv, scheme))
	}
	if sc.proxy != nil {
		if v, ok := sc.proxy.attr("preserveHostHeader"); ok {
			r.Host = Host{Preserved: strings.EqualFold(v, "true"), Setting: `preserveHostHeader="` + v + `"`, Pos: sc.pos(sc.proxy)}
		}
		if t, ok := arrTimeout(sc.proxy, "proxy timeout", sc); ok {
			r.Timeouts = []Timeout{t}
		}
	}
	if arr := farm.child("applicationRequestRouting"); arr != nil {
		if p := arr.child("protocol"); p != nil {
			if t, ok := arrTimeout(p, "web farm protocol timeout", sc); ok {
				r.Timeouts = []Timeout{t}
			}
		}
		r.Persistence = sc.affinity(arr)
	}
	return r
}

func (sc arrScope) target(srv *xmlNode, scheme string) Target {
	addr, _ := srv.attr("address")
	t := Target{Scheme: scheme, Host: addr, Pos: sc.pos(srv)}
	t.Port = map[string]int{"https": 443, "http": 80}[scheme]
	if a := srv.child("applicationRequestRouting"); a != nil {
		t.Pos = sc.pos(a)
		key := map[string]string{"https": "httpsPort", "http": "httpPort"}[scheme]
		if v, ok := a.attr(key); ok {
			if n, err := strconv.Atoi(v); err == nil {
				t.Port = n
			}
		}
	}
	return t
}

func (sc arrScope) affinity(arr *xmlNode) []Persistence {
	var out []Persistence
	if a := arr.child("affinity"); a != nil {
		if v, _ := a.attr("useCookie"); strings.EqualFold(v, "true") {
			name, ok := a.attr("cookieName")
			if !ok {
				name = "ARRAffinity"
			}
			out = append(out, Persistence{Method: "cookie", Cookie: name, Inserted: true, Pos: sc.pos(a)})
		}
	}
	if lb := arr.child("loadBalancing"); lb != nil {
		alg, _ := lb.attr("algorithm")
		v, _ := lb.attr("hashServerVariable")
		if strings.EqualFold(alg, "RequestHash") && strings.EqualFold(v, "REMOTE_ADDR") {
			out = append(out, Persistence{Method: "source", Pos: sc.pos(lb)})
		}
	}
	return out
}

// arrTimeout reads timeout="hh:mm:ss".
func arrTimeout(n *xmlNode, name string, sc arrScope) (Timeout, bool) {
	v, ok := n.attr("timeout")
	if !ok {
		return Timeout{}, false
	}
	parts := strings.Split(v, ":")
	secs := 0.0
	for _, p := range parts {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil {
			return Timeout{}, false
		}
		secs = secs*60 + f
	}
	return Timeout{Name: name, Seconds: secs, Pos: sc.pos(n)}, true
}

package checks

import (
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/lyncprobe/lyncprobe/config"
)

// Proxy is the proxy family a run found answering, and how it knows.
type Proxy struct {
	Family string // a key of FamilyNames, "" when unknown
	From   string // "reverse_proxy.family", "Server: nginx/1.22.1", …
}

// familyOfServer is the proxy family a Server header names, "" for none
// (and for IIS, which is the front ends' as much as ARR's).
func familyOfServer(server string) string {
	s := strings.ToLower(server)
	switch {
	case strings.HasPrefix(s, "nginx"), strings.HasPrefix(s, "openresty"):
		return "nginx"
	case strings.HasPrefix(s, "apache"):
		return "apache"
	case strings.HasPrefix(s, "haproxy"):
		return "haproxy"
	case strings.HasPrefix(s, "bigip"), strings.HasPrefix(s, "big-ip"):
		return "f5"
	case strings.Contains(s, "kemp"), strings.Contains(s, "loadmaster"):
		return "kemp"
	}
	return ""
}

// bareVia is TMG's Via: "1.1 <array or server name>", no product comment.
var bareVia = regexp.MustCompile(`^(?:HTTP/)?1\.[01] [A-Za-z0-9_.-]+$`)

// familyOfHeaders is the proxy family an answer's headers show, with the
// header that shows it.
func familyOfHeaders(h http.Header) (family, from string) {
	if f := familyOfServer(h.Get("Server")); f != "" {
		return f, "Server: " + h.Get("Server")
	}
	if xp := h.Get("X-Powered-By"); strings.Contains(xp, "ARR/") {
		return "arr", "X-Powered-By: " + xp
	}
	for _, line := range h.Values("Set-Cookie") {
		name, _, _ := strings.Cut(line, "=")
		switch {
		case strings.HasPrefix(name, "BIGipServer"):
			return "f5", "a " + name + " persistence cookie"
		case strings.HasPrefix(name, "MSISAuth"), strings.HasPrefix(name, "EdgeAccessCookie"):
			return "wap", "a " + name + " cookie"
		}
	}
	via := strings.TrimSpace(h.Get("Via"))
	low := strings.ToLower(via)
	switch {
	case via == "":
	case strings.Contains(low, "(apache"):
		return "apache", "Via: " + via
	case strings.Contains(low, "big-ip"), strings.Contains(low, "bigip"):
		return "f5", "Via: " + via
	case strings.Contains(low, "haproxy"):
		return "haproxy", "Via: " + via
	case strings.Contains(low, "nginx"):
		return "nginx", "Via: " + via
	case bareVia.MatchString(via):
		return "tmg", "Via: " + via + " (TMG names its array in Via)"
	}
	return "", ""
}

// familyOfFiles is the family reverse_proxy.config_files are written for:
// the family given, else one the file name says.
func familyOfFiles(files []config.ProxyConfigFile) (family, from string) {
	for _, f := range files {
		if f.Family != "" {
			return f.Family, "reverse_proxy.config_files (" + filepath.Base(f.Path) + ")"
		}
		base := strings.ToLower(filepath.Base(f.Path))
		for _, fam := range []string{"nginx", "haproxy", "apache", "httpd"} {
			if strings.Contains(base, fam) {
				return strings.Replace(fam, "httpd", "apache", 1), "reverse_proxy.config_files (" + filepath.Base(f.Path) + ")"
			}
		}
		if base == "web.config" || base == "applicationhost.config" {
			return "arr", "reverse_proxy.config_files (" + filepath.Base(f.Path) + ")"
		}
	}
	return "", ""
}

// proxyFamily is the family: reverse_proxy.family overrides; else the
// Server, Via and cookies of the answers the results recorded (a proxy
// passes the front ends' Server on but writes its own on the answers it
// makes itself, errors and challenges; TMG names its array in Via); else
// the config files. It sends nothing: an extra request would move a
// round-robin balancer on and change what a later run sees.
func (e *Env) proxyFamily(rs []Result) Proxy {
	rp := e.Dep.ReverseProxy
	if rp.Family != "" {
		return Proxy{rp.Family, "reverse_proxy.family"}
	}
	for _, r := range rs {
		if f, from := familyOfHeaders(evidenceHeaders(r.Evidence, 2)); f != "" {
			return Proxy{f, from}
		}
	}
	f, from := familyOfFiles(rp.ConfigFiles)
	return Proxy{f, from}
}

// evidenceHeaders gathers the server and via values a result's evidence
// recorded (answer.evidence), depth levels down, as headers.
func evidenceHeaders(ev map[string]any, depth int) http.Header {
	h := http.Header{}
	for k, v := range ev {
		switch v := v.(type) {
		case string:
			switch k {
			case "server":
				h.Set("Server", v)
			case "via":
				h.Set("Via", v)
			case "x_powered_by":
				h.Set("X-Powered-By", v)
			case "set_cookie": // affinity.cookie records the persistence cookie
				h.Add("Set-Cookie", v)
			}
		case map[string]any:
			if depth > 1 {
				for hk, hv := range evidenceHeaders(v, depth-1) {
					if h.Get(hk) == "" {
						h[hk] = hv
					}
				}
			}
		}
	}
	return h
}

// orderFixes puts the answering proxy's fix first: on every warn and fail
// of a check with per-family fixes, Fixes lists them (that family first,
// then any-proxy advice, then the others), and the Remedy every format
// prints starts with that family's fix. Only the results of the checks
// in answered get them: those judged from the deployment's answers
// (network, zone file); a result judged from a certificate file or a
// proxy configuration keeps the remedy its check wrote (a prediction
// names the configuration's own directive).
func (e *Env) orderFixes(rs []Result, answered map[string]bool) {
	fixable := func(r Result) bool { return answered[r.ID] && needsFix(r) }
	if !slices.ContainsFunc(rs, fixable) {
		return
	}
	px := e.proxyFamily(rs)
	for i := range rs {
		if !fixable(rs[i]) {
			continue
		}
		c, _ := CheckByID(rs[i].ID)
		rs[i].Fixes = fixesFor(c.About.Fix, px.Family)
		if px.Family == "" || c.About.Fix[px.Family] == "" {
			continue
		}
		rs[i].Proxy, rs[i].ProxyFrom = px.Family, px.From
		rs[i].Remedy = FamilyNames[px.Family] + " (detected from " + px.From + "): " + c.About.Fix[px.Family] + " " + rs[i].Remedy
	}
}

func needsFix(r Result) bool {
	if r.Status != Warn && r.Status != Fail {
		return false
	}
	c, ok := CheckByID(r.ID)
	return ok && len(c.About.Fix) > 0
}

// fixesFor orders a check's fixes: family first, "all", then the rest in
// Families order.
func fixesFor(fix map[string]string, family string) []Fix {
	var out []Fix
	add := func(f string) {
		if t, ok := fix[f]; ok && !slices.ContainsFunc(out, func(x Fix) bool { return x.Family == f }) {
			out = append(out, Fix{Family: f, Name: FamilyNames[f], Text: t})
		}
	}
	if family != "" {
		add(family)
	}
	for _, f := range Families {
		add(f)
	}
	return out
}

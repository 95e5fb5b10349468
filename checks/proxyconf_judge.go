package checks

import (
	"fmt"
	"strings"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/proxyconf"
)

// Findings from a proxy configuration that predict a live verdict: they
// carry the live check's ID, so static and live runs can be compared.

// familyLabel is how the shared remedies (http_remedy.go) name a family.
var familyLabel = map[proxyconf.Family]string{
	proxyconf.Nginx: "nginx:", proxyconf.Apache: "Apache:", proxyconf.ARR: "IIS ARR:", proxyconf.HAProxy: "HAProxy:",
}

var remedyLabels = []string{"TMG:", "nginx:", "Apache:", "IIS ARR:", "HAProxy:", "Web Application Proxy:", "Until then"}

// familyRemedy keeps a shared remedy's first sentence and the family's
// own part, so the static finding reads like the live one.
func familyRemedy(remedy string, f proxyconf.Family) string {
	label := familyLabel[f]
	start := strings.Index(remedy, label)
	lead := remedy
	if i := strings.Index(remedy, "TMG:"); i > 0 {
		lead = strings.TrimSpace(remedy[:i])
	}
	if start < 0 {
		return lead
	}
	end := len(remedy)
	for _, l := range remedyLabels {
		if i := strings.Index(remedy[start+len(label):], l); i >= 0 && start+len(label)+i < end {
			end = start + len(label) + i
		}
	}
	return lead + " " + strings.TrimSpace(remedy[start:end])
}

// predict judges every Lync site's routes of every proxy config.
func (e *Env) predict() []Result {
	var out []Result
	for _, l := range e.lyncSites() {
		out = append(out, e.predictCoverage(l)...)
		for _, rt := range l.site.Routes {
			out = append(out, judgeHostHeader(l, rt))
			out = append(out, judgeBridge(l, rt)...)
			out = append(out, e.judgeStickiness(l, rt))
			out = append(out, e.judgeCookies(l, rt)...)
		}
	}
	return dedupe(out)
}

// dedupe keeps the first of results with the same (ID, Target, Via): a
// route reached from two frontends points at the same lines.
func dedupe(rs []Result) []Result {
	seen := map[[3]string]bool{}
	var out []Result
	for _, r := range rs {
		k := [3]string{r.ID, r.Target, r.Via}
		if !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out
}

func judgeHostHeader(l lyncSite, rt *proxyconf.Route) Result {
	h := rt.Host
	r := Result{ID: "http.host-forwarding", Target: l.target(), Evidence: map[string]any{"family": string(l.cfg.Family), "setting": h.Setting}}
	if h.Preserved {
		r.Status, r.Message = Pass, "the route forwards the client's Host header"
		if h.Setting != "" {
			r.Message += " (" + h.Setting + ")"
		}
		return at(r, h.Pos)
	}
	r.Status = Fail
	if h.Setting == "" {
		r.Message = map[proxyconf.Family]string{
			proxyconf.Nginx:  "no proxy_set_header Host: nginx sends the proxy_pass name ($proxy_host) as Host, so meet and dial-in will come up blank",
			proxyconf.Apache: "ProxyPreserveHost is not On: Apache sends the target's name as Host, so meet and dial-in will come up blank",
		}[l.cfg.Family]
	}
	if r.Message == "" {
		r.Message = fmt.Sprintf("%s: the front ends get another Host than the client's, so meet and dial-in will come up blank", h.Setting)
	}
	r.Remedy = familyRemedy(hostForwardRemedy, l.cfg.Family)
	return at(r, h.Pos)
}

// judgeBridge: targets must be the front ends' external site, 4443 (8080
// for HTTP); 443/80 is the internal site. Office Web Apps is on 443.
func judgeBridge(l lyncSite, rt *proxyconf.Route) []Result {
	if onlyOWA(l.names) {
		return nil
	}
	var out []Result
	for _, t := range rt.Targets {
		if owaTarget(l.names, t.Host) {
			continue // a site that routes by Host (HAProxy ACLs) also reaches OWA, on 443 by design
		}
		port := t.DefaultPort()
		r := Result{ID: "http.internal-site-exposed", Target: l.target(),
			Evidence: map[string]any{"upstream": fmt.Sprintf("%s:%d", t.Host, port), "group": rt.Group}}
		switch port {
		case 4443, 8080:
			r.Status, r.Message = Pass, fmt.Sprintf("upstream %s:%d is the front ends' external web site", t.Host, port)
		case 443, 80:
			r.Status = Fail
			r.Message = fmt.Sprintf("upstream %s:%d is the front ends' internal web site (443/80), which exposes /cscp and /OcsPowerShell", t.Host, port)
			r.Remedy = familyRemedy(bridgeRemedy, l.cfg.Family)
			r.Evidence["security"] = "the Control Panel and remote PowerShell would be reachable from the Internet"
		default:
			r.Status = Warn
			r.Message = fmt.Sprintf("upstream %s:%d is neither the external web site's 4443 nor 8080", t.Host, port)
			r.Remedy = familyRemedy(bridgeRemedy, l.cfg.Family)
		}
		out = append(out, at(r, t.Pos))
	}
	return out
}

// owaTarget: the upstream is the Office Web Apps server the site
// publishes, which is on 443/80, not 4443/8080.
func owaTarget(ps []config.Published, host string) bool {
	for _, p := range ps {
		if p.Role == config.RoleOWA && strings.EqualFold(p.Host, host) {
			return true
		}
	}
	return false
}

func onlyOWA(ps []config.Published) bool {
	for _, p := range ps {
		if p.Role != config.RoleOWA {
			return false
		}
	}
	return true
}

// judgeStickiness: with several front ends the group must keep a client
// on one (source address or cookie).
func (e *Env) judgeStickiness(l lyncSite, rt *proxyconf.Route) Result {
	r := Result{ID: "affinity.sticky", Target: l.target(), Evidence: map[string]any{"servers": len(rt.Targets), "group": rt.Group}}
	switch {
	case len(rt.Persistence) > 0:
		p := rt.Persistence[0]
		r.Status, r.Message = Pass, "the upstream group keeps each client on one server ("+persistenceName(p)+")"
		return at(r, p.Pos)
	case len(rt.Targets) < 2:
		r.Status, r.Message = Pass, "one upstream server: nothing to balance"
		return at(r, rt.Pos)
	}
	r.Status = Warn
	if e.Dep.Version == "lync2010" {
		r.Status = Fail
	}
	r.Message = fmt.Sprintf("%d upstream servers with no persistence: each new connection may reach another front end, which breaks Lync Web App joins", len(rt.Targets))
	r.Remedy = "Keep each client on one front end (Microsoft: Lync Server 2013 hardware load balancer requirements): " + map[proxyconf.Family]string{
		proxyconf.Nginx:   "nginx: ip_hash; (or hash $remote_addr;) in the upstream block.",
		proxyconf.HAProxy: "HAProxy: balance source in the backend, or cookie MS-WSMAN insert indirect nocache.",
		proxyconf.Apache:  "Apache: a stickysession cookie on the balancer (ProxySet stickysession=ROUTEID).",
		proxyconf.ARR:     "IIS ARR: Server Affinity, <affinity useCookie=\"true\" /> in the farm.",
	}[l.cfg.Family]
	pos := rt.Pos
	if len(rt.Targets) > 0 {
		pos = rt.Targets[0].Pos
	}
	return at(r, pos)
}

func persistenceName(p proxyconf.Persistence) string {
	if p.Method == "cookie" {
		return "cookie " + p.Cookie
	}
	return "client address"
}

// judgeCookies: a persistence cookie the proxy sets must be MS-WSMAN,
// not HttpOnly and without an expiry.
func (e *Env) judgeCookies(l lyncSite, rt *proxyconf.Route) []Result {
	var out []Result
	for _, p := range rt.Persistence {
		if p.Method != "cookie" {
			continue
		}
		r := Result{ID: "affinity.cookie", Target: l.target(), Evidence: map[string]any{"cookie": p.Cookie, "httponly": p.HTTPOnly, "expiry": p.Expiry}}
		var problems []string
		if p.HTTPOnly {
			problems = append(problems, "it is HttpOnly")
		}
		if p.Expiry != "" {
			problems = append(problems, "it has an expiry ("+p.Expiry+")")
		}
		switch {
		case p.Cookie == "MS-WSMAN" && len(problems) > 0:
			r.Status = Fail
			r.Message = "the MS-WSMAN cookie breaks Microsoft's rules: " + strings.Join(problems, " and ")
			r.Remedy = "The MS-WSMAN cookie must not be HttpOnly and must not have an expiration time (Microsoft: Lync Server 2013 hardware load balancer requirements). " + cookieFix[l.cfg.Family]
		case p.Cookie == "MS-WSMAN":
			r.Status, r.Message = Pass, "the proxy sets MS-WSMAN without HttpOnly or an expiry"
		default:
			r.Status = Info
			if e.Dep.Version == "lync2010" {
				r.Status = Warn
			}
			r.Message = fmt.Sprintf("the persistence cookie is %s, not MS-WSMAN, the name Lync 2010's web services expect", p.Cookie)
			if len(problems) > 0 {
				r.Message += "; " + strings.Join(problems, " and ")
			}
			r.Remedy = "Name the persistence cookie MS-WSMAN (needed while Lync 2010 pools remain; Microsoft: Lync Server 2013 hardware load balancer requirements). " + cookieFix[l.cfg.Family]
		}
		out = append(out, at(r, p.Pos))
	}
	return out
}

var cookieFix = map[proxyconf.Family]string{
	proxyconf.HAProxy: "HAProxy: cookie MS-WSMAN insert indirect nocache, without httponly and without attr Max-Age/Expires (maxidle/maxlife are fine: they set no expiry).",
	proxyconf.Nginx:   "nginx: sticky cookie MS-WSMAN; without expires= or httponly.",
	proxyconf.Apache:  "Apache: Header add Set-Cookie \"MS-WSMAN=...; path=/\" without HttpOnly, Max-Age or Expires.",
	proxyconf.ARR:     "IIS ARR: <affinity useCookie=\"true\" cookieName=\"MS-WSMAN\" />.",
}

// predictCoverage: each certificate file a site names covers the
// published names that site serves (cert.san-coverage, as live).
func (e *Env) predictCoverage(l lyncSite) []Result {
	var out []Result
	for _, f := range l.site.CertFiles {
		chain, err := readCertQuiet(e.runCtx, f.Path)
		if err != nil {
			continue // proxy.certificate-files names it
		}
		for _, p := range l.names {
			r := judgeCoverage(certSeen{Host: p.Host, Via: "file " + f.Path, File: f.Path, Chain: chain})
			r.ID, r.Target = "cert.san-coverage", p.Host
			out = append(out, at(r, f.Pos))
		}
	}
	return out
}

package checks

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/probe"
	"github.com/lyncprobe/lyncprobe/proxyconf"
)

// The proxy module judges reverse-proxy configuration files offline
// (lyncprobe validate). Findings that predict a live verdict carry that
// live check's ID (proxyconf_judge.go); the rest are proxy.* checks in the
// registry, with InputProxyConfig as their one input, so that `check`
// never runs them.

// ParseProxyConfigs parses reverse_proxy.config_files, resolving the
// paths they name as the proxy does, then through each item's root and
// pathMap (reverse_proxy.path_map and validate --path-map). A file that
// does not parse is an error naming it and its line.
func ParseProxyConfigs(ctx context.Context, items []config.ProxyConfigFile, pathMap map[string]string) ([]*proxyconf.Config, error) {
	out := make([]*proxyconf.Config, 0, len(items))
	for _, it := range items {
		c, err := proxyconf.ParseWith(ctx, it.Path, proxyconf.Options{Family: proxyconf.Family(it.Family), Root: it.Root, PathMap: pathMap})
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// ShowPath is how a file is named in findings: relative to the working
// directory when it lies below it (what CI annotations and SARIF want),
// else as given.
func ShowPath(p string) string {
	wd, err := os.Getwd()
	if err != nil || !filepath.IsAbs(p) {
		return p
	}
	if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return p
}

// at is a finding's location and via for a place in a proxy config.
func at(r Result, p proxyconf.Pos) Result {
	file := ShowPath(p.File)
	r.Location = &Location{File: file, Line: p.Line}
	r.Via = fmt.Sprintf("%s:%d", file, p.Line)
	return r
}

// served reports whether a site answers name: exactly, through a leading
// wildcard (nginx "*.contoso.com", ".contoso.com") or as a catch-all.
func served(s *proxyconf.Site, name string) (proxyconf.Value, bool) {
	var catchAll *proxyconf.Value
	for i, v := range s.Names {
		if v.Value == "*" {
			catchAll = &s.Names[i]
		} else if nameMatches(v.Value, name) {
			return v, true
		}
	}
	if catchAll != nil {
		return *catchAll, true
	}
	return proxyconf.Value{}, false
}

func nameMatches(n, name string) bool {
	switch {
	case n == name:
		return true
	case strings.HasPrefix(n, "~"): // a regular expression (nginx ~, HAProxy -m reg, ARR patterns)
		re, err := regexp.Compile("(?i)" + n[1:])
		return err == nil && re.MatchString(name)
	case strings.HasPrefix(n, "*."):
		rest, ok := strings.CutSuffix(name, n[1:])
		return ok && rest != "" && !strings.Contains(rest, ".")
	case strings.HasPrefix(n, "."):
		return name == n[1:] || strings.HasSuffix(name, n)
	}
	return false
}

// lyncSites are the sites that serve at least one published name, each
// with the published names it serves.
type lyncSite struct {
	cfg   *proxyconf.Config
	site  *proxyconf.Site
	names []config.Published
}

func (e *Env) lyncSites() []lyncSite {
	var all []lyncSite
	for _, c := range e.proxyConfigs {
		for _, s := range c.Sites {
			all = append(all, lyncSite{cfg: c, site: s})
		}
	}
	for _, p := range e.Dep.PublishedHosts() {
		for _, i := range servingSites(all, p.Host) {
			all[i].names = append(all[i].names, p)
		}
	}
	return slices.DeleteFunc(all, func(l lyncSite) bool { return len(l.names) == 0 })
}

// servingSites are the sites that name host, or when none does, the
// catch-all sites (a default server, a frontend without Host rules) that
// would answer it.
func servingSites(all []lyncSite, host string) []int {
	var named, catchAll []int
	for i, l := range all {
		if v, ok := served(l.site, host); ok {
			if v.Value == "*" {
				catchAll = append(catchAll, i)
			} else {
				named = append(named, i)
			}
		}
	}
	if len(named) > 0 {
		return named
	}
	return catchAll
}

// target of a site's findings: the first published name it serves.
func (l lyncSite) target() string { return l.names[0].Host }

// proxyServerNames: every published name is served by some site, and the
// admin URL by none.
func proxyServerNames(_ context.Context, e *Env) []Result {
	if len(e.proxyConfigs) == 0 {
		return nil
	}
	var out []Result
	for _, p := range e.Dep.PublishedHosts() {
		out = append(out, e.judgeServed(p.Host))
	}
	if admin := config.HostOf(e.Dep.SimpleURLs.Admin); admin != "" {
		for _, c := range e.proxyConfigs {
			for _, s := range c.Sites {
				if v, ok := served(s, admin); ok && v.Value != "*" {
					out = append(out, at(Result{Target: admin, Status: Warn,
						Message: fmt.Sprintf("the %s %s publishes %s, the admin simple URL, which is internal to the organisation", c.Family, s.Kind, admin),
						Remedy:  "Remove " + admin + " from the proxy's published names: the Admin simple URL opens the Control Panel and stays inside (Microsoft: Skype for Business Server DNS requirements, Simple URLs)."}, v.Pos))
				}
			}
		}
	}
	return out
}

func (e *Env) judgeServed(host string) Result {
	var all []lyncSite
	for _, c := range e.proxyConfigs {
		for _, s := range c.Sites {
			all = append(all, lyncSite{cfg: c, site: s})
		}
	}
	if idx := servingSites(all, host); len(idx) > 0 {
		l := all[idx[0]]
		v, _ := served(l.site, host)
		how := "serves"
		if v.Value == "*" {
			how = "serves every name no other site claims, so also"
		}
		return at(Result{Target: host, Status: Pass, Message: fmt.Sprintf("the %s %s %s %s", l.cfg.Family, l.site.Kind, how, host)}, v.Pos)
	}
	first := e.proxyConfigs[0]
	pos := proxyconf.Pos{File: first.File, Line: 1}
	if len(first.Sites) > 0 {
		pos = first.Sites[0].Pos
	}
	return at(Result{Target: host, Status: Fail,
		Message: fmt.Sprintf("no site of the proxy configuration serves %s: clients asking for it get the proxy's default site or nothing", host),
		Remedy: "Publish " + host + " on the proxy (names missing from the publishing rule are not answered: confusedamused.com, \"Lync reverse proxy and friendly meeting URLs\"). " +
			"nginx: add it to server_name. Apache: ServerName or ServerAlias. HAProxy: the frontend's Host ACL. IIS ARR: the rule's {HTTP_HOST} condition or a site binding. TMG: the rule's Public Name tab.",
	}, pos)
}

// proxyCertificateFiles: the certificate files the sites name exist and
// hold a certificate.
func proxyCertificateFiles(ctx context.Context, e *Env) []Result {
	var out []Result
	for _, l := range e.lyncSites() {
		for _, f := range l.site.CertFiles {
			out = append(out, judgeCertFile(ctx, l, f))
		}
	}
	return out
}

func judgeCertFile(ctx context.Context, l lyncSite, f proxyconf.FileRef) Result {
	r := Result{Target: l.target(), Evidence: map[string]any{"file": f.Path, "written": f.Written}}
	chain, err := readCertQuiet(ctx, f.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// The normal case in CI: keys live on the proxy host, never in
		// the repository. Nothing can be judged, nothing is wrong.
		r.Status = Skip
		r.Message = fmt.Sprintf("the certificate file %s is not on this machine: not judged", ShowPath(f.Path))
		if f.Written != f.Path {
			r.Message = fmt.Sprintf("the certificate file %s (%s in the configuration) is not on this machine: not judged", ShowPath(f.Path), f.Written)
		}
		r.Remedy = "To judge it, make it readable here: map the proxy host's folder to a local one with reverse_proxy.path_map (or validate --path-map " + filepath.Dir(hostPath(f)) + "=DIR), " +
			"set the config file's root when the proxy's folder is checked out elsewhere, or list a copy of the certificate (no key needed) under tls.certificate_files."
		return at(r, f.Pos)
	case err != nil:
		r.Status = Fail
		r.Message = fmt.Sprintf("the certificate file %s cannot be used: %v", ShowPath(f.Path), err)
		r.Remedy = "Install the reverse proxy certificate (with its intermediates) at " + f.Written + ", or correct the path; the proxy will not start or will serve no certificate for these names."
		return at(r, f.Pos)
	}
	r.Status = Pass
	r.Message = fmt.Sprintf("%s holds %d certificate(s), the first for %s", ShowPath(f.Path), len(chain), certName(chain[0]))
	return at(r, f.Pos)
}

// hostPath is the certificate's path as the proxy host sees it, for the
// path_map advice.
func hostPath(f proxyconf.FileRef) string {
	if filepath.IsAbs(f.Written) {
		return f.Written
	}
	return f.Path
}

// proxyTimeouts: the proxy waits at least 960 s for an answer, which
// mobile push needs (Office 365's push time-out is 900 s).
func proxyTimeouts(_ context.Context, e *Env) []Result {
	var out []Result
	seen := map[proxyconf.Pos]bool{}
	for _, l := range e.lyncSites() {
		for _, rt := range l.site.Routes {
			for _, t := range rt.Timeouts {
				if seen[t.Pos] {
					continue
				}
				seen[t.Pos] = true
				out = append(out, judgeTimeout(l, t))
			}
		}
	}
	return out
}

func judgeTimeout(l lyncSite, t proxyconf.Timeout) Result {
	r := Result{Target: l.target(), Evidence: map[string]any{"setting": t.Name, "seconds": t.Seconds, "family": string(l.cfg.Family)}}
	if t.Seconds >= 960 {
		r.Status, r.Message = Pass, fmt.Sprintf("%s is %gs, enough for mobile push (960 s)", t.Name, t.Seconds)
		return at(r, t.Pos)
	}
	r.Status = Warn
	r.Message = fmt.Sprintf("%s is %gs, below the 960 s that mobile push needs; only a deployment that uses push notifications is affected", t.Name, t.Seconds)
	r.Remedy = "If mobile clients use push notifications, raise the proxy's time-out to 960 s: Office 365's push notification time-out is 900 s (Microsoft: Lync Server 2013 web publishing rules for a single internal pool). " +
		map[proxyconf.Family]string{
			proxyconf.Nginx:   "nginx: proxy_read_timeout 960s;.",
			proxyconf.HAProxy: "HAProxy: timeout server 960s in the backend.",
			proxyconf.Apache:  "Apache: ProxyTimeout 960.",
			proxyconf.ARR:     "IIS ARR: the server farm's Proxy time-out, <protocol timeout=\"00:16:00\" />.",
		}[l.cfg.Family]
	return at(r, t.Pos)
}

// proxySSLOffload: ARR must not offload SSL.
func proxySSLOffload(_ context.Context, e *Env) []Result {
	var out []Result
	for _, l := range e.lyncSites() {
		f := l.site.SSLOffload
		if l.cfg.Family != proxyconf.ARR {
			continue
		}
		if f == nil || !f.On {
			out = append(out, at(Result{Target: l.target(), Status: Pass, Message: "the rule routes to the farm over HTTPS: no SSL offloading"}, l.site.Pos))
			continue
		}
		out = append(out, at(Result{Target: l.target(), Status: Fail,
			Message: fmt.Sprintf("the rule %q routes HTTPS requests to the farm over http://: SSL offloading, which Lync/SfB does not support", l.site.Name),
			Remedy:  "In IIS ARR, clear \"Enable SSL offloading\" in the server farm's Routing Rules, so that the rule routes to https://<farm>/{R:0} and the farm's httpsPort 4443 is used (Microsoft: Lync Server 2013 web publishing rules for a single internal pool: \"SSL Offloading by the reverse proxy is not supported\").",
		}, f.Pos))
	}
	return out
}

// readCertQuiet reads a certificate file a proxy names, under ctx; a PFX
// there has no password we could know.
func readCertQuiet(ctx context.Context, path string) ([]*x509.Certificate, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (a device or pipe): not read", path)
	}
	return probe.ReadCertFile(ctx, path, func() (string, error) { return "", nil })
}

package checks

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/internal/inputfile"
	"github.com/lyncprobe/lyncprobe/probe"
	"github.com/lyncprobe/lyncprobe/proxyconf"
	"github.com/miekg/dns"
)

// ValidateOptions are the files `lyncprobe validate` judges, already read.
type ValidateOptions struct {
	Only      []string // modules to report; empty = all
	Zones     []*probe.Zone
	CertFiles []CertFile
	Proxy     []*proxyconf.Config
	Now       func() time.Time // default time.Now
}

// Validate judges the deployment's files with no network: the zone with
// the dns checks, the certificate files with the offline cert checks and
// the proxy configurations with the proxy module. Every result carries a
// location; results come in module order.
func Validate(ctx context.Context, dep *config.Deployment, o ValidateOptions) []Result {
	var out []Result
	if len(o.Zones) > 0 {
		rs := Run(ctx, dep, Options{Zones: o.Zones}) // the zones' source refuses the network
		out = append(out, locateZone(ctx, rs, o.Zones[0].File, zoneOrigin(dep))...)
	}
	if len(o.CertFiles) > 0 {
		rs := Inspect(ctx, dep, InspectOptions{Files: o.CertFiles, Now: o.Now})
		out = append(out, locateCertFiles(rs, dep)...)
	}
	if len(o.Proxy) > 0 {
		out = append(out, runProxy(ctx, dep, o.Proxy)...)
	}
	if len(o.Only) > 0 {
		out = slices.DeleteFunc(out, func(r Result) bool { return !slices.Contains(o.Only, r.Module) })
	}
	slices.SortStableFunc(out, func(a, b Result) int { return moduleRank(a.Module) - moduleRank(b.Module) })
	return out
}

func moduleRank(m string) int {
	if i := slices.Index(moduleOrder, m); i >= 0 {
		return i
	}
	return len(moduleOrder)
}

// runProxy runs the offline registry checks and the predictions of live
// verdicts against the parsed proxy configurations.
func runProxy(ctx context.Context, dep *config.Deployment, cfgs []*proxyconf.Config) []Result {
	opts := Options{Source: Offline()} // validate runs on a CI runner with no network, and must not try
	opts.fill()
	e := newEnv(ctx, dep, opts)
	e.proxyConfigs = cfgs
	var out []Result
	for _, r := range e.predict() {
		r.Module, _, _ = strings.Cut(r.ID, ".")
		out = append(out, r)
	}
	for _, c := range registry {
		if c.Offline {
			out = append(out, runCheck(ctx, e, c)...)
		}
	}
	return out
}

// locateZone: DNS results are about the zone file, at the first record
// of the name they judge (no line for a name the zone lacks).
func locateZone(ctx context.Context, rs []Result, file, origin string) []Result {
	lines := zoneOwnerLines(ctx, file, origin)
	for i := range rs {
		rs[i].Location = &Location{File: ShowPath(file), Line: lines[strings.ToLower(rs[i].Target)]}
	}
	return rs
}

func zoneOrigin(dep *config.Deployment) string {
	if len(dep.SIPDomains) > 0 {
		return dep.SIPDomains[0]
	}
	return ""
}

// zoneOwnerLines maps each owner name of a zone file to the line of its
// first record. It only locates findings: the zone itself was parsed and
// judged with miekg/dns, which keeps no lines. An owner is the first field
// of a line that starts in column 1, outside parentheses, relative to the
// current $ORIGIN.
func zoneOwnerLines(ctx context.Context, path, origin string) map[string]int {
	data, err := inputfile.Read(ctx, path, maxZoneLinesFile)
	out := map[string]int{}
	if err != nil {
		return out
	}
	origin = dns.Fqdn(origin)
	depth := 0
	for i, line := range strings.Split(string(data), "\n") {
		code, _, _ := strings.Cut(line, ";")
		inParens := depth > 0
		depth += strings.Count(code, "(") - strings.Count(code, ")")
		f := strings.Fields(code)
		if inParens || len(f) == 0 || code[0] == ' ' || code[0] == '\t' {
			continue
		}
		switch name := f[0]; {
		case name == "$ORIGIN" && len(f) > 1:
			origin = dns.Fqdn(f[1])
		case strings.HasPrefix(name, "$"):
		default:
			if name == "@" {
				name = origin
			} else if !dns.IsFqdn(name) {
				name += "." + origin
			}
			name = strings.ToLower(strings.TrimSuffix(name, "."))
			if _, seen := out[name]; !seen {
				out[name] = i + 1
			}
		}
	}
	return out
}

// locateCertFiles: a certificate result is about the file; the finding
// points at the line of the config that names it (a certificate has no
// lines of its own).
func locateCertFiles(rs []Result, dep *config.Deployment) []Result {
	for i := range rs {
		rs[i].Location = &Location{File: ShowPath(dep.Path), Line: dep.Line("tls.certificate_files")}
		for j, it := range dep.TLS.CertificateFiles {
			if rs[i].Target == it.Path || strings.Contains(rs[i].Via, it.Path) {
				rs[i].Location.Line = dep.Line(fmt.Sprintf("tls.certificate_files[%d]", j))
				break
			}
		}
	}
	return rs
}

// ValidateLiveModules is ValidateModules for a live run: a module whose
// checks all judge files (proxy) runs only in validate.
func ValidateLiveModules(only []string) error {
	if err := ValidateModules(only); err != nil {
		return err
	}
	for _, m := range only {
		if offlineModule(m) {
			return fmt.Errorf("module %q judges configuration files: run it with lyncprobe validate", m)
		}
	}
	return nil
}

func offlineModule(m string) bool {
	found := false
	for _, c := range registry {
		if c.Module == m {
			if !c.Offline {
				return false
			}
			found = true
		}
	}
	return found
}

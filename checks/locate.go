package checks

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/internal/inputfile"
	"github.com/lyncprobe/lyncprobe/probe"
	"github.com/miekg/dns"
)

// offlineProbes refuse the network: a run given files (validate on a CI
// runner, cert inspect, check --zone-file) asks no server, and must not
// try. zoneView answers the zone files' questions on top of them.
func offlineProbes() Probes {
	_, p := zoneView(nil, RealProbes(), "")
	p.Open = func(context.Context, probe.DialSpec) (*probe.Conn, error) { return nil, errOffline }
	return p
}

func moduleRank(m string) int {
	if i := slices.Index(moduleOrder, m); i >= 0 {
		return i
	}
	return len(moduleOrder)
}

// predictions are the live verdicts the proxy configurations predict,
// under the live checks' IDs (proxyconf_judge.go), of the modules only
// names (all when empty).
func (e *Env) predictions(only []string) []Result {
	var out []Result
	for _, r := range e.predict() {
		r.Module, _, _ = strings.Cut(r.ID, ".")
		if len(only) == 0 || slices.Contains(only, r.Module) {
			out = append(out, r)
		}
	}
	return out
}

// locate names, on the results of a check judged from a file, the file
// and line they are about. Proxy findings name theirs as they are made.
func (e *Env) locate(rs []Result, from Input) {
	switch from {
	case InputZone:
		zone := e.files.Zones[0]
		locateZone(e.runCtx, rs, zone.File, zoneOrigin(e.Dep))
	case InputCertFile:
		locateCertFiles(rs, e.Dep)
	}
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

// ValidateLiveModules is ValidateModules for a live run: a module none
// of whose checks the network answers (proxy) runs only in validate.
func ValidateLiveModules(only []string) error {
	if err := ValidateModules(only); err != nil {
		return err
	}
	for _, m := range only {
		if !liveModule(m) {
			return fmt.Errorf("module %q judges configuration files: run it with lyncprobe validate", m)
		}
	}
	return nil
}

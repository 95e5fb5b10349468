package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lyncprobe/lyncprobe/config"
)

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
		e.locateZone(rs)
	case InputCertFile:
		locateCertFiles(rs, e.Dep)
	}
}

// locateZone: DNS results are about the zone file they were answered
// from, at the first record of the name they judge (no line for a name
// the zone lacks). A result of no one zone (dns.consistency compares
// them) is about the first.
func (e *Env) locateZone(rs []Result) {
	for i := range rs {
		z := e.files.Zones[0]
		for _, c := range e.files.Zones {
			if rs[i].Via == "zone "+besideConfig(c.File, e.Dep.Path) {
				z = c
			}
		}
		rs[i].Location = &Location{File: ShowPath(z.File), Line: z.Lines[strings.ToLower(rs[i].Target)]}
	}
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

package checks

import (
	"path/filepath"
	"strings"

	"github.com/lyncprobe/lyncprobe/probe"
)

// zoneAddr marks a public-view "resolver" that is a zone file.
const zoneAddr = "zone:"

// zoneView is the public view of an offline run: one resolver per zone
// file, labelled "zone <file>", addressed zoneAddr + file; the run's source
// answers them (ZoneSource, or a recorded zone run). config is the config
// file's path: labels name zone files relative to it.
func zoneView(zones []*probe.Zone, config string) []Resolver {
	view := make([]Resolver, 0, len(zones))
	for _, z := range zones {
		view = append(view, Resolver{Addr: zoneAddr + z.File, Label: "zone " + besideConfig(z.File, config)})
	}
	return view
}

// zoneRun reports an offline run (the public view is zone files).
func (e *Env) zoneRun() bool {
	return len(e.Public) > 0 && strings.HasPrefix(e.Public[0].Addr, zoneAddr)
}

// besideConfig names file relative to the config's folder, so that a
// result's via (and a JUnit test name, a SARIF message) is the same in
// every checkout of a repository: CI test history keys on it. A path that
// cannot be made relative stays as given.
func besideConfig(file, config string) string {
	if config == "" {
		return file
	}
	absFile, err1 := filepath.Abs(file)
	absConfig, err2 := filepath.Abs(config)
	if err1 != nil || err2 != nil {
		return file
	}
	rel, err := filepath.Rel(filepath.Dir(absConfig), absFile)
	if err != nil {
		return file
	}
	return filepath.ToSlash(rel)
}

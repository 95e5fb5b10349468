package checks

import (
	"context"
	"errors"
	"path/filepath"
	"strings"

	"github.com/lyncprobe/lyncprobe/probe"
)

// zoneAddr marks a public-view "resolver" that is a zone file.
const zoneAddr = "zone:"

// errOffline is what any network probe gets in an offline run.
var errOffline = &probe.Error{Op: "offline", Kind: probe.KindOther, Err: errors.New("offline run: no network")}

// zoneView is the public view of an offline run: one resolver per zone
// file, labelled "zone <file>", answered from the file. Every other probe
// fails without touching the network, so an offline run asks no server.
// config is the config file's path: labels name zone files relative to it.
func zoneView(zones []*probe.Zone, p Probes, config string) ([]Resolver, Probes) {
	byAddr := map[string]*probe.Zone{}
	view := make([]Resolver, 0, len(zones))
	for _, z := range zones {
		addr := zoneAddr + z.File
		byAddr[addr] = z
		view = append(view, Resolver{Addr: addr, Label: "zone " + besideConfig(z.File, config)})
	}
	p.Resolve = func(ctx context.Context, server, name string, qtype uint16) (*probe.DNSAnswer, error) {
		if z, ok := byAddr[server]; ok {
			return z.Resolve(ctx, server, name, qtype)
		}
		return nil, errOffline
	}
	p.Handshake = func(context.Context, string, string, probe.TLSOptions) (*probe.TLSFacts, error) {
		return nil, errOffline
	}
	p.Fetch = func(context.Context, probe.Request) (*probe.Response, error) { return nil, errOffline }
	return view, p
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

package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/probe"
)

// validateZoneFiles: an offline run checks DNS against zone files, so it
// takes no lab, no resolver and no module other than dns.
func (o *checkOptions) validateZoneFiles() error {
	if len(o.ZoneFiles) == 0 {
		return nil
	}
	switch {
	case o.Lab:
		return errors.New("--zone-file and --lab exclude each other")
	case len(o.Resolvers) > 0:
		return errors.New("--zone-file and --resolver exclude each other: the zone files are the resolvers")
	case slices.ContainsFunc(o.Only, func(m string) bool { return m != "dns" }):
		return errors.New("--zone-file runs only the dns module")
	}
	return nil
}

// loadZones reads each zone file; names without $ORIGIN are relative to
// the first SIP domain, as for dns.zone_file. A zone that does not parse
// is named with its line ("zone.db:12: ..."); a file that is not regular,
// or too large, by its path. Reading stops when ctx ends.
func loadZones(ctx context.Context, files []string, dep *config.Deployment) ([]*probe.Zone, error) {
	origin := ""
	if len(dep.SIPDomains) > 0 {
		origin = dep.SIPDomains[0]
	}
	var out []*probe.Zone
	for _, f := range files {
		cz, err := config.ReadZone(ctx, f, origin)
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("--zone-file %s: cannot read it: %w", f, pe.Err)
		}
		if err != nil {
			return nil, err
		}
		z, err := answering(cz)
		if err != nil {
			return nil, err
		}
		out = append(out, z)
	}
	return out, nil
}

// answering is a zone file, as read, ready to answer questions; it keeps
// the file's owner lines for the findings.
func answering(cz *config.Zone) (*probe.Zone, error) {
	z, err := probe.NewZone(cz.File, cz.Records)
	if err != nil {
		return nil, err
	}
	z.Lines = cz.Lines
	return z, nil
}

package config

import (
	"bytes"
	"errors"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/miekg/dns"
)

// ReadZone reads a BIND zone file. Relative names in a file without
// $ORIGIN are relative to origin (a config uses its first SIP domain).
// $INCLUDE is refused: a CI gate checks the one file it is given. A file
// that does not parse, or holds no SOA, comes back as an *Error naming the
// file and its line; a file that cannot be read, as the read error.
func ReadZone(path, origin string) ([]dns.RR, error) {
	data, err := readFileCapped(path, maxZoneFile)
	if err != nil {
		return nil, err
	}
	if origin != "" {
		origin = dns.Fqdn(origin)
	}
	zp := dns.NewZoneParser(bytes.NewReader(data), origin, "")
	var rrs []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rrs = append(rrs, rr)
	}
	if err := zp.Err(); err != nil {
		return nil, zoneError(path, err)
	}
	for _, rr := range rrs {
		if rr.Header().Rrtype == dns.TypeSOA {
			return rrs, nil
		}
	}
	return nil, &Error{File: path, Line: 1, Msg: "no SOA record: a zone file starts with its zone's SOA"}
}

// zoneSyntax picks the line out of miekg/dns's "dns: <problem> at line: L:C".
var zoneSyntax = regexp.MustCompile(`^dns: (.*) at line: (\d+):(\d+)$`)

func zoneError(path string, err error) *Error {
	m := zoneSyntax.FindStringSubmatch(err.Error())
	if m == nil {
		return &Error{File: path, Line: 1, Msg: err.Error()}
	}
	line, _ := strconv.Atoi(m[2])
	return &Error{File: path, Line: max(line, 1), Msg: m[1] + " (column " + m[3] + ")"}
}

// checkZoneFile makes dns.zone_file absolute and reads it now, so that a
// zone that does not parse is a load error naming the zone file and its
// line ("zone.db:12: ..."), not a surprise in the middle of a run.
func (l *loader) checkZoneFile(d *Deployment) {
	const key = "dns.zone_file"
	p := &d.DNS.ZoneFile
	if *p == "" {
		return
	}
	shown := *p // the path as messages show it: relative to the config's folder
	if !filepath.IsAbs(shown) {
		shown = filepath.Join(filepath.Dir(l.file), shown)
	}
	*p = shown
	if abs, err := filepath.Abs(shown); err == nil {
		*p = abs
	}
	origin := ""
	if len(d.SIPDomains) > 0 {
		origin = d.SIPDomains[0]
	}
	_, err := ReadZone(shown, origin)
	var ze *Error
	var pe *fs.PathError
	switch {
	case err == nil:
	case errors.As(err, &ze):
		l.bad[key] = true
		l.errs = append(l.errs, ze)
	case errors.As(err, &pe):
		l.fail(key, "cannot read %s: %v", *p, pe.Err)
	default:
		l.fail(key, "cannot read %s: %v", *p, err)
	}
}

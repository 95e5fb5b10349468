package config

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/lyncprobe/lyncprobe/internal/inputfile"
	"github.com/miekg/dns"
)

// Zone is a BIND zone file, read and parsed once: its records, and the
// line of each owner name, so that findings about a name can point at it.
type Zone struct {
	File    string // the path it was read from
	Records []dns.RR
	// Lines maps each owner name (lower case, no final dot) to the line
	// of its first record.
	Lines map[string]int
}

// ReadZone reads a BIND zone file. Relative names in a file without
// $ORIGIN are relative to origin (a config uses its first SIP domain).
// $INCLUDE is refused: a CI gate checks the one file it is given. A file
// that does not parse, or holds no SOA, comes back as an *Error naming the
// file and its line; a file that cannot be read (not a regular file, too
// large, ctx ended), as the read error, an *fs.PathError.
func ReadZone(ctx context.Context, path, origin string) (*Zone, error) {
	data, err := readFileCapped(ctx, path, maxZoneFile)
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
		if len(rrs)%4096 == 0 && ctx.Err() != nil {
			return nil, &fs.PathError{Op: "read", Path: path, Err: ctx.Err()}
		}
	}
	if err := zp.Err(); err != nil {
		return nil, zoneError(path, err)
	}
	for _, rr := range rrs {
		if rr.Header().Rrtype == dns.TypeSOA {
			return &Zone{File: path, Records: rrs, Lines: ownerLines(data, origin)}, nil
		}
	}
	return nil, &Error{File: path, Line: 1, Msg: "no SOA record: a zone file starts with its zone's SOA"}
}

// ownerLines maps each owner name of a zone file to the line of its first
// record: miekg/dns's parser keeps no lines. An owner is the first field
// of a line that starts in column 1, outside parentheses, relative to the
// current $ORIGIN.
func ownerLines(data []byte, origin string) map[string]int {
	out := map[string]int{}
	origin = dns.Fqdn(origin)
	depth := 0
	for i, line := range strings.Split(string(data), "\n") {
		code, parens := zoneCode(line)
		inParens := depth > 0
		depth += parens
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

// zoneCode is a zone file line without its comment, and how many
// parentheses it opens less those it closes; a ";" or a parenthesis
// inside a quoted string (a TXT record's text) is neither.
func zoneCode(line string) (code string, parens int) {
	quoted, escaped := false, false
	for i, c := range line {
		switch {
		case escaped:
			escaped = false
		case c == '\\':
			escaped = true
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == ';':
			return line[:i], parens
		case c == '(':
			parens++
		case c == ')':
			parens--
		}
	}
	return line, parens
}

// zoneSyntax takes miekg/dns's `dns: <problem>: "<token>" at line: L:C`
// apart; the token is Go-quoted.
var zoneSyntax = regexp.MustCompile(`^dns: (.*): ("(?:[^"\\]|\\.)*") at line: (\d+):(\d+)$`)

// zoneError names the file, the line, the problem and at most a short,
// plain token: the file may be anything (--zone-file /proc/self/environ),
// and its contents must not reach a CI log.
func zoneError(path string, err error) *Error {
	m := zoneSyntax.FindStringSubmatch(err.Error())
	if m == nil {
		return &Error{File: path, Line: 1, Msg: "not a zone file in BIND format"}
	}
	token, uerr := strconv.Unquote(m[2])
	if uerr != nil {
		token = m[2]
	}
	line, _ := strconv.Atoi(m[3])
	msg := zoneProblem(m[1]) + ": " + inputfile.Quote(token) + " (column " + m[4] + ")"
	return &Error{File: path, Line: max(line, 1), Msg: msg}
}

// zoneProblem is miekg/dns's problem text, cut before a detail that
// quotes the file (a few wrap an error that does: "failed to parse APL
// address: ParseAddr(...)").
func zoneProblem(p string) string {
	if strings.ContainsAny(p, "\"`'") || len(p) > 60 {
		p, _, _ = strings.Cut(p, ": ")
	}
	if strings.ContainsAny(p, "\"`'") || len(p) > 60 {
		return "bad record"
	}
	return p
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
	if l.recorded {
		return
	}
	origin := ""
	if len(d.SIPDomains) > 0 {
		origin = d.SIPDomains[0]
	}
	z, err := ReadZone(l.ctx, shown, origin)
	if z != nil {
		z.File, d.zone = *p, z // validate judges it as read here, never reading it again
	}
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

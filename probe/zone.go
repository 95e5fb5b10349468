package probe

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// Zone answers questions from the records of a zone file, as the zone's
// authoritative server would, with no network: the offline view a CI gate
// checks before a zone change is published. Its Resolve has the signature
// of the package's Resolve, so checks can use either.
type Zone struct {
	File string // the file the records came from, for labels and messages
	// Lines maps each owner name (lower case, no final dot) to the line
	// of its first record in File, as the reader found it; findings about
	// a name point there. nil when not known.
	Lines   map[string]int
	origins []string
	byName  map[string][]dns.RR // lower-case owner → records
	exists  map[string]bool     // every owner and empty non-terminal
	cuts    map[string]bool     // delegations below an apex (NS records not at an apex)
}

// NewZone holds rrs, read from file, for answering. Every SOA record
// starts a zone (a file may hold several); records under no SOA are left
// out, as BIND leaves out-of-zone data.
func NewZone(file string, rrs []dns.RR) (*Zone, error) {
	z := &Zone{File: file, byName: map[string][]dns.RR{}, exists: map[string]bool{}, cuts: map[string]bool{}}
	for _, rr := range rrs {
		if rr.Header().Rrtype == dns.TypeSOA {
			z.origins = append(z.origins, strings.ToLower(dns.Fqdn(rr.Header().Name)))
		}
	}
	if len(z.origins) == 0 {
		return nil, errors.New(file + ": no SOA record: a zone file starts with its zone's SOA")
	}
	for _, rr := range rrs {
		owner := strings.ToLower(dns.Fqdn(rr.Header().Name))
		apex := z.apexOf(owner)
		if apex == "" {
			continue
		}
		z.byName[owner] = append(z.byName[owner], rr)
		if rr.Header().Rrtype == dns.TypeNS && owner != apex {
			z.cuts[owner] = true
		}
		for n := owner; ; n = parentName(n) {
			z.exists[n] = true
			if n == apex || n == "." {
				break
			}
		}
	}
	return z, nil
}

// Origins lists the zones the file holds, without the final dot.
func (z *Zone) Origins() []string {
	out := make([]string, len(z.origins))
	for i, o := range z.origins {
		out[i] = strings.TrimSuffix(o, ".")
	}
	return out
}

// Resolve answers name and qtype from the zone and follows CNAMEs through
// it. A name the zone does not hold (outside every apex, or delegated
// away) cannot be answered offline: the answer stops there with OutOfZone
// set (and rcode NOTAUTH when it is the name asked).
func (z *Zone) Resolve(ctx context.Context, server, name string, qtype uint16) (*DNSAnswer, error) {
	if err := ctx.Err(); err != nil {
		return nil, classify("dns", err)
	}
	ans := &DNSAnswer{Server: server, Name: dns.Fqdn(strings.ToLower(name)), Type: dns.TypeToString[qtype], Rcode: "NOERROR"}
	qname := ans.Name
	for range maxCNAMEs + 1 {
		if !z.authoritative(qname) {
			ans.OutOfZone = strings.TrimSuffix(qname, ".")
			if len(ans.CNAMEs) == 0 {
				ans.Rcode = "NOTAUTH"
			}
			return ans, nil
		}
		rrs, ok := z.lookup(qname)
		if !ok {
			ans.Rcode = "NXDOMAIN"
			return ans, nil
		}
		if typed := ofType(rrs, qtype); len(typed) > 0 {
			for _, rr := range typed {
				ans.Records = append(ans.Records, rr.String())
				ans.take(rr)
			}
			return ans, nil
		}
		cname := ofType(rrs, dns.TypeCNAME)
		if len(cname) == 0 {
			return ans, nil // NODATA
		}
		ans.Records = append(ans.Records, cname[0].String())
		qname = strings.ToLower(dns.Fqdn(cname[0].(*dns.CNAME).Target))
		ans.CNAMEs = append(ans.CNAMEs, strings.TrimSuffix(qname, "."))
	}
	return nil, &Error{Op: "dns", Kind: KindGarbage, Err: fmt.Errorf("CNAME chain longer than %d", maxCNAMEs)}
}

// apexOf is the closest zone apex at or above name, "" when none.
func (z *Zone) apexOf(name string) string {
	best := ""
	for _, o := range z.origins {
		if dns.IsSubDomain(o, name) && len(o) > len(best) {
			best = o
		}
	}
	return best
}

// authoritative reports whether the zone answers for name: it is under an
// apex and not at or below a delegation.
func (z *Zone) authoritative(name string) bool {
	apex := z.apexOf(name)
	if apex == "" {
		return false
	}
	for n := name; n != apex && n != "."; n = parentName(n) {
		if z.cuts[n] {
			return false
		}
	}
	return true
}

// lookup returns the records of name, synthesised from a wildcard when the
// name does not exist (RFC 4592); ok is false for NXDOMAIN.
func (z *Zone) lookup(name string) (rrs []dns.RR, ok bool) {
	if z.exists[name] {
		return z.byName[name], true
	}
	for n := parentName(name); n != "."; n = parentName(n) {
		if !z.exists[n] {
			continue
		}
		// n is the closest encloser: only its wildcard may answer.
		wild := z.byName["*."+n]
		for _, rr := range wild {
			c := dns.Copy(rr)
			c.Header().Name = name
			rrs = append(rrs, c)
		}
		return rrs, z.exists["*."+n]
	}
	return nil, false
}

func ofType(rrs []dns.RR, qtype uint16) []dns.RR {
	var out []dns.RR
	for _, rr := range rrs {
		if rr.Header().Rrtype == qtype {
			out = append(out, rr)
		}
	}
	return out
}

// parentName drops the first label: "a.b.c." → "b.c.", "c." → ".".
func parentName(name string) string {
	i, end := dns.NextLabel(name, 0)
	if end {
		return "."
	}
	return name[i:]
}

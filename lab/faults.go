package lab

import (
	"fmt"
	"slices"
	"strings"
)

// FaultSpec switches on one fault: its name and, if it takes one, its
// argument as the user wrote it ("dialin" or "dialin.contoso.test").
type FaultSpec struct{ Name, Arg string }

// String is the command-line form, NAME or NAME=ARG.
func (s FaultSpec) String() string {
	if s.Arg == "" {
		return s.Name
	}
	return s.Name + "=" + s.Arg
}

// Expect is one result that must appear to diagnose a fault.
type Expect struct {
	ID     string // check ID, e.g. dns.resolves
	Status string // "fail" or "warn"
	Target string // the FQDN or URL the result is about; "" = any
}

// FaultInfo describes one fault of the table.
type FaultInfo struct {
	Name        string
	Arg         string // "" if the fault takes no argument, else a placeholder like "NAME"
	Description string
	Example     string   // the argument the table test uses
	Must        []Expect // results that must appear (given Example)
	Allowed     []string // check IDs allowed to fail, warn, skip or error as consequences

	kind argKind // how the argument is read and normalised
}

// argKind says what a fault's argument is, so that every fault of one kind
// accepts the same spellings.
type argKind int

const (
	argNone  argKind = iota
	argName          // a lab host: short label or FQDN, normalised to the FQDN
	argPath          // a URL path prefix, normalised to lower case with a leading /
	argValue         // a free word the fault's behaviour interprets
)

// Faults is the fault table, in the order `lyncprobe lab --list-faults`
// prints it. Adding a fault is one entry here plus its behaviour in the
// component that consults faultSet:
//   - DNS: zoneLines drops or changes zone lines;
//   - certificates: Lab.proxyLeafSpec / frontEndLeafSpec bend the leafSpec
//     (names, validity, key size), newPKI decides the served chain;
//   - front ends: startFrontEnds sets frontEnd fields (foreignHost404);
//   - proxy nodes: startProxies sets proxyNode fields (backendHost for
//     the Host rewrite, mode for affinity, cookie for MS-WSMAN).
var Faults = []FaultInfo{
	{
		Name:        "missing-dns",
		Arg:         "NAME",
		Description: "the lab DNS has no record for NAME: queries get NXDOMAIN",
		Example:     "dialin",
		Must:        []Expect{{ID: "dns.resolves", Status: "fail", Target: "dialin." + Domain}},
		Allowed:     []string{"http.reachable"},
		kind:        argName,
	},
}

// ParseFault reads NAME or NAME=ARG as given on the command line.
func ParseFault(s string) (FaultSpec, error) {
	name, arg, _ := strings.Cut(strings.TrimSpace(s), "=")
	spec := FaultSpec{Name: strings.TrimSpace(name), Arg: strings.TrimSpace(arg)}
	if _, err := spec.normalise(); err != nil {
		return FaultSpec{}, err
	}
	return spec, nil
}

func lookupFault(name string) (FaultInfo, error) {
	i := slices.IndexFunc(Faults, func(f FaultInfo) bool { return f.Name == name })
	if i < 0 {
		return FaultInfo{}, fmt.Errorf("unknown fault %q; valid faults: %s", name, faultNames())
	}
	return Faults[i], nil
}

func faultNames() string {
	var names []string
	for _, f := range Faults {
		n := f.Name
		if f.Arg != "" {
			n += "=" + f.Arg
		}
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}

// normalise checks the spec against the table and returns its argument in
// canonical form (an FQDN for names, a lower-case prefix for paths).
func (s FaultSpec) normalise() (string, error) {
	f, err := lookupFault(s.Name)
	if err != nil {
		return "", err
	}
	switch {
	case f.kind == argNone && s.Arg != "":
		return "", fmt.Errorf("fault %s takes no argument (got %q); valid faults: %s", s.Name, s.Arg, faultNames())
	case f.kind != argNone && s.Arg == "":
		return "", fmt.Errorf("fault %s needs an argument: %s=%s (e.g. %s=%s); valid faults: %s",
			s.Name, s.Name, f.Arg, s.Name, f.Example, faultNames())
	}
	return normaliseArg(f, s.Arg)
}

func normaliseArg(f FaultInfo, arg string) (string, error) {
	switch f.kind {
	case argName:
		fqdn := hostFQDN(arg)
		if !slices.Contains(zoneHosts(), fqdn) {
			return "", fmt.Errorf("fault %s: %q is not a lab name; want one of %s (or its FQDN)",
				f.Name, arg, strings.Join(hostLabels, ", "))
		}
		return fqdn, nil
	case argPath:
		return "/" + strings.TrimLeft(strings.ToLower(arg), "/"), nil
	}
	return arg, nil
}

// faultSet is what the components consult: which faults are on, with
// which (normalised) arguments. The zero value has every fault off.
type faultSet map[string][]string

func newFaultSet(specs []FaultSpec) (faultSet, error) {
	fs := faultSet{}
	for _, s := range specs {
		arg, err := s.normalise()
		if err != nil {
			return nil, err
		}
		fs[s.Name] = append(fs[s.Name], arg)
	}
	return fs, nil
}

// has reports whether the fault is switched on (with any argument).
func (fs faultSet) has(name string) bool { _, ok := fs[name]; return ok }

// arg is the fault's first argument, "" when it is off.
func (fs faultSet) arg(name string) string {
	if a := fs[name]; len(a) > 0 {
		return a[0]
	}
	return ""
}

// hasArg reports whether the fault is on for this (normalised) argument;
// a fault may be given several times with different arguments.
func (fs faultSet) hasArg(name, arg string) bool { return slices.Contains(fs[name], arg) }

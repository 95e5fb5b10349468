package checks

import (
	"slices"

	"github.com/lyncprobe/lyncprobe/probe"
	"github.com/lyncprobe/lyncprobe/proxyconf"
)

// Input is a kind of fact a run is given. Each check declares the inputs
// it can judge from (Check.Inputs); a run runs the checks whose inputs it
// has. So `check`, `check --zone-file`, `cert inspect` and `validate` are
// one run (Run) with different inputs.
type Input uint8

const (
	// InputNetwork is the live deployment: DNS answers, TLS handshakes,
	// HTTP exchanges, TURN, connections.
	InputNetwork Input = 1 << iota
	// InputZone is DNS answers from zone files (--zone-file, dns.zone_file).
	InputZone
	// InputCertFile is certificate chains from files, in place of the
	// chains a handshake gets (cert inspect, tls.certificate_files).
	InputCertFile
	// InputProxyConfig is the parsed reverse-proxy configuration files
	// (reverse_proxy.config_files).
	InputProxyConfig
)

// Files are what an offline run judges, each file already read and
// parsed. They stand in for the network: a run given Files asks no server.
type Files struct {
	// Zones answer DNS: one public-view resolver per zone file.
	Zones []*probe.Zone
	// Certs replace the chains handshakes would get.
	Certs []CertFile
	// CertNames are the names the certificates must cover; empty = the
	// deployment's published names.
	CertNames []string
	// Proxy are the reverse proxy's parsed configurations: the proxy
	// module judges them, and they predict some live verdicts
	// (proxyconf_judge.go).
	Proxy []*proxyconf.Config
}

// inputs are the kinds of fact the run has.
func (o *Options) inputs() Input {
	f := o.Files
	if f == nil {
		return InputNetwork
	}
	var in Input
	if len(f.Zones) > 0 {
		in |= InputZone
	}
	if len(f.Certs) > 0 {
		in |= InputCertFile
	}
	if len(f.Proxy) > 0 {
		in |= InputProxyConfig
	}
	return in
}

// judgedFrom is the one input c judges from in a run that has in: the
// first of its inputs the run has, 0 when it has none (c does not run).
// No check takes two inputs of one run: the files of an offline run
// answer different checks.
func (c Check) judgedFrom(in Input) Input {
	for _, i := range []Input{InputNetwork, InputZone, InputCertFile, InputProxyConfig} {
		if c.Inputs&i != 0 && in&i != 0 {
			return i
		}
	}
	return 0
}

// runnable are the registry's checks a run with inputs in can judge, in
// registry order. A need on a check judged from another input is
// dropped: a verdict drawn from a certificate file does not rest on what
// the zone file says of the name (the Needs rule, needs.go, holds between
// facts of one input).
func runnable(in Input) []Check {
	var out []Check
	for _, c := range registry {
		from := c.judgedFrom(in)
		if from == 0 {
			continue
		}
		c.Needs = slices.DeleteFunc(slices.Clone(c.Needs), func(n string) bool {
			nc, ok := checkByID(n)
			return !ok || nc.judgedFrom(in) != from
		})
		out = append(out, c)
	}
	return out
}

// selectChecks are the runnable checks of the modules only names (all
// when empty).
func selectChecks(pool []Check, only []string) []Check {
	var out []Check
	for _, c := range pool {
		if len(only) == 0 || slices.Contains(only, c.Module) {
			out = append(out, c)
		}
	}
	return out
}

// liveModule reports whether module m has a check the network answers:
// check and the exporter run only those (ValidateLiveModules).
func liveModule(m string) bool {
	return slices.ContainsFunc(registry, func(c Check) bool { return c.Module == m && c.Inputs&InputNetwork != 0 })
}

// answeredBy are the IDs of the checks judged from one of from in a run
// with inputs in.
func answeredBy(cs []Check, in, from Input) map[string]bool {
	out := map[string]bool{}
	for _, c := range cs {
		if c.judgedFrom(in)&from != 0 {
			out[c.ID] = true
		}
	}
	return out
}

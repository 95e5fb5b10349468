package checks

import (
	"context"
	"fmt"
	"github.com/lyncprobe/lyncprobe/internal/dnstest"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/miekg/dns"
)

// How a test DNS server behaves on the wire.
type dnsMode string

const (
	modeUDP      dnsMode = "udp"       // no TCP listener: the answer must come over UDP
	modeTruncate dnsMode = "truncated" // every UDP answer is truncated: the answer must come over TCP
	modeSilent   dnsMode = "silent"    // never answers: the probe is cut off at its deadline
	modeWrongID  dnsMode = "wrong-id"  // answers with another ID, which must not be taken
)

// testAuthority answers like an authoritative server for every name it
// holds: NXDOMAIN for an unknown name, NODATA for a known name without
// the type, CNAMEs followed; rcodes forces an rcode for a name.
type testAuthority struct {
	rrs    map[string][]dns.RR
	exists map[string]bool
	rcodes map[string]int
}

func newAuthority(t *testing.T, lines ...string) *testAuthority {
	t.Helper()
	z := &testAuthority{rrs: map[string][]dns.RR{}, exists: map[string]bool{}, rcodes: map[string]int{}}
	for _, line := range lines {
		if name, rc, ok := strings.Cut(line, " RCODE "); ok {
			z.rcodes[dns.Fqdn(name)] = dns.StringToRcode[rc]
			continue
		}
		rr, err := dns.NewRR(line)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		owner := strings.ToLower(rr.Header().Name)
		z.rrs[owner] = append(z.rrs[owner], rr)
		for n := owner; n != "" && n != "."; n = n[strings.Index(n, ".")+1:] {
			z.exists[n] = true // the owner and every name above it
		}
	}
	return z
}

func (z *testAuthority) answer(q *dns.Msg) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(q)
	m.Authoritative = true
	name, qtype := strings.ToLower(q.Question[0].Name), q.Question[0].Qtype
	if rc, ok := z.rcodes[name]; ok {
		m.Rcode = rc
		return m
	}
	for range 8 {
		if !z.exists[name] {
			m.Rcode = dns.RcodeNameError
			return m
		}
		var cname *dns.CNAME
		for _, rr := range z.rrs[name] {
			if rr.Header().Rrtype == qtype {
				m.Answer = append(m.Answer, rr)
			} else if c, ok := rr.(*dns.CNAME); ok {
				cname = c
			}
		}
		if len(m.Answer) > 0 && m.Answer[len(m.Answer)-1].Header().Rrtype == qtype || cname == nil {
			return m
		}
		m.Answer = append(m.Answer, cname)
		name = strings.ToLower(cname.Target)
	}
	return m
}

// startAuthority serves z on a loopback port in mode until the test ends.
func startAuthority(t *testing.T, z *testAuthority, mode dnsMode) string {
	t.Helper()
	h := dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		if mode == modeSilent {
			return
		}
		m := z.answer(q)
		if _, udp := w.LocalAddr().(*net.UDPAddr); udp && mode == modeTruncate {
			m.Answer, m.Truncated = nil, true
		}
		if mode == modeWrongID {
			m.Id = q.Id + 1
		}
		_ = w.WriteMsg(m)
	})
	return dnstest.Serve(t, h, mode != modeUDP)
}

// dnsTestDeployment is a deployment with an Edge and an admin URL whose
// addresses are documentation addresses: only DNS checks run against it.
func dnsTestDeployment() *config.Deployment {
	return &config.Deployment{
		Name: "t", Version: "sfb2019", SIPDomains: []string{"contoso.test"},
		WebServices:  []config.WebService{{External: "webext.contoso.test"}},
		SimpleURLs:   config.SimpleURLs{Meet: []string{"https://meet.contoso.test"}, Dialin: "https://dialin.contoso.test", Admin: "https://admin.contoso.test"},
		ReverseProxy: config.ReverseProxy{Addresses: []string{"192.0.2.10"}, Port: 443, HTTPPort: new(int)},
		Edge:         &config.Edge{Access: "sip.contoso.test", Addresses: []string{"192.0.2.20"}, Ports: config.EdgePorts{SIPTLS: 443, Federation: 5061}},
	}
}

// healthyZone is what dnsTestDeployment needs.
var healthyZone = []string{
	"webext.contoso.test. 300 IN A 192.0.2.10",
	"meet.contoso.test. 300 IN CNAME webext.contoso.test.",
	"dialin.contoso.test. 300 IN A 192.0.2.10",
	"lyncdiscover.contoso.test. 300 IN A 192.0.2.10",
	"sip.contoso.test. 300 IN A 192.0.2.20",
	"_sip._tls.contoso.test. 300 IN SRV 0 0 443 sip.contoso.test.",
	"_sipfederationtls._tcp.contoso.test. 300 IN SRV 0 0 5061 sip.contoso.test.",
}

// replaceLines is healthyZone with the records of the named owners
// replaced by extra.
func replaceLines(drop []string, extra ...string) []string {
	var out []string
	for _, l := range healthyZone {
		keep := true
		for _, d := range drop {
			keep = keep && !strings.HasPrefix(l, d+" ")
		}
		if keep {
			out = append(out, l)
		}
	}
	return append(out, extra...)
}

// want is one result a scenario must produce: target, a substring of the
// via label ("" = any, "-" = none), status and a substring of the message.
type want struct {
	target, via string
	status      Status
	msg         string
}

type dnsScenario struct {
	name     string
	check    func(context.Context, *Env) []Result
	dep      func(d *config.Deployment) // changes to dnsTestDeployment
	zones    [][]string                 // one per public resolver
	internal [][]string                 // one per internal resolver
	want     []want                     // every result, in order
	silent   Status                     // what every result is when no server answers
	views    []scenarioView             // regional views (dns.views), after zones
	// override: the zones are given as --resolver, standing in for views.
	override bool
}

// scenarioView is one dns.views entry: its zones, one per resolver.
type scenarioView struct {
	name        string
	proxy, edge []string
	zones       [][]string
}

// runScenario serves the scenario's zones in mode and runs its check.
func runScenario(t *testing.T, sc dnsScenario, mode dnsMode, fetchTimeout time.Duration) []Result {
	t.Helper()
	dep := dnsTestDeployment()
	if sc.dep != nil {
		sc.dep(dep)
	}
	dep.DNS = config.DNS{}
	for _, z := range sc.zones {
		dep.DNS.Resolvers = append(dep.DNS.Resolvers, startAuthority(t, newAuthority(t, z...), mode))
	}
	for _, z := range sc.internal {
		dep.DNS.InternalResolvers = append(dep.DNS.InternalResolvers, startAuthority(t, newAuthority(t, z...), mode))
	}
	for _, sv := range sc.views {
		v := config.View{Name: sv.name, ProxyAddresses: sv.proxy, EdgeAddresses: sv.edge}
		for _, z := range sv.zones {
			v.Resolvers = append(v.Resolvers, startAuthority(t, newAuthority(t, z...), mode))
		}
		dep.DNS.Views = append(dep.DNS.Views, v)
	}
	o := Options{CheckTimeout: fetchTimeout}
	if sc.override {
		o.Resolvers, dep.DNS.Resolvers = dep.DNS.Resolvers, nil
	}
	o.fill()
	e := newEnv(context.Background(), dep, o)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return sc.check(ctx, e)
}

func describeResult(r Result) string {
	return fmt.Sprintf("%s %s [%s]: %s", r.Status, r.Target, r.Via, r.Message)
}

// TestDNSChecksOnTheWire runs each DNS check against in-process servers:
// over UDP alone, forced to TCP by truncated UDP answers, against a
// server that never answers and one that answers with the wrong ID.
func TestDNSChecksOnTheWire(t *testing.T) {
	for _, sc := range append(dnsScenarios(), viewScenarios()...) {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			for _, mode := range []dnsMode{modeUDP, modeTruncate} {
				rs := runScenario(t, sc, mode, 5*time.Second)
				if len(rs) != len(sc.want) {
					t.Errorf("%s: %d results, want %d", mode, len(rs), len(sc.want))
				}
				for i, r := range rs {
					if i < len(sc.want) && !sc.want[i].matches(r) {
						t.Errorf("%s: result %d is %s, want %+v", mode, i, describeResult(r), sc.want[i])
					}
				}
			}
			for _, mode := range []dnsMode{modeSilent, modeWrongID} {
				for _, r := range runScenario(t, sc, mode, 300*time.Millisecond) {
					if r.Status != sc.silent || sc.silent == Error && !strings.Contains(r.Message, "(timeout)") {
						t.Errorf("%s: %s, want %s naming the timeout", mode, describeResult(r), sc.silent)
					}
				}
			}
		})
	}
}

func (w want) matches(r Result) bool {
	via := w.via == "" || w.via == "-" && r.Via == "" || w.via != "-" && strings.Contains(r.Via, w.via)
	return r.Target == w.target && via && r.Status == w.status && strings.Contains(r.Message, w.msg)
}

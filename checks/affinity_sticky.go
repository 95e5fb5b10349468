package checks

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// stickyFacts are what affinity.sticky judges.
type stickyFacts struct {
	Version    string
	Header     string   // the identity header looked for
	Sources    []string // configured source addresses (a NAT pool)
	Plain, Jar []sample
	Backends   []string // identities the front ends gave when asked directly
}

const stickyRemedy = "Keep one client on one front end: source-address affinity on the load balancer in front of the " +
	"reverse-proxy array (Windows NLB port rule Affinity \"Single\"; F5/KEMP source-address persistence), or cookie " +
	"persistence with a cookie named MS-WSMAN. TMG's own cookie affinity needs forms-based authentication, which Lync cannot use (confusedamused.com on TMG and Lync)."

const natRemedy = "Clients behind a NAT pool reach the balancer from several addresses, so source-address affinity alone " +
	"splits them (KEMP: NATed clients show up as one or several IPs): add MS-WSMAN cookie persistence on the balancer, " +
	"which survives an address change, or have the client's NAT map one client to one address."

// versionRule quotes what the deployment's version asks of external affinity.
func versionRule(version string) string {
	if version == "lync2010" {
		return "Lync 2010 requires cookie persistence for external clients (Microsoft NextHop blog: hardware load balancer requirements for Lync Server 2010)"
	}
	return "from Lync 2013 on Microsoft's summary table asks for no affinity on the external web VIP but its mobility page " +
		"asks for source affinity, and a Lync Web App join needs its connections on one front end (affinity.join-flow shows whether it breaks; Microsoft: Lync Server 2013 technical requirements for mobility)"
}

// affinitySticky: repeated connections of one client stay on one front end.
func affinitySticky(ctx context.Context, e *Env) []Result {
	return e.affinityEach(ctx, func(run *affinityRun) Result {
		f := stickyFacts{Version: e.Dep.Version, Header: e.Dep.Affinity.IdentityHeader, Sources: run.Sources,
			Plain: e.samples(runPlain, run.Plain), Jar: e.samples(runJar, run.Jar)}
		for _, b := range run.Backends {
			if b.Identity != "" {
				f.Backends = append(f.Backends, b.Identity)
			}
		}
		r := judgeSticky(f)
		if r.Evidence == nil {
			r.Evidence = map[string]any{}
		}
		r.Evidence["connections"] = connectionTable(append(f.Plain, f.Jar...))
		r.Evidence["backends"] = backendEvidence(run.Backends)
		r.Evidence["version"] = e.Dep.Version
		return r
	})
}

func backendEvidence(bs []backendIdentity) map[string]string {
	out := map[string]string{}
	for _, b := range bs {
		out[b.Addr] = b.Identity
		if b.Err != nil {
			out[b.Addr] = "error: " + b.Err.Error()
		}
	}
	return out
}

// judgeSticky is the verdict of affinity.sticky on recorded facts.
func judgeSticky(f stickyFacts) Result {
	all := append(slices.Clone(f.Plain), f.Jar...)
	if r := noAnswer(all); r != nil {
		return *r
	}
	if len(frontEnds(all)) == 0 {
		// Front ends that name themselves when asked directly prove
		// nothing about where the proxy sends a client.
		return unidentified(f.Header, all)
	}
	known := knownFrontEnds(all, f.Backends)
	ev := map[string]any{"front_ends_known": known}
	if len(known) < 2 {
		return Result{Status: Info, Evidence: ev, Message: fmt.Sprintf(
			"only one front end is known (%s): nothing to balance%s", known[0], failedNote(all))}
	}
	plain, jar := frontEnds(f.Plain), frontEnds(f.Jar)
	switch {
	case len(plain) <= 1 && len(jar) <= 1:
		return Result{Status: Pass, Evidence: ev, Message: fmt.Sprintf(
			"all %d new connections (%d without cookies, %d with) stayed on %s (%d front ends known)%s",
			len(all), len(f.Plain), len(f.Jar), onlyLabel(plain, jar), len(known), failedNote(all))}
	case len(jar) <= 1:
		return Result{Status: Pass, Evidence: ev, Message: fmt.Sprintf(
			"without cookies new connections spread over %d front ends, but carrying the cookie they were given all stayed on %s: cookie persistence%s",
			len(plain), onlyLabel(jar, plain), failedNote(all))}
	case len(f.Sources) > 1 && stickyPerSource(f.Plain) && stickyPerSource(f.Jar):
		return Result{Status: Warn, Evidence: ev, Remedy: natRemedy, Message: fmt.Sprintf(
			"sticky by source address only: each configured source address stays on one front end, but the %d together "+
				"(a NAT pool: one client) reached %d front ends (%s), so a client behind that pool is split",
			len(f.Sources), len(jar), perSourceText(f.Jar))}
	}
	st := Warn
	if f.Version == "lync2010" {
		st = Fail
	}
	return Result{Status: st, Evidence: ev, Remedy: stickyRemedy, Message: fmt.Sprintf(
		"connections of one client spread over %d front ends (%s), with or without the cookies they were given; %s",
		len(jar), barsText(jar), versionRule(f.Version))}
}

// knownFrontEnds: every front end seen, plus those that answered directly.
func knownFrontEnds(ss []sample, backends []string) []string {
	seen := map[string]bool{}
	for _, s := range ss {
		if s.FrontEnd != "" {
			seen[s.FrontEnd] = true
		}
	}
	for _, b := range backends {
		if len(seen) == 0 || anyOfKind(seen, b) {
			seen[b] = true
		}
	}
	out := make([]string, 0, len(seen))
	for fe := range seen {
		out = append(out, fe)
	}
	sort.Strings(out)
	return out
}

func anyOfKind(seen map[string]bool, name string) bool {
	for s := range seen {
		if sameKind(s, name) {
			return true
		}
	}
	return false
}

// onlyLabel is the single front end of the first non-empty count.
func onlyLabel(counts ...[]Bar) string {
	for _, c := range counts {
		if len(c) > 0 {
			return c[0].Label
		}
	}
	return "one front end"
}

// stickyPerSource: the requests from each source address reached one front end.
func stickyPerSource(ss []sample) bool {
	fe := map[string]string{}
	for _, s := range ss {
		if s.FrontEnd == "" {
			continue
		}
		if prev, ok := fe[s.Source]; ok && prev != s.FrontEnd {
			return false
		}
		fe[s.Source] = s.FrontEnd
	}
	return true
}

// perSourceText is "127.0.0.1 → fe01, 127.0.0.2 → fe02".
func perSourceText(ss []sample) string {
	var parts []string
	seen := map[string]bool{}
	for _, s := range ss {
		if s.FrontEnd != "" && !seen[s.Source] {
			seen[s.Source] = true
			parts = append(parts, s.Source+" → "+s.FrontEnd)
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

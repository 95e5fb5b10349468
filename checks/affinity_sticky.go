package checks

import (
	"context"
	"fmt"
	"net/http"
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
	// Cookie is the persistence the balancer's cookies show: modeWSMAN,
	// modeOther, or "" when it sets no persistence cookie.
	Cookie string
}

const stickyRemedy = "Keep one client on one front end: source-address affinity on the load balancer in front of the " +
	"reverse-proxy array (Windows NLB port rule Affinity \"Single\"; F5/KEMP source-address persistence), or cookie " +
	"persistence with a cookie named MS-WSMAN. TMG's own cookie affinity needs forms-based authentication, which Lync cannot use (confusedamused.com on TMG and Lync)."

const natRemedy = "Clients behind a NAT pool reach the balancer from several addresses, so source-address affinity alone " +
	"splits them (KEMP: NATed clients show up as one or several IPs): add MS-WSMAN cookie persistence on the balancer, " +
	"which survives an address change, or have the client's NAT map one client to one address."

// modeRule is the table's verdict and rule for the version and mode;
// Warn with no rule for a version the table does not know.
func modeRule(version, mode string) (Status, string) {
	if r, ok := affinityRule(version, mode); ok {
		return r.Status, r.Rule
	}
	return Warn, "no rule for version " + version
}

// cookieMode is the persistence the balancer's cookies show.
func cookieMode(ss []sample, identityCookie string) string {
	mode := ""
	for _, s := range ss {
		for _, l := range s.SetCookies {
			ck, err := http.ParseSetCookie(l)
			switch {
			case err != nil:
			case ck.Name == wsmanCookie:
				return modeWSMAN
			case isPersistence(ck.Name, identityCookie):
				mode = modeOther
			}
		}
	}
	return mode
}

// affinitySticky: repeated connections of one client stay on one front end.
func affinitySticky(ctx context.Context, e *Env) []Result {
	return e.affinityEach(ctx, func(run *affinityRun) Result {
		f := stickyFacts{Version: e.Dep.Version, Header: e.Dep.Affinity.IdentityHeader, Sources: run.Sources,
			Plain: e.samples(runPlain, run.Plain), Jar: e.samples(runJar, run.Jar)}
		f.Cookie = cookieMode(append(slices.Clone(f.Plain), f.Jar...), e.Dep.Affinity.IdentityCookie)
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
	case len(plain) <= 1 && len(jar) <= 1 && f.Cookie == "":
		return sourceOnly(f, ev, all, len(known), onlyLabel(plain, jar))
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
	st, rule := modeRule(f.Version, modeNone)
	ev["rule"] = modeNone
	return Result{Status: st, Evidence: ev, Remedy: stickyRemedy, Message: fmt.Sprintf(
		"connections of one client spread over %d front ends (%s), with or without the cookies they were given; %s",
		len(jar), barsText(jar), rule)}
}

// sourceOnly judges a balancer that kept every connection on one front
// end without any persistence cookie: source-address persistence.
func sourceOnly(f stickyFacts, ev map[string]any, all []sample, known int, fe string) Result {
	st, rule := modeRule(f.Version, modeSource)
	ev["rule"] = modeSource
	msg := fmt.Sprintf("all %d new connections (%d without cookies, %d with) stayed on %s (%d front ends known)%s, with no persistence cookie: source-address persistence",
		len(all), len(f.Plain), len(f.Jar), fe, known, failedNote(all))
	if st == Pass {
		return Result{Status: Pass, Evidence: ev, Message: msg}
	}
	return Result{Status: st, Evidence: ev, Remedy: wsmanRemedy, Message: msg + "; " + rule + " (affinity.join-flow shows whether a join breaks)"}
}

const wsmanRemedy = "Add MS-WSMAN cookie persistence on the load balancer for the external web services (Lync 2010 requires it for external clients): " +
	"named MS-WSMAN, not HttpOnly, no expiry, inserted in every response whose request carried none. Keep source-address persistence for the internal web services."

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

package checks

import (
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"strings"
)

// The Needs rule. A check lists in Check.Needs the checks whose verdicts
// its evidence relies on (dns.resolves for anything that connects to a
// name; http.reachable for anything judged from a page fetched over
// HTTPS; the meet page's own checks for the join replay). When such a
// check shows its fact broken for a target's host, a verdict drawn from
// that fact is not evidence: the runner replaces the dependent's result
// for that host with a skip naming the check that failed, and keeps the
// withheld verdict in its evidence. A dependent's error stays an error:
// it could not judge either way, and an error is never green.
//
// A check that needs another runs it, whatever --only says: a needed
// check outside the selection runs unreported, and its failures for the
// hosts it made others skip are reported after all, so that a run whose
// checks could not judge because of a failure elsewhere is never green
// (issue 19, defect 3: `--only http` with the deployment's DNS down).

// prerequisite failure for one host: the first failing result of the
// root check (for a cascade, the check that failed first).
type cause struct {
	ID, Target string
	Status     Status
	Message    string
}

func (c cause) words() string {
	if c.Status == Fail {
		return fmt.Sprintf("depends on %s, which failed for %s", c.ID, c.Target)
	}
	return fmt.Sprintf("depends on %s, which could not check %s (%s: %s)", c.ID, c.Target, c.Status, c.Message)
}

// hostState is what one needed check showed for one host.
type hostState struct {
	held  bool   // some result passed, informed or warned: the fact holds somewhere
	cause *cause // the first failure (or inherited cascade) seen
}

// withNeeds is the selected checks plus every check of pool they need,
// in pool (registry) order; hidden marks the ones not selected.
func withNeeds(selected, pool []Check) (all []Check, hidden map[string]bool) {
	byID := map[string]Check{}
	for _, c := range pool {
		byID[c.ID] = c
	}
	want := map[string]bool{}
	var add func(id string)
	add = func(id string) {
		if want[id] {
			return
		}
		want[id] = true
		for _, n := range byID[id].Needs {
			add(n)
		}
	}
	for _, c := range selected {
		add(c.ID)
	}
	hidden = map[string]bool{}
	for _, c := range pool {
		if !want[c.ID] {
			continue
		}
		all = append(all, c)
		if !slices.ContainsFunc(selected, func(s Check) bool { return s.ID == c.ID }) {
			hidden[c.ID] = true
		}
	}
	return all, hidden
}

func checkByID(id string) (Check, bool) {
	for _, c := range registry {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

// cascade applies the Needs rule to the results of all (registry order,
// out[i] being all[i]'s results) and returns what the run reports: the
// selected checks' results, and the hidden checks' failures that made a
// reported result skip.
// moot, when set, says a need is no prerequisite of a result in this run
// (Env.moot).
func cascade(all []Check, out [][]Result, hidden map[string]bool, moot func(need string, r Result) bool) []Result {
	states := map[string]map[place]*hostState{} // check ID → scheme and host → state
	cited := map[string]map[string][]string{}   // hidden check ID → host → dependents
	for i, c := range all {
		for j := range out[i] {
			r := &out[i][j]
			if root := firstBroken(c, states, *r, moot); root != nil && r.Status != Error {
				withhold(r, *root)
				if hidden[root.ID] && !hidden[c.ID] {
					cite(cited, root.ID, targetHost(r.Target), c.ID)
				}
			}
		}
		states[c.ID] = hostStates(out[i])
	}
	var rs []Result
	for i, c := range all {
		if !hidden[c.ID] {
			rs = append(rs, out[i]...)
			continue
		}
		rs = append(rs, citedResults(out[i], cited[c.ID])...)
	}
	return rs
}

// place is where a result is about: a host, and the scheme when its
// target is a URL ("" for a bare name, which stands for every scheme).
type place struct{ scheme, host string }

func placeOf(target string) place {
	p := place{host: targetHost(target)}
	if i := strings.Index(target, "://"); i > 0 {
		p.scheme = strings.ToLower(target[:i])
	}
	return p
}

// covers reports whether what a needed check found at p speaks for q: the
// same host, and the same scheme unless either is a bare name
// (http.reachable's https answers say nothing of lyncdiscover over http).
func (p place) covers(q place) bool {
	return p.host == q.host && (p.scheme == "" || q.scheme == "" || p.scheme == q.scheme)
}

// firstBroken is the cause of the first need of c broken where r is
// about, nil when every need holds there (or r names no host).
func firstBroken(c Check, states map[string]map[place]*hostState, r Result, moot func(need string, r Result) bool) *cause {
	at := placeOf(r.Target)
	if at.host == "" {
		return nil
	}
	for _, n := range c.Needs {
		if moot != nil && moot(n, r) {
			continue
		}
		if cs := brokenAt(states[n], at); cs != nil {
			return cs
		}
	}
	return nil
}

// brokenAt is the cause of a needed check's failure at q: a result that
// speaks for q failed (or passed a failure on), and none held.
func brokenAt(states map[place]*hostState, q place) *cause {
	var cs *cause
	for p, st := range states {
		if !p.covers(q) {
			continue
		}
		if st.held {
			return nil
		}
		if st.cause != nil && (cs == nil || st.cause.Target < cs.Target) {
			cs = st.cause // the same cause whatever the map's order
		}
	}
	return cs
}

// moot: what dns.resolves found is no prerequisite of a result about a
// configured address rather than a resolved one: a reverse_proxy.nodes
// member, or a published name under --connect-to, which is probed at the
// given address whatever DNS says (dns.resolves is still reported).
func (e *Env) moot(need string, r Result) bool {
	if need != "dns.resolves" {
		return false
	}
	return strings.HasPrefix(r.Via, "node") || e.published[targetHost(r.Target)]
}

// hostStates sums up one check's results per place.
func hostStates(rs []Result) map[place]*hostState {
	m := map[place]*hostState{}
	for _, r := range rs {
		p := placeOf(r.Target)
		if p.host == "" {
			continue
		}
		st := m[p]
		if st == nil {
			st = &hostState{}
			m[p] = st
		}
		switch {
		case r.Status == Pass || r.Status == Info || r.Status == Warn:
			st.held = true
		case st.cause != nil:
		case r.Status == Fail || r.Status == Error:
			st.cause = &cause{ID: r.ID, Target: r.Target, Status: r.Status, Message: r.Message}
		case r.Status == Skip && inherited(r) != nil:
			st.cause = inherited(r)
		}
	}
	return m
}

// withhold turns r into the cascade's skip, keeping its verdict in evidence.
func withhold(r *Result, c cause) {
	ev := maps.Clone(r.Evidence)
	if ev == nil {
		ev = map[string]any{}
	}
	ev["depends_on"] = map[string]any{"check": c.ID, "target": c.Target, "status": c.Status.String(), "message": c.Message}
	if r.Status != Skip {
		ev["withheld"] = r.Status.String() + ": " + r.Message
	}
	r.Status, r.Message, r.Remedy, r.Evidence = Skip, c.words(), "", ev
}

// inherited is the cause a cascade skip carries, for the checks that
// need the skipped one: they name the check that failed first.
func inherited(r Result) *cause {
	d, ok := r.Evidence["depends_on"].(map[string]any)
	if !ok {
		return nil
	}
	c := &cause{}
	c.ID, _ = d["check"].(string)
	c.Target, _ = d["target"].(string)
	c.Message, _ = d["message"].(string)
	st, _ := d["status"].(string)
	c.Status, _ = ParseStatus(st)
	if c.ID == "" {
		return nil
	}
	return c
}

func cite(cited map[string]map[string][]string, id, host, by string) {
	if cited[id] == nil {
		cited[id] = map[string][]string{}
	}
	if !slices.Contains(cited[id][host], by) {
		cited[id][host] = append(cited[id][host], by)
	}
}

// citedResults are a hidden check's failures for the hosts its failure
// made reported checks skip, each saying which.
func citedResults(rs []Result, hosts map[string][]string) []Result {
	var out []Result
	for _, r := range rs {
		by := hosts[targetHost(r.Target)]
		if len(by) == 0 || (r.Status != Fail && r.Status != Error) {
			continue
		}
		r.Evidence = maps.Clone(r.Evidence)
		if r.Evidence == nil {
			r.Evidence = map[string]any{}
		}
		r.Evidence["reported_because"] = "not among the selected modules, but " + strings.Join(by, ", ") + " depend on it"
		out = append(out, r)
	}
	return out
}

// targetHost is the lower-case host a result's target is about: the host
// of a URL, or the name itself; "" when the target names no host.
func targetHost(t string) string {
	if strings.Contains(t, "://") {
		u, err := url.Parse(t)
		if err != nil {
			return ""
		}
		return strings.ToLower(u.Hostname())
	}
	if h, _, err := net.SplitHostPort(t); err == nil {
		t = h
	}
	if t == "" || strings.ContainsAny(t, "/ ") {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(t, "."))
}

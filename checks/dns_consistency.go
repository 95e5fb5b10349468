package checks

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// dnsConsistency: with several public-view resolvers, they agree on every
// name; when they do not, the result says which answered what. Regional
// views (dns.views) answer differently by design: resolvers are compared
// only with the others of their own view.
func dnsConsistency(ctx context.Context, e *Env) []Result {
	views := e.viewGroups()
	if len(views) == 0 {
		return nil
	}
	names := append(dnsPublishedNames(e), e.dnsEdgeNames()...)
	return each(len(names), func(i int) []Result {
		all := e.LookupHost(ctx, names[i])
		var out []Result
		for _, v := range views {
			ls := slices.DeleteFunc(slices.Clone(all), func(l Lookup) bool { return l.Resolver.viewName() != v })
			r := e.judgeConsistency(ctx, names[i], ls)
			if v != "" {
				r.Via = "view " + v
			}
			out = append(out, r)
		}
		return out
	})
}

// viewGroups are the views with two or more resolvers to compare, in
// config order ("" is the default view).
func (e *Env) viewGroups() []string {
	count := map[string]int{}
	var order []string
	for _, r := range e.Public {
		v := r.viewName()
		if count[v] == 0 {
			order = append(order, v)
		}
		count[v]++
	}
	return slices.DeleteFunc(order, func(v string) bool { return count[v] < 2 })
}

func (e *Env) judgeConsistency(ctx context.Context, name string, ls []Lookup) Result {
	r := Result{Target: name}
	said := map[string]string{} // resolver label → its answer in a word
	var words, silent []string  // distinct answers in resolver order; who did not answer
	for _, l := range ls {
		w := dnsAnswerWord(l)
		if w == "" {
			silent = append(silent, l.Resolver.Label)
			continue
		}
		said[l.Resolver.Label] = w
		if !slices.Contains(words, w) {
			words = append(words, w)
		}
	}
	r.Evidence = map[string]any{"answers": said}
	if len(silent) > 0 {
		r.Evidence["no_answer"] = silent
	}
	switch {
	case len(silent) > 0 && e.Unfinished(ctx) != "":
		r.Status, r.Message = Error, e.Unfinished(ctx)
	case len(said) < 2:
		r.Status = Skip
		r.Message = fmt.Sprintf("only %d of %d resolvers answered about %s: nothing to compare", len(said), len(ls), name)
	case len(words) == 1:
		r.Status = Pass
		r.Message = fmt.Sprintf("%d resolvers agree: %s", len(said), words[0])
	default:
		r.Status = Warn
		r.Message = "the resolvers disagree: " + dnsDisagreement(ls, said)
		r.Remedy = "A resolver that answers differently serves an old copy of the zone (a secondary that has not transferred the latest serial, or a second DNS provider not updated) or still caches a record changed within its TTL. Compare the SOA serial on every authoritative server, update every provider, and allow the old TTL to run out after a change."
	}
	if len(silent) > 0 && r.Status != Error {
		r.Message += fmt.Sprintf(" (%s did not answer)", strings.Join(silent, ", "))
	}
	return r
}

// dnsAnswerWord is a resolver's answer as compared: the sorted address set,
// or the negative answer; "" when it did not answer.
func dnsAnswerWord(l Lookup) string {
	switch dnsStateOf(l.A, len(l.Addresses) > 0) {
	case dnsPresent:
		addrs := slices.Clone(l.Addresses)
		slices.Sort(addrs)
		return strings.Join(addrs, ", ")
	case dnsAbsent, dnsBroken:
		return dnsAbsentWord(l.A)
	}
	return ""
}

func dnsDisagreement(ls []Lookup, said map[string]string) string {
	var parts []string
	for _, l := range ls {
		if w, ok := said[l.Resolver.Label]; ok {
			parts = append(parts, l.Resolver.Label+" answered "+w)
		}
	}
	return strings.Join(parts, "; ")
}

package report

import (
	"regexp"
	"slices"
	"strings"

	"github.com/lyncprobe/lyncprobe/result"
)

// Root causes: results already say what they follow from. A skip reads
// "depends on dns.resolves, which failed for …", a consequence's remedy
// "(see http.host-forwarding)", and the catalogue's Needs names the checks
// whose failure for a target makes a check skip it. A problem that names
// no other problem of the run is a root cause; everything that names one,
// directly or through another consequence, is listed beneath it.

// cause is one root cause: the results of one check that follow from
// nothing else in the run, and what follows from them.
type cause struct {
	ID      string
	Status  result.Status   // the worst status of Roots
	Roots   []result.Result // one per target
	Effects []result.Result // problems and skips that follow from Roots
}

// analysis is a report's results sorted for a reader.
type analysis struct {
	Causes     []cause
	NotChecked []result.Result // skips that follow from no problem of the run
	Info       []result.Result
	Suppressed []result.Result
	Problems   int // fail, warn and error results, not suppressed
}

// isProblem is a result someone must act on.
func isProblem(r result.Result) bool {
	return !r.Suppressed && (r.Status == result.Fail || r.Status == result.Warn || r.Status == result.Error)
}

// severity orders causes: a fail first, then an error (the check could not
// decide), then a warning.
func severity(s result.Status) int {
	switch s {
	case result.Fail:
		return 3
	case result.Error:
		return 2
	case result.Warn:
		return 1
	}
	return 0
}

var checkIDWord = regexp.MustCompile(`[a-z]+\.[a-z0-9-]+`)

// analyse groups rs by root cause, following the Needs of cat.
func analyse(rs []result.Result, cat catalog) analysis {
	var a analysis
	problemIDs := map[string]bool{}
	for _, r := range rs {
		if isProblem(r) {
			problemIDs[r.ID] = true
			a.Problems++
		}
	}
	needs := map[string][]string{}
	for id, c := range cat {
		needs[id] = c.Needs
	}
	// causeOf[i] is the ID of the problem result i follows from, "" if none.
	causeOf := make([]string, len(rs))
	for i, r := range rs {
		if r.Suppressed || (!isProblem(r) && r.Status != result.Skip) {
			continue
		}
		causeOf[i] = namedCause(r, rs, problemIDs, needs)
	}
	// A skip that names another skipped check ("see cert.san-coverage")
	// follows that check's cause.
	skipsWithCause := map[string]bool{}
	for i, r := range rs {
		if r.Status == result.Skip && causeOf[i] != "" {
			skipsWithCause[r.ID] = true
		}
	}
	for i, r := range rs {
		if r.Status == result.Skip && !r.Suppressed && causeOf[i] == "" {
			for _, id := range checkIDWord.FindAllString(r.Message+" "+r.Remedy, -1) {
				if id != r.ID && skipsWithCause[id] {
					causeOf[i] = id
					break
				}
			}
		}
	}
	// An ID is a root when one of its problems follows from nothing.
	rootIDs := map[string]bool{}
	for i, r := range rs {
		if isProblem(r) && causeOf[i] == "" {
			rootIDs[r.ID] = true
		}
	}
	// Follow consequence chains (a skip of a skip of a failure) to a root.
	next := map[string]string{}
	for i, r := range rs {
		if (isProblem(r) || r.Status == result.Skip) && causeOf[i] != "" && next[r.ID] == "" {
			next[r.ID] = causeOf[i]
		}
	}
	rootOf := func(id string) string {
		for range len(next) + 1 {
			if rootIDs[id] {
				return id
			}
			if id = next[id]; id == "" {
				return ""
			}
		}
		return ""
	}
	index := map[string]int{}
	add := func(id string) int {
		if i, ok := index[id]; ok {
			return i
		}
		index[id] = len(a.Causes)
		a.Causes = append(a.Causes, cause{ID: id})
		return index[id]
	}
	for i, r := range rs {
		switch {
		case r.Suppressed:
			a.Suppressed = append(a.Suppressed, r)
		case r.Status == result.Info:
			a.Info = append(a.Info, r)
		case isProblem(r) && causeOf[i] == "":
			c := &a.Causes[add(r.ID)]
			c.Roots = append(c.Roots, r)
			if severity(r.Status) > severity(c.Status) {
				c.Status = r.Status
			}
		case isProblem(r) || r.Status == result.Skip:
			root := rootOf(causeOf[i])
			if root == "" || root == r.ID {
				if r.Status == result.Skip {
					a.NotChecked = append(a.NotChecked, r)
					continue
				}
				root = r.ID // a cycle: the problem stands for itself
				c := &a.Causes[add(root)]
				c.Roots = append(c.Roots, r)
				if severity(r.Status) > severity(c.Status) {
					c.Status = r.Status
				}
				continue
			}
			c := &a.Causes[add(root)]
			c.Effects = append(c.Effects, r)
		}
	}
	a.Causes = mergeSameRemedy(a.Causes)
	// Effects can reach a cause before its roots are seen; a cause with no
	// root cannot happen (rootOf ends at an ID with roots).
	slices.SortStableFunc(a.Causes, func(x, y cause) int { return severity(y.Status) - severity(x.Status) })
	return a
}

// namedCause is the problem check r follows from: one its message or
// remedy names, else one it needs that is a problem for the same host.
func namedCause(r result.Result, rs []result.Result, problemIDs map[string]bool, needs map[string][]string) string {
	for _, id := range checkIDWord.FindAllString(r.Message+" "+r.Remedy, -1) {
		if id != r.ID && problemIDs[id] {
			return id
		}
	}
	host := result.URLHost(r.Target)
	if host == "" {
		host = r.Target
	}
	for _, need := range needs[r.ID] {
		for _, p := range rs {
			if p.ID == need && isProblem(p) && (result.URLHost(p.Target) == host || p.Target == host) {
				return need
			}
		}
	}
	return ""
}

// verdictOf is the run's one-word verdict.
func verdictOf(rs []result.Result) result.Status {
	worst := result.Pass
	for _, r := range rs {
		if isProblem(r) && severity(r.Status) > severity(worst) {
			worst = r.Status
		}
	}
	if worst == result.Error {
		return result.Fail // an error fails the run as a fail does
	}
	return worst
}

// mergeSameRemedy makes a cause whose every remedy an earlier cause
// already gives a consequence of that cause: one fix, one cause (a proxy
// that pre-authenticates also breaks lyncdiscover, whose remedy is the
// pre-authentication one), and each remedy is printed once.
func mergeSameRemedy(cs []cause) []cause {
	var out []cause
	for _, c := range cs {
		target := -1
		for i := range out {
			if coversRemedies(out[i], c) {
				target = i
				break
			}
		}
		if target < 0 {
			out = append(out, c)
			continue
		}
		out[target].Effects = append(out[target].Effects, c.Roots...)
		out[target].Effects = append(out[target].Effects, c.Effects...)
	}
	return out
}

// coversRemedies: every root of c has a remedy, and each is one a root of
// by gives, or contains it (a consequence's remedy that begins with its
// own note and goes on with the cause's).
func coversRemedies(by, c cause) bool {
	for _, r := range c.Roots {
		if r.Remedy == "" {
			return false
		}
		found := false
		for _, b := range by.Roots {
			if b.Remedy != "" && strings.Contains(r.Remedy, b.Remedy) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// bySeverity orders results for a list of findings: problems by root
// cause (each cause's results, then its consequences; causes worst
// first), then skips, information, suppressed findings and passes.
func bySeverity(rs []result.Result, cat catalog) []result.Result {
	a := analyse(rs, cat)
	out := make([]result.Result, 0, len(rs))
	for _, c := range a.Causes {
		out = append(out, c.Roots...)
		out = append(out, c.Effects...)
	}
	out = append(out, a.NotChecked...)
	out = append(out, a.Info...)
	out = append(out, a.Suppressed...)
	for _, r := range rs {
		if r.Status == result.Pass && !r.Suppressed {
			out = append(out, r)
		}
	}
	return out
}

package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/lyncprobe/lyncprobe/result"
)

// ReadJSON reads a --format json report, single or fleet, and returns its
// results (a fleet's with their deployments).
func ReadJSON(r io.Reader) ([]result.Result, error) {
	var doc struct {
		Version     int             `json:"version"`
		Deployment  string          `json:"deployment"`
		Results     []result.Result `json:"results"`
		Deployments []struct {
			Name    string          `json:"name"`
			Results []result.Result `json:"results"`
		} `json:"deployments"`
	}
	dec := json.NewDecoder(r)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not a lyncprobe JSON report: %w", err)
	}
	if doc.Version != Version {
		return nil, fmt.Errorf("report format version %d; this lyncprobe reads version %d", doc.Version, Version)
	}
	rs := doc.Results
	for _, d := range doc.Deployments {
		for _, r := range d.Results {
			if r.Deployment == "" {
				r.Deployment = d.Name
			}
			rs = append(rs, r)
		}
	}
	return rs, nil
}

// Change is one result whose verdict moved between two runs.
type Change struct {
	Key      string // deployment, check, target, via
	ID       string
	Target   string
	Old, New *result.Result // nil: not in that run
}

// Delta is what a change window did: what got fixed, what broke, what
// changed otherwise, and how many problems stayed.
type Delta struct {
	Fixed, Broke, Changed []Change
	StillFailing          int
	Quiet                 int // passing results that came or went
}

// NewFailure reports whether the new run fails (fail or error) where the
// old one did not: the gate of a change window.
func (d Delta) NewFailure() bool {
	for _, c := range d.Broke {
		if c.New != nil && failing(*c.New) {
			return true
		}
	}
	return false
}

func failing(r result.Result) bool {
	return !r.Suppressed && (r.Status == result.Fail || r.Status == result.Error)
}

func diffKey(r result.Result) string {
	return strings.Join([]string{r.Deployment, r.ID, r.Target, r.Via}, "\x00")
}

// Diff compares two runs result by result, keyed by (deployment, check,
// target, via); a result whose via changed (a renewed certificate, another
// resolver port) is paired by (deployment, check, target) when that pairs
// them one to one. In the new run's order, then the old run's leftovers.
func Diff(old, new []result.Result) Delta {
	pairOf := pairResults(old, new)
	var d Delta
	classify := func(o, n *result.Result) {
		c := Change{Old: o, New: n}
		if n != nil {
			c.Key, c.ID, c.Target = diffKey(*n), n.ID, n.Target
		} else {
			c.Key, c.ID, c.Target = diffKey(*o), o.ID, o.Target
		}
		wasProblem := o != nil && isProblem(*o)
		isNow := n != nil && isProblem(*n)
		switch {
		case wasProblem && !isNow:
			d.Fixed = append(d.Fixed, c)
		case isNow && (!wasProblem || severity(n.Status) > severity(o.Status)):
			d.Broke = append(d.Broke, c)
		case isNow && wasProblem && o.Status == n.Status:
			d.StillFailing++
		case o == nil || n == nil:
			if r := orEither(o, n); r.Status == result.Skip {
				d.Changed = append(d.Changed, c)
			} else {
				d.Quiet++ // a passing result that came or went
			}
		case o.Status != n.Status || o.Suppressed != n.Suppressed:
			d.Changed = append(d.Changed, c)
		}
	}
	matched := map[int]bool{}
	for i := range new {
		j, ok := pairOf[i]
		if ok {
			matched[j] = true
			classify(&old[j], &new[i])
			continue
		}
		classify(nil, &new[i])
	}
	for j := range old {
		if !matched[j] {
			classify(&old[j], nil)
		}
	}
	return d
}

func orEither(a, b *result.Result) result.Result {
	if a != nil {
		return *a
	}
	return *b
}

// pairResults maps each new result's index to its old result's index.
func pairResults(old, new []result.Result) map[int]int {
	pair := map[int]int{}
	exact := map[string][]int{}
	for j := range old {
		exact[diffKey(old[j])] = append(exact[diffKey(old[j])], j)
	}
	taken := map[int]bool{}
	for i := range new {
		if js := exact[diffKey(new[i])]; len(js) > 0 {
			pair[i], taken[js[0]] = js[0], true
			exact[diffKey(new[i])] = js[1:]
		}
	}
	loose := func(r result.Result) string { return r.Deployment + "\x00" + r.ID + "\x00" + r.Target }
	oldLoose, newLoose := map[string][]int{}, map[string][]int{}
	for j := range old {
		if !taken[j] {
			oldLoose[loose(old[j])] = append(oldLoose[loose(old[j])], j)
		}
	}
	for i := range new {
		if _, ok := pair[i]; !ok {
			newLoose[loose(new[i])] = append(newLoose[loose(new[i])], i)
		}
	}
	for k, is := range newLoose {
		if js := oldLoose[k]; len(js) == len(is) {
			for n := range is {
				pair[is[n]] = js[n]
			}
		}
	}
	return pair
}

// DiffText writes the delta for a person: broke first, then fixed, then
// the other changes.
func DiffText(w io.Writer, d Delta, o Options) error {
	p := &printer{w: w, o: o, width: o.Width}
	if p.width <= 0 {
		p.width = DefaultWidth
	}
	verdict := "no new failure"
	if d.NewFailure() {
		verdict = "NEW FAILURE"
	}
	p.para(16, "lyncprobe diff:", fmt.Sprintf("%s: %d broke, %d fixed, %d changed, %d still failing, %d passing results new or gone",
		verdict, len(d.Broke), len(d.Fixed), len(d.Changed), d.StillFailing, d.Quiet))
	p.changes("Broke", d.Broke)
	p.changes("Fixed", d.Fixed)
	p.changes("Changed", d.Changed)
	return p.err
}

func (p *printer) changes(title string, cs []Change) {
	if len(cs) == 0 {
		return
	}
	p.printf("\n%s\n", title)
	for _, c := range cs {
		r := c.New
		if r == nil {
			r = c.Old
		}
		p.printf("  %s\n", transition(c))
		p.para(4, "", r.ID+" on "+targetLine(*r)+": "+describe(c))
	}
}

// transition is "PASS -> FAIL", "- -> WARN" (new) or "FAIL -> -" (gone).
func transition(c Change) string {
	name := func(r *result.Result) string {
		if r == nil {
			return "-"
		}
		if r.Suppressed {
			return strings.ToUpper(r.Status.String()) + "(suppressed)"
		}
		return strings.ToUpper(r.Status.String())
	}
	return name(c.Old) + " -> " + name(c.New)
}

func describe(c Change) string {
	switch {
	case c.New == nil:
		return "no longer reported (was: " + c.Old.Message + ")"
	case c.Old == nil:
		return "new: " + c.New.Message
	}
	return c.New.Message
}

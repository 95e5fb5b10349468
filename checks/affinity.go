package checks

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/probe"
)

// Run names of the affinity probe, as evidence shows them.
const (
	runPlain   = "no cookies"
	runJar     = "cookie jar"
	runOneConn = "one connection"
)

// sample is one request of the affinity probe as the checks read it.
type sample struct {
	Run        string
	Conn, Req  int
	Source     string
	Cookies    []string // names of the cookies the request carried
	FrontEnd   string   // "" when the answer named none
	Status     int
	SetCookies []string // the answer's Set-Cookie lines
	Err        error
}

func (e *Env) samples(run string, vs []probe.Visit) []sample {
	out := make([]sample, len(vs))
	for i, v := range vs {
		out[i] = sample{Run: run, Conn: v.Conn, Req: v.Request, Source: v.Source, Cookies: v.Cookies,
			Status: v.Status, Err: v.Err}
		if v.Err == nil {
			out[i].FrontEnd = e.identity(v.Header)
			if out[i].FrontEnd == "" {
				out[i].FrontEnd = e.carriedIdentity(v.Cookie)
			}
			out[i].SetCookies = v.Header.Values("Set-Cookie")
		}
	}
	return out
}

// affinityEach judges every web services name's affinity run, in config
// order; the runs start at once (each is memoised, so the affinity checks
// share them).
func (e *Env) affinityEach(ctx context.Context, judge func(*affinityRun) Result) []Result {
	return each(len(e.Dep.WebServices), func(i int) []Result {
		ws := e.Dep.WebServices[i]
		return e.onEveryAddress(ctx, ws.External, true, func(ctx context.Context) Result { return e.affinityOne(ctx, ws, judge) })
	})
}

func (e *Env) affinityOne(ctx context.Context, ws config.WebService, judge func(*affinityRun) Result) Result {
	run, early := e.affinityFor(ctx, ws)
	if early != nil {
		return *early
	}
	r := judge(run)
	if run.OutOfTime {
		e.outOfTime(&r)
	}
	r.Target, r.Via = run.Target, run.Via
	if r.Evidence == nil {
		r.Evidence = map[string]any{}
	}
	r.Evidence["connect"] = run.Addr
	return r
}

// outOfTime words a result of a probe that its own limit cut short: what
// is missing was not the deployment's doing, so a skip becomes an error
// naming the setting, and a verdict says it rests on part of the probe.
func (e *Env) outOfTime(r *Result) {
	rounds := e.affinityRounds()
	why := fmt.Sprintf("the affinity probe ran out of time before it finished (its limit is %s: 90%% of --check-timeout "+
		"for each of its %d rounds of connections, %d at once under --concurrency %d)", e.memo.limit*time.Duration(rounds),
		rounds, e.affinityWorkers(e.Dep.Affinity.Connections), cap(e.memo.sem))
	if r.Status == Skip {
		r.Status, r.Remedy = Error, ""
		r.Message = why + ": raise --check-timeout or --concurrency"
		return
	}
	r.Message += "; note: " + why + ", so this rests on the part that ran"
}

// noAnswer is the skip for a run in which nothing answered, or nil.
func noAnswer(ss []sample) *Result {
	for _, s := range ss {
		if s.Err == nil {
			return nil
		}
	}
	msg := "no connection of the affinity probe got an HTTP answer"
	if len(ss) > 0 {
		msg += fmt.Sprintf(" (%s)", probe.KindOf(ss[0].Err))
	}
	return &Result{Status: Skip, Message: msg + "; see http.reachable",
		Evidence: map[string]any{"error": firstError(ss)}}
}

func firstError(ss []sample) string {
	for _, s := range ss {
		if s.Err != nil {
			return s.Err.Error()
		}
	}
	return ""
}

// unidentified is the skip for answers that name no front end; header is
// the identity header that was looked for.
func unidentified(header string, ss []sample) Result {
	return Result{Status: Skip, Message: fmt.Sprintf(
		"no answer named its front end (no %s header on %s, which a hardened proxy strips; the proxy answered %s): "+
			"set affinity.identity_header or affinity.identity_cookie to what names the front end", header, identityPath, statusesOf(ss)),
		Remedy: "Set affinity.identity_header to a response header your front ends or balancer send with the server's name, " +
			"or affinity.identity_cookie to a persistence cookie whose value names the server (e.g. BIGipServer<pool>).",
	}
}

// frontEnds counts samples by front end, most first, then by name.
func frontEnds(ss []sample) []Bar {
	n := map[string]int{}
	for _, s := range ss {
		if s.FrontEnd != "" {
			n[s.FrontEnd]++
		}
	}
	out := make([]Bar, 0, len(n))
	for fe, c := range n {
		out = append(out, Bar{Label: fe, Count: c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Label < out[j].Label
	})
	return out
}

// barsText is "fe01 12, fe02 8".
func barsText(bs []Bar) string {
	parts := make([]string, len(bs))
	for i, b := range bs {
		parts[i] = fmt.Sprintf("%s %d", b.Label, b.Count)
	}
	return strings.Join(parts, ", ")
}

// failedNote is " (3 of 20 connections got no answer: timeout)" or "".
func failedNote(ss []sample) string {
	failed := 0
	var kind probe.Kind
	for _, s := range ss {
		if s.Err != nil {
			failed++
			kind = probe.KindOf(s.Err)
		}
	}
	if failed == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d of %d requests got no answer: %s)", failed, len(ss), kind)
}

// connectionTable is the evidence table: connection → source → cookie →
// front end.
func connectionTable(ss []sample) []map[string]any {
	out := make([]map[string]any, len(ss))
	for i, s := range ss {
		row := map[string]any{"run": s.Run, "conn": s.Conn + 1, "source": s.Source,
			"cookie": strings.Join(s.Cookies, ","), "front_end": s.FrontEnd, "status": s.Status}
		if s.Run == runOneConn {
			row["request"] = s.Req + 1
		}
		if s.Err != nil {
			row["error"] = s.Err.Error()
		}
		out[i] = row
	}
	return out
}

// statusesOf is "401" or "302, 500": the distinct statuses answered.
func statusesOf(ss []sample) string {
	var out []string
	for _, s := range ss {
		if st := fmt.Sprint(s.Status); s.Err == nil && !slices.Contains(out, st) {
			out = append(out, st)
		}
	}
	if len(out) == 0 {
		return "nothing"
	}
	return strings.Join(out, ", ")
}

package checks

import (
	"fmt"
)

// judgeJoin is the verdict of affinity.join-flow on a recorded replay.
// trust says whether an identity asked on a step's own connection names
// the front end that served the step.
func judgeJoin(steps []joinStep, trust bool) Result {
	join := steps[0]
	if join.Err != nil || join.Status >= 400 {
		return Result{Status: Skip, Message: "the join page did not load (" + stepOutcome(join) +
			"), so the join cannot be replayed; see the http checks"}
	}
	if join.Status >= 300 || len(steps) == 1 {
		return Result{Status: Skip, Message: fmt.Sprintf("the join page answered %d with no follow-up to replay", join.Status)}
	}
	first := frontEndOf(join, trust)
	last := steps[len(steps)-1]
	lastFE := frontEndOf(last, trust)
	crossed := crossing(steps, trust)
	switch {
	case last.broken() && first != "" && lastFE != "" && lastFE != first:
		return Result{Status: Fail, Remedy: joinRemedy, Message: fmt.Sprintf(
			"the join crossed front ends and broke: the join page came from %s, follow-up %d (a new connection%s) reached %s and got %s",
			first, last.Step, fromText(last), lastFE, stepOutcome(last))}
	case last.broken() && (first == "" || lastFE == ""):
		return Result{Status: Fail, Remedy: joinRemedy, Message: fmt.Sprintf(
			"the join page loaded but follow-up %d (a new connection%s) got %s; the front ends could not be told apart, "+
				"most likely it reached one that does not know the join session", last.Step, fromText(last), stepOutcome(last))}
	case last.broken():
		return Result{Status: Fail, Remedy: "Check the web app on " + first + ": the join failed without changing front ends, so affinity is not the cause.",
			Message: fmt.Sprintf("follow-up %d got %s on the same front end as the join page (%s): not an affinity fault",
				last.Step, stepOutcome(last), first)}
	case crossed != "":
		return Result{Status: Info, Message: fmt.Sprintf(
			"the join crossed front ends (%s) and still worked: the session survived the crossing here", crossed)}
	case first != "":
		return Result{Status: Pass, Message: fmt.Sprintf(
			"the join page and %d follow-ups on new connections all reached %s and worked", len(steps)-1, first)}
	}
	return Result{Status: Pass, Message: fmt.Sprintf(
		"the join page and %d follow-ups on new connections worked (the front ends did not name themselves)", len(steps)-1)}
}

// frontEndOf is the step's front end if it can be believed.
func frontEndOf(s joinStep, trust bool) string {
	if s.SameConn && !trust {
		return ""
	}
	return s.FrontEnd
}

// crossing is "fe01 → fe02" for the first follow-up on another front end.
func crossing(steps []joinStep, trust bool) string {
	first := frontEndOf(steps[0], trust)
	for _, s := range steps[1:] {
		if fe := frontEndOf(s, trust); first != "" && fe != "" && fe != first {
			return first + " → " + fe
		}
	}
	return ""
}

// stepOutcome is "500 (session not found)" or the error's kind.
func stepOutcome(s joinStep) string {
	if s.Err != nil {
		return "no answer: " + s.Err.Error()
	}
	if s.Note != "" {
		return fmt.Sprintf("%d (%s)", s.Status, s.Note)
	}
	return fmt.Sprint(s.Status)
}

func fromText(s joinStep) string {
	if s.Source == "" {
		return ""
	}
	return " from " + s.Source
}

func stepTable(steps []joinStep) []map[string]any {
	out := make([]map[string]any, len(steps))
	for i, s := range steps {
		row := map[string]any{"step": s.Step, "path": s.Path, "source": s.Source, "status": s.Status,
			"front_end": s.FrontEnd, "front_end_from": "response"}
		if s.SameConn {
			row["front_end_from"] = "same connection"
		}
		if s.Note != "" {
			row["note"] = s.Note
		}
		if s.Err != nil {
			row["error"] = s.Err.Error()
		}
		out[i] = row
	}
	return out
}

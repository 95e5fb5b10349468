package checks

import (
	"context"
	"strings"
)

// edgeSummary: info, what a remote user will have, in plain words, from
// what the Edge roles answered (learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements: UDP preferred for audio and
// video with TCP as fallback; sharing and file transfer need TCP; with
// only 443, voice and chat work but sharing does not). It reads the other
// edge checks' memoised facts: nothing is probed twice.
func edgeSummary(ctx context.Context, e *Env) []Result {
	ed := e.Dep.Edge
	if ed == nil {
		return nil
	}
	access := edgeAccess(ctx, e)
	caps := []edgeCap{
		{"sign-in and IM", okVia(access, "sip_tls"), "can sign in and use IM and presence", "cannot sign in or use IM through the Access Edge"},
	}
	if ed.Federation {
		caps = append(caps, edgeCap{"federation", okVia(access, "federation"), "federated partners can reach you", "federated partners cannot reach you"})
	}
	caps = append(caps, edgeCap{"meeting content", okAll(edgeWebConf(ctx, e)), "sees meeting content (PowerPoint, whiteboard, polls)", "does not see meeting content"})
	av := edgeAVCheck(ctx, e)
	udp, tcp := okVia(av, "udp"), okVia(av, "tcp")
	caps = append(caps,
		edgeCap{"audio/video", avWord(udp, tcp), "has audio and video over UDP (best quality)", "has no audio or video"},
		edgeCap{"sharing", tcp, "can share desktop and programs and transfer files (if their own firewall lets TCP 50000-59999 out)", "cannot share desktop or programs or transfer files"})
	ev := map[string]any{}
	var user, others []string
	for _, c := range caps {
		ev[c.name] = c.state
		if c.name == "federation" {
			others = append(others, c.sentence())
			continue
		}
		user = append(user, c.sentence())
	}
	last := len(user) - 1
	msg := "A remote user " + strings.Join(user[:last], ", ") + " and " + user[last]
	for _, o := range others {
		msg += "; " + o
	}
	return []Result{{Target: ed.Access, Status: Info, Message: msg, Evidence: ev}}
}

// edgeCap is one capability and what answered for it: "yes", "no",
// "TCP only", "not checked".
type edgeCap struct {
	name, state, yes, no string
}

func (c edgeCap) sentence() string {
	switch c.state {
	case "yes":
		return c.yes
	case "TCP only":
		return "has audio and video only over TCP 443 (UDP 3478 did not answer: lower quality)"
	case "not checked":
		return c.name + ": not checked"
	}
	return c.no
}

func avWord(udp, tcp string) string {
	switch {
	case udp == "yes":
		return "yes"
	case tcp == "yes":
		return "TCP only"
	case udp == "not checked":
		return "not checked"
	}
	return "no"
}

// okVia is "yes" when every result whose Via starts with label (or has
// none: the name did not resolve) passed or only warned while answering,
// "not checked" when there is none or they skipped.
func okVia(rs []Result, label string) string {
	var sel []Result
	for _, r := range rs {
		if strings.HasPrefix(r.Via, label+" ") || r.Via == label || r.Via == "" {
			sel = append(sel, r)
		}
	}
	return okAll(sel)
}

func okAll(rs []Result) string {
	if len(rs) == 0 {
		return "not checked"
	}
	state := "yes"
	for _, r := range rs {
		switch r.Status {
		case Skip:
			state = "not checked"
		case Fail, Error:
			return "no"
		case Warn:
			if _, silent := r.Evidence["error"]; silent {
				return "no" // warned because it did not answer (UDP with TCP working)
			}
		}
	}
	return state
}

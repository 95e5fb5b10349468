package checks

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/lyncprobe/lyncprobe/probe"
)

// nodeAnswer is one proxy node's answer to one request.
type nodeAnswer struct {
	Node string
	A    *answer
	Err  error
}

func (n nodeAnswer) describe() string {
	if n.A == nil {
		return "no answer (" + string(probe.KindOf(n.Err)) + ")"
	}
	return n.A.describe()
}

// health ranks an answer, to pick the reference when nodes split evenly:
// the node that serves the page is the one the others should match.
func (n nodeAnswer) health() int {
	switch a := n.A; {
	case a == nil:
		return 0
	case loginSign(*a, "https://x/") != "", a.Status >= 400 && a.frontEndSign() == "":
		return 1
	case a.Blank(), a.Status == http.StatusNotFound:
		return 2
	case a.Status >= 300 && a.Status < 400:
		return 3
	}
	return 4
}

// oddNodes groups the answers by likeness and returns the reference group
// (the largest; among equals the healthiest) and every node outside it.
func oddNodes(as []nodeAnswer, same func(x, y nodeAnswer) bool) (ref []nodeAnswer, odd []nodeAnswer) {
	var groups [][]nodeAnswer
	for _, a := range as {
		placed := false
		for i, g := range groups {
			if same(g[0], a) {
				groups[i], placed = append(g, a), true
				break
			}
		}
		if !placed {
			groups = append(groups, []nodeAnswer{a})
		}
	}
	sort.SliceStable(groups, func(i, j int) bool {
		if len(groups[i]) != len(groups[j]) {
			return len(groups[i]) > len(groups[j])
		}
		return groups[i][0].health() > groups[j][0].health()
	})
	for _, g := range groups[1:] {
		odd = append(odd, g...)
	}
	sort.Slice(odd, func(i, j int) bool { return odd[i].Node < odd[j].Node })
	return groups[0], odd
}

// nodeList words the nodes of a group: "node A" or "nodes A, B".
func nodeList(g []nodeAnswer) string {
	var names []string
	for _, a := range g {
		names = append(names, a.Node)
	}
	if len(names) == 1 {
		return "node " + names[0] + " answers"
	}
	return "nodes " + strings.Join(names, ", ") + " answer"
}

func samePage(x, y nodeAnswer) bool {
	if x.A == nil || y.A == nil {
		return x.A == nil && y.A == nil && probe.KindOf(x.Err) == probe.KindOf(y.Err)
	}
	return alike(*x.A, *y.A)
}

// askNodes sends the same request to every node, at once.
func (e *Env) askNodes(ctx context.Context, host, path string) []nodeAnswer {
	nodes := e.Dep.ReverseProxy.Nodes
	out := make([]nodeAnswer, len(nodes))
	each(len(nodes), func(i int) []Result {
		resp, err := e.Fetch(ctx, e.pageRequest(nodes[i], host, path))
		out[i] = nodeAnswer{Node: nodes[i], Err: err}
		if err == nil {
			a := readAnswer(resp)
			out[i].A = &a
		}
		return nil
	})
	return out
}

// httpNodeConsistency: every reverse_proxy.nodes member answers every page
// and path alike; one array member without Host forwarding is a classic.
func httpNodeConsistency(ctx context.Context, e *Env) []Result {
	if len(e.Dep.ReverseProxy.Nodes) < 2 {
		return nil
	}
	pgs := e.pages()
	ws := e.Dep.WebServices
	return each(len(pgs)+len(ws), func(i int) []Result {
		if i < len(pgs) {
			return []Result{e.nodePage(ctx, pgs[i])}
		}
		return []Result{e.nodePaths(ctx, strings.ToLower(ws[i-len(pgs)].External))}
	})
}

func (e *Env) nodePage(ctx context.Context, p page) Result {
	as := e.askNodes(ctx, p.Host, p.Path)
	r := Result{Target: p.Target, Evidence: nodeEvidence(as)}
	if msg := e.Unfinished(ctx); msg != "" {
		r.Status, r.Message = Error, msg
		return r
	}
	group, odd := oddNodes(as, samePage)
	ref := group[0]
	if len(odd) == 0 {
		r.Status, r.Message = Pass, fmt.Sprintf("%s answer alike: %s", allNodes(len(as)), ref.describe())
		return r
	}
	var parts []string
	for _, o := range odd {
		parts = append(parts, fmt.Sprintf("node %s answers %s", o.Node, o.describe()))
	}
	r.Status = Fail
	r.Message = fmt.Sprintf("%s where %s %s", strings.Join(parts, "; "), nodeList(group), ref.describe())
	r.Remedy = "Make every array member's publishing rule the same as the healthy members' (public names, paths, bridging, authentication, Host forwarding)."
	if hostRouted(p.Kind) && ref.health() == 4 && odd[0].A != nil && len(rewriteSigns(*odd[0].A, nil)) > 0 {
		r.Message += ": that array member does not forward the original Host header"
		r.Remedy = "On that member: " + hostForwardRemedy
	}
	return r
}

// nodePaths compares the nodes over every external path and the
// internal-only ones: who answers (front end or proxy) and with what status.
func (e *Env) nodePaths(ctx context.Context, host string) Result {
	paths := append(pathsFor(e.Dep.Version), internalOnly...)
	diffs := make([][]string, len(paths))
	each(len(paths), func(i int) []Result {
		group, odd := oddNodes(e.askNodes(ctx, host, paths[i]), sameClass)
		for _, o := range odd {
			diffs[i] = append(diffs[i], fmt.Sprintf("node %s: %s answers %s (%s %s)", o.Node, paths[i], o.describe(), nodeList(group), group[0].describe()))
		}
		return nil
	})
	r := Result{Target: "https://" + host}
	if msg := e.Unfinished(ctx); msg != "" {
		r.Status, r.Message = Error, msg
		return r
	}
	var all []string
	for _, d := range diffs {
		all = append(all, d...)
	}
	if len(all) == 0 {
		r.Status, r.Message = Pass, fmt.Sprintf("%s answer the %d web services paths and /cscp, /OcsPowerShell alike",
			allNodes(len(e.Dep.ReverseProxy.Nodes)), len(paths)-len(internalOnly))
		return r
	}
	r.Status, r.Message = Fail, strings.Join(all, "; ")
	r.Evidence = map[string]any{"differences": all}
	r.Remedy = "Make every array member publish the same paths to the same port (4443) as the healthy members."
	return r
}

// sameClass compares who answered a path and how: the status, and front
// end or proxy.
func sameClass(x, y nodeAnswer) bool {
	if x.A == nil || y.A == nil {
		return samePage(x, y)
	}
	return x.A.Status == y.A.Status && (x.A.frontEndSign() == "") == (y.A.frontEndSign() == "")
}

func nodeEvidence(as []nodeAnswer) map[string]any {
	ev := map[string]any{}
	for _, a := range as {
		if a.A != nil {
			ev["node "+a.Node] = a.A.evidence()
		} else {
			ev["node "+a.Node] = map[string]any{"error": a.Err.Error()}
		}
	}
	return ev
}

func allNodes(n int) string {
	if n == 2 {
		return "both nodes"
	}
	return fmt.Sprintf("all %d nodes", n)
}

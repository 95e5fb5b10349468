package checks

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// httpBlankPage: the meet and dial-in pages show something. A 200 with
// nothing visible is what a person sees when the proxy rewrites Host (the
// the classic TMG last comment).
func httpBlankPage(ctx context.Context, e *Env) []Result {
	var pgs []page
	for _, p := range e.pages() {
		if p.Kind == kindMeet || p.Kind == kindDialin {
			pgs = append(pgs, p)
		}
	}
	return each(len(pgs), func(i int) []Result {
		return e.onEveryAddress(ctx, pgs[i].Host, false, func(ctx context.Context) Result { return e.blankPage(ctx, pgs[i]) })
	})
}

func (e *Env) blankPage(ctx context.Context, p page) Result {
	hops, skip := e.followPage(ctx, p.Target, p.Host, p.Path)
	if skip != nil {
		return *skip
	}
	last, hop := lastAnswer(hops)
	r := Result{Target: p.Target, Evidence: last.evidence()}
	r.Evidence["hops"] = hopEvidence(hops)
	r.Status, r.Message = judgeBlank(last, chainLogin(hops))
	if r.Status == Fail {
		r.Message += " at " + hop.URL
		r.Remedy = "A blank meet or dial-in page behind a reverse proxy is almost always the Host header (see http.host-forwarding). " + hostForwardRemedy
	}
	return r
}

// judgeBlank decides on what a browser ends up showing.
func judgeBlank(a answer, login string) (Status, string) {
	switch {
	case login != "":
		return Skip, "depends on http.preauth: the proxy answers with its own login, " + login
	case a.Blank():
		return Fail, "the page comes up blank: 200 with nothing visible"
	case a.Status != http.StatusOK:
		return Info, fmt.Sprintf("answers %s, not a page whose content can be judged (http.host-forwarding and http.paths judge the status)", a.describe())
	case a.Title != "":
		return Pass, fmt.Sprintf("shows %q (%d words of text)", a.Title, len(strings.Fields(a.Text)))
	}
	return Pass, fmt.Sprintf("shows %d words of text", len(strings.Fields(a.Text)))
}

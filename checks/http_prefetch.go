package checks

import (
	"context"
	"sync"
)

// prefetchLinks asks, all at once, for every fact the judgement of doc's
// links reads one link after another: each link host's addresses and each
// link's answer (both memoised). The judgement still walks the links in
// the document's order and names the first bad one, so the verdict is the
// same; only the round trips overlap. A link to a name clients cannot
// follow is not fetched, as the judgement would stop there too.
func (e *Env) prefetchLinks(ctx context.Context, doc discoverDoc) {
	var wg sync.WaitGroup
	for _, rel := range doc.rels() {
		href := doc.Links[rel]
		wg.Go(func() {
			if e.unpublished(ctx, hostOf(href)) == "" {
				_, _ = e.fetchURL(ctx, href, nil)
			}
		})
	}
	wg.Wait()
}

// fetchPages fetches host's paths at once and returns them in paths'
// order, for checks that judge several paths one after another.
func (e *Env) fetchPages(ctx context.Context, target, host string, paths []string) []fetched {
	return inParallel(len(paths), func(i int) fetched { return e.fetchPage(ctx, target+paths[i], host, paths[i]) })
}

package lab

import (
	"context"
	"net/http"
	"sync"
)

// Shutdown stops accepting connections, lets the requests in flight
// finish (until ctx ends), then closes the lab. The proxy nodes go first:
// a request they are still serving needs the front ends behind them.
// `lyncprobe lab` calls it on SIGINT or SIGTERM.
func (l *Lab) Shutdown(ctx context.Context) error {
	var front, back []*http.Server
	for _, s := range l.servers {
		if _, ok := s.Handler.(*proxyNode); ok {
			front = append(front, s)
		} else {
			back = append(back, s)
		}
	}
	shutdownAll(ctx, front)
	shutdownAll(ctx, back)
	return l.Close()
}

func shutdownAll(ctx context.Context, servers []*http.Server) {
	var wg sync.WaitGroup
	for _, s := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = s.Shutdown(ctx)
		}()
	}
	wg.Wait()
}

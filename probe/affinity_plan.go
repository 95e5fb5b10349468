package probe

import (
	"context"
	"net/http"
	"sync"
)

// Plan is one affinity probe: Connections fresh connections to Dial.Addr,
// each carrying Request once.
type Plan struct {
	Dial        DialSpec // Local is ignored: Sources are used
	Request     Request  // Addr and SNI are ignored
	Connections int
	// Sources are local IPs handed to the connections round robin, as a
	// NAT pool hands out its addresses; empty = the system's choice.
	Sources []string
	// Jar carries the cookies earlier answers set, as a browser does; the
	// first connection then runs alone so the others can carry its cookie.
	Jar     bool
	Workers int // connections in flight, default DefaultWorkers
	// Open makes each connection; nil = Open (tests put a fake here).
	Open func(context.Context, DialSpec) (*Conn, error)
}

// Visit is one request of an affinity probe and its answer.
type Visit struct {
	Conn    int      // which connection, from 0
	Request int      // which request on that connection, from 0
	Source  string   // the local IP the connection came from
	Cookies []string // names of the cookies the request carried
	Cookie  string   // the Cookie header the request carried, "" for none
	Status  int      // 0 when Err is set
	Header  http.Header
	Err     error
}

// Connections runs p and returns one Visit per connection, in connection
// order. Every connection runs under ctx.
func Connections(ctx context.Context, p Plan) []Visit {
	out := make([]Visit, p.Connections)
	var jar *Jar
	if p.Jar {
		jar = &Jar{}
	}
	first := 0
	if p.Jar && p.Connections > 0 {
		out[0] = p.visit(ctx, 0, jar)
		first = 1
	}
	work := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(p.workers(), p.Connections-first)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				out[i] = p.visit(ctx, i, jar)
			}
		}()
	}
	for i := first; i < p.Connections; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	return out
}

func (p Plan) workers() int {
	if p.Workers > 0 {
		return p.Workers
	}
	return DefaultWorkers
}

// source is the local address connection i comes from.
func (p Plan) source(i int) string {
	if len(p.Sources) == 0 {
		return ""
	}
	return p.Sources[i%len(p.Sources)]
}

func (p Plan) open(ctx context.Context, d DialSpec) (*Conn, error) {
	if p.Open != nil {
		return p.Open(ctx, d)
	}
	return Open(ctx, d)
}

func (p Plan) visit(ctx context.Context, i int, jar *Jar) Visit {
	v := Visit{Conn: i, Source: p.source(i)}
	d := p.Dial
	d.Local = v.Source
	c, err := p.open(ctx, d)
	if err != nil {
		v.Err = err
		return v
	}
	defer c.Close()
	v.Source = c.Local()
	r := p.Request
	if jar != nil {
		r.Header = withCookie(r.Header, jar, &v)
	}
	resp, err := c.Do(ctx, r)
	if err != nil {
		v.Err = err
		return v
	}
	v.Status, v.Header = resp.Status, resp.Header
	if jar != nil {
		jar.Take(resp.Header)
	}
	return v
}

// withCookie is h plus the jar's Cookie header, recorded in v.
func withCookie(h http.Header, jar *Jar, v *Visit) http.Header {
	line, names := jar.Cookie()
	if line == "" {
		return h
	}
	h = h.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Cookie", line)
	v.Cookies, v.Cookie = names, line
	return h
}

// KeepAlive sends p.Request n times over ONE fresh connection (from the
// first source address), with no cookie, to see whether a balancer spreads
// the requests of one connection. It stops at the first request that gets
// no answer.
func KeepAlive(ctx context.Context, p Plan, n int) []Visit {
	d := p.Dial
	d.Local = p.source(0)
	c, err := p.open(ctx, d)
	if err != nil {
		return []Visit{{Source: d.Local, Err: err}}
	}
	defer c.Close()
	var out []Visit
	for i := range n {
		v := Visit{Request: i, Source: c.Local()}
		resp, err := c.Do(ctx, p.Request)
		if err != nil {
			v.Err = err
			return append(out, v)
		}
		v.Status, v.Header = resp.Status, resp.Header
		out = append(out, v)
	}
	return out
}

package probe

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// connLog records what an affinity test server saw.
type connLog struct {
	mu              sync.Mutex
	remotes         map[string]int // remote ip:port → requests
	ips             map[string]int // remote ip → connections
	resumed         int
	inFlight, peak  int
	cookieless, all int
}

func newConnLog() *connLog { return &connLog{remotes: map[string]int{}, ips: map[string]int{}} }

func (l *connLog) handler(hold time.Duration, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		if l.remotes[r.RemoteAddr] == 0 {
			ip, _, _ := net.SplitHostPort(r.RemoteAddr)
			l.ips[ip]++
		}
		l.remotes[r.RemoteAddr]++
		if r.TLS.DidResume {
			l.resumed++
		}
		l.inFlight++
		l.peak = max(l.peak, l.inFlight)
		l.all++
		if r.Header.Get("Cookie") == "" {
			l.cookieless++
		}
		l.mu.Unlock()
		time.Sleep(hold)
		h(w, r)
		l.mu.Lock()
		l.inFlight--
		l.mu.Unlock()
	}
}

func setsServerCookie(w http.ResponseWriter, r *http.Request) {
	if _, err := r.Cookie("SRV"); err != nil {
		w.Header().Add("Set-Cookie", "SRV=fe01; Path=/")
	}
	w.Header().Set("X-MS-Server-Fqdn", "fe01.pool01.contoso.local")
	w.WriteHeader(http.StatusUnauthorized)
}

func affinityPlan(addr string, n int) Plan {
	return Plan{
		Dial:        DialSpec{Addr: addr, SNI: "webext.contoso.test"},
		Request:     Request{Host: "webext.contoso.test", Path: "/Autodiscover/AutodiscoverService.svc/root/oauth/user", MaxBody: 4096},
		Connections: n,
	}
}

func TestConnectionsAreFreshAndBounded(t *testing.T) {
	_, cert := mint(t, []string{"webext.contoso.test"}, time.Now().Add(-time.Hour), 24*time.Hour)
	log := newConnLog()
	s := tlsServer(t, cert, log.handler(20*time.Millisecond, setsServerCookie))
	p := affinityPlan(s.Listener.Addr().String(), 12)
	p.Workers = 3
	visits := Connections(context.Background(), p)
	for i, v := range visits {
		if v.Err != nil || v.Status != http.StatusUnauthorized || v.Conn != i || v.Header.Get("X-MS-Server-Fqdn") == "" {
			t.Errorf("visit %d: %+v", i, v)
		}
		if len(v.Cookies) != 0 {
			t.Errorf("visit %d carried cookies %v without a jar", i, v.Cookies)
		}
	}
	if len(log.remotes) != 12 || log.resumed != 0 {
		t.Errorf("12 visits used %d connections, %d resumed TLS sessions; want 12 and none", len(log.remotes), log.resumed)
	}
	if log.peak > 3 {
		t.Errorf("%d connections in flight, want at most 3 workers", log.peak)
	}
}

func TestConnectionsWithJarCarryTheCookie(t *testing.T) {
	_, cert := mint(t, []string{"webext.contoso.test"}, time.Now().Add(-time.Hour), 24*time.Hour)
	log := newConnLog()
	s := tlsServer(t, cert, log.handler(0, setsServerCookie))
	p := affinityPlan(s.Listener.Addr().String(), 6)
	p.Jar = true
	visits := Connections(context.Background(), p)
	if len(visits[0].Cookies) != 0 || len(visits[0].Header.Values("Set-Cookie")) != 1 {
		t.Errorf("first visit: cookies %v, Set-Cookie %v; want none sent and one set", visits[0].Cookies, visits[0].Header.Values("Set-Cookie"))
	}
	for _, v := range visits[1:] {
		if strings.Join(v.Cookies, ",") != "SRV" || len(v.Header.Values("Set-Cookie")) != 0 {
			t.Errorf("visit %d: carried %v, got Set-Cookie %v; want SRV carried", v.Conn, v.Cookies, v.Header.Values("Set-Cookie"))
		}
	}
	if log.cookieless != 1 || len(log.remotes) != 6 {
		t.Errorf("server saw %d cookieless requests on %d connections; want 1 on 6", log.cookieless, len(log.remotes))
	}
}

func TestConnectionsSpreadOverSources(t *testing.T) {
	if ln, err := net.Listen("tcp", "127.0.0.2:0"); err != nil {
		t.Skipf("127.0.0.2 is not usable here: %v", err)
	} else {
		ln.Close()
	}
	_, cert := mint(t, []string{"webext.contoso.test"}, time.Now().Add(-time.Hour), 24*time.Hour)
	log := newConnLog()
	s := tlsServer(t, cert, log.handler(0, setsServerCookie))
	p := affinityPlan(s.Listener.Addr().String(), 6)
	p.Sources = []string{"127.0.0.1", "127.0.0.2"}
	for i, v := range Connections(context.Background(), p) {
		if want := p.Sources[i%2]; v.Err != nil || v.Source != want {
			t.Errorf("visit %d came from %q (err %v), want %s", i, v.Source, v.Err, want)
		}
	}
	if log.ips["127.0.0.1"] != 3 || log.ips["127.0.0.2"] != 3 {
		t.Errorf("server saw connections from %v, want 3 from each source", log.ips)
	}
}

func TestKeepAliveUsesOneConnection(t *testing.T) {
	_, cert := mint(t, []string{"webext.contoso.test"}, time.Now().Add(-time.Hour), 24*time.Hour)
	log := newConnLog()
	s := tlsServer(t, cert, log.handler(0, setsServerCookie))
	p := affinityPlan(s.Listener.Addr().String(), 1)
	visits := KeepAlive(context.Background(), p, 5)
	if len(visits) != 5 || len(log.remotes) != 1 || log.cookieless != 5 {
		t.Fatalf("%d visits over %d connections, %d without cookie; want 5 over 1, all without", len(visits), len(log.remotes), log.cookieless)
	}
	for i, v := range visits {
		if v.Err != nil || v.Request != i || len(v.Header.Values("Set-Cookie")) != 1 {
			t.Errorf("request %d: %+v", i, v)
		}
	}
}

func TestKeepAliveReportsAClosedConnection(t *testing.T) {
	_, cert := mint(t, []string{"webext.contoso.test"}, time.Now().Add(-time.Hour), 24*time.Hour)
	s := tlsServer(t, cert, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
	})
	p := affinityPlan(s.Listener.Addr().String(), 1)
	visits := KeepAlive(context.Background(), p, 3)
	if len(visits) != 2 || visits[0].Err != nil || KindOf(visits[1].Err) != KindClosed {
		t.Fatalf("visits %+v; want one answer, then the connection reported closed", visits)
	}
}

func TestConnectionsEndAtTheDeadline(t *testing.T) {
	// A peer that accepts and never speaks TLS must cost a timeout, not a hang.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var held []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		for _, c := range held {
			c.Close()
		}
		mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	for _, v := range Connections(ctx, affinityPlan(ln.Addr().String(), 5)) {
		if KindOf(v.Err) != KindTimeout {
			t.Errorf("visit %d: %v, want a timeout", v.Conn, v.Err)
		}
	}
}

func TestConnCapsTheBody(t *testing.T) {
	_, cert := mint(t, []string{"webext.contoso.test"}, time.Now().Add(-time.Hour), 24*time.Hour)
	s := tlsServer(t, cert, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", 1<<16)))
	})
	c, err := Open(context.Background(), DialSpec{Addr: s.Listener.Addr().String(), SNI: "webext.contoso.test"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	resp, err := c.Do(context.Background(), Request{Host: "webext.contoso.test", MaxBody: 100})
	if err != nil || len(resp.Body) != 100 || !resp.Truncated {
		t.Fatalf("capped read: %v, %d bytes, truncated %v", err, len(resp.Body), resp != nil && resp.Truncated)
	}
}

func TestJarDropsExpiredCookies(t *testing.T) {
	var j Jar
	j.Take(http.Header{"Set-Cookie": {"A=1; Path=/", "B=2", "bad cookie"}})
	j.Take(http.Header{"Set-Cookie": {"A=3", "B=x; Max-Age=-1"}})
	if line, names := j.Cookie(); line != "A=3" || strings.Join(names, ",") != "A" {
		t.Fatalf("jar sends %q (%v), want A=3", line, names)
	}
}

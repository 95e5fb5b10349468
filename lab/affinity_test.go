package lab

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"strings"
	"testing"
	"time"
)

// clientFrom is a client outside that connects from source, a new
// connection per request unless keepAlive.
func clientFrom(t *testing.T, l *Lab, source string, keepAlive bool) *http.Client {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(source)}}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, l.ProxyAddr)
		},
		TLSClientConfig:   &tls.Config{RootCAs: certPool(t, l.CAFile)},
		DisableKeepAlives: !keepAlive,
		MaxConnsPerHost:   1,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func frontEndsReached(t *testing.T, l *Lab, c *http.Client, n int) map[string]int {
	t.Helper()
	seen := map[string]int{}
	for range n {
		req, _ := http.NewRequest(http.MethodGet, publicURL(l, ExternalWeb, oauthUser), nil)
		fqdn, _ := servedBy(t, c, req)
		seen[fqdn]++
	}
	return seen
}

// TestNoAffinitySplitsAJoin is the classic TMG comment: with no
// affinity (in front of one node, or a balancer in front of two) the
// join's follow-up on a new connection reaches the other front end.
func TestNoAffinitySplitsAJoin(t *testing.T) {
	for _, nodes := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d nodes", nodes), func(t *testing.T) {
			l := startLab(t, Options{Nodes: nodes, Faults: []FaultSpec{{Name: "no-affinity"}}})
			if seen := frontEndsReached(t, l, proxyClient(t, l), 8); len(seen) != 2 {
				t.Errorf("8 new connections reached %v, want both front ends", seen)
			}
			c := proxyClient(t, l)
			c.Jar, _ = cookiejar.New(nil)
			if r := get(t, c, publicURL(l, MeetHost, MeetingPath)); r.status != 200 {
				t.Fatalf("join page: %d", r.status)
			}
			broke := false
			for range 4 {
				r := get(t, c, publicURL(l, MeetHost, "/lwa/WebPages/LwaClient.aspx"))
				broke = broke || (r.status == 500 && strings.Contains(r.body, "session not found"))
			}
			if !broke {
				t.Error("4 follow-ups on new connections all kept the join session; want the join split")
			}
		})
	}
}

// TestNoAffinityKeepsAConnection: round robin balances connections, so
// the requests of one keep-alive connection stay together.
func TestNoAffinityKeepsAConnection(t *testing.T) {
	l := startLab(t, Options{Faults: []FaultSpec{{Name: "no-affinity"}}})
	if seen := frontEndsReached(t, l, clientFrom(t, l, "127.0.0.1", true), 6); len(seen) != 1 {
		t.Errorf("6 requests on one connection reached %v, want one front end", seen)
	}
}

// TestNoAffinityPerRequestSplitsAConnection: per-request round robin
// (nginx, HAProxy, Apache without persistence) spreads even the requests
// of one keep-alive connection over the front ends.
func TestNoAffinityPerRequestSplitsAConnection(t *testing.T) {
	l := startLab(t, Options{Faults: []FaultSpec{{Name: "no-affinity-per-request"}}})
	if seen := frontEndsReached(t, l, clientFrom(t, l, "127.0.0.1", true), 6); len(seen) != 2 {
		t.Errorf("6 requests on one connection reached %v, want both front ends", seen)
	}
}

func TestCookieFaults(t *testing.T) {
	cases := map[string]func(*http.Cookie) bool{
		"cookie-httponly": func(ck *http.Cookie) bool { return ck.HttpOnly },
		"cookie-expires":  func(ck *http.Cookie) bool { return ck.MaxAge > 0 && !ck.Expires.IsZero() },
	}
	for fault, bent := range cases {
		t.Run(fault, func(t *testing.T) {
			l := startLab(t, Options{Faults: []FaultSpec{{Name: fault}}}) // LB cookie is implied
			r := get(t, proxyClient(t, l), publicURL(l, ExternalWeb, oauthUser))
			lines := r.header.Values("Set-Cookie")
			if len(lines) != 1 {
				t.Fatalf("Set-Cookie %v, want one MS-WSMAN", lines)
			}
			ck, err := http.ParseSetCookie(lines[0])
			if err != nil || ck.Name != WSMANCookie || !bent(ck) {
				t.Errorf("Set-Cookie %q does not show %s", lines[0], fault)
			}
		})
	}
}

func TestCookieOncePerConnection(t *testing.T) {
	for fault, want := range map[string][]int{"": {1, 1, 1}, "cookie-once-per-connection": {1, 0, 0}} {
		t.Run("fault "+fault, func(t *testing.T) {
			o := Options{LB: "cookie"}
			if fault != "" {
				o.Faults = []FaultSpec{{Name: fault}}
			}
			l := startLab(t, o)
			c := clientFrom(t, l, "127.0.0.1", true) // no jar: no request carries a cookie
			var got []int
			for range 3 {
				got = append(got, len(get(t, c, publicURL(l, ExternalWeb, oauthUser)).header.Values("Set-Cookie")))
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("Set-Cookie lines per response on one connection: %v, want %v", got, want)
			}
		})
	}
}

func TestNATPoolSplitsBySource(t *testing.T) {
	pool := natPool(2)
	if len(pool) != 2 || sourceHash(pool[0])%2 == sourceHash(pool[1])%2 {
		t.Fatalf("nat pool %v: want two addresses on different front ends", pool)
	}
	if err := checkNATPool("127.0.0.1"); errors.Is(err, ErrUnavailable) {
		t.Skip(err)
	} else if err != nil {
		t.Fatal(err)
	}
	for _, nodes := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d nodes", nodes), func(t *testing.T) {
			l := startLab(t, Options{Nodes: nodes, LB: "cookie", Faults: []FaultSpec{{Name: "nat-pool"}}})
			raw, err := os.ReadFile(l.ConfigPath)
			if err != nil || !strings.Contains(string(raw), `source_addresses: ["127.0.0.1", "`+pool[1]+`"]`) {
				t.Fatalf("config lacks the NAT pool (%v):\n%s", err, raw)
			}
			reached := map[string]bool{}
			for _, src := range pool {
				seen := frontEndsReached(t, l, clientFrom(t, l, src, false), 4)
				if len(seen) != 1 {
					t.Errorf("source %s reached %v, want one front end (source affinity is implied)", src, seen)
				}
				for fe := range seen {
					reached[fe] = true
				}
			}
			if len(reached) != 2 {
				t.Errorf("the pool's two addresses reached %v, want both front ends", reached)
			}
		})
	}
}

func TestImpliedBalancingModes(t *testing.T) {
	_, _, err := Options{Faults: []FaultSpec{{Name: "cookie-httponly"}, {Name: "nat-pool"}}}.check()
	if err == nil || !strings.Contains(err.Error(), "different balancing modes") {
		t.Errorf("cookie-httponly with nat-pool: %v, want a conflict named", err)
	}
	o, _, err := Options{LB: "source-ip", Faults: []FaultSpec{{Name: "cookie-expires"}, {Name: "cookie-httponly"}}}.check()
	if err != nil || o.LB != "cookie" {
		t.Errorf("two cookie faults: lb %q, %v; want cookie", o.LB, err)
	}
	if err := checkNATPool("::1"); err == nil {
		t.Error("nat-pool accepted an IPv6 lab")
	}
}

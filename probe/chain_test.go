package probe

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// twoSites serves a.test (a redirects to b.test) and b.test on two loopback
// TLS servers; connect maps the names to them, as the checks' DNS would.
func twoSites(t *testing.T) (first Request, connect func(context.Context, *url.URL) (string, error), asked *[]string) {
	t.Helper()
	_, cert := mint(t, []string{"a.test", "b.test"}, time.Now().Add(-time.Hour), 2*time.Hour)
	b := tlsServer(t, cert, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("host " + r.Host + " sni " + r.TLS.ServerName + " path " + r.URL.RequestURI()))
	})
	_, port, _ := strings.Cut(b.Listener.Addr().String(), "127.0.0.1:")
	a := tlsServer(t, cert, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/start":
			http.Redirect(w, r, "/next", http.StatusFound)
		case "/next":
			http.Redirect(w, r, "https://b.test:"+port+"/end?x=1#frag", http.StatusMovedPermanently)
		case "/loop":
			http.Redirect(w, r, "/loop2", http.StatusFound)
		case "/loop2":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/ftp":
			http.Redirect(w, r, "ftp://a.test/x", http.StatusFound)
		default:
			w.Write([]byte("a"))
		}
	})
	var names []string
	connect = func(_ context.Context, u *url.URL) (string, error) {
		names = append(names, u.Host)
		if u.Hostname() == "b.test" {
			return b.Listener.Addr().String(), nil
		}
		return "", &Error{Op: "dns", Kind: KindOther, Err: errors.New("NXDOMAIN")}
	}
	return Request{Addr: a.Listener.Addr().String(), Host: "a.test", Path: "/start"}, connect, &names
}

func TestChainRecordsEveryHop(t *testing.T) {
	first, connect, asked := twoSites(t)
	hops, err := Chain{Connect: connect}.Follow(context.Background(), first)
	if err != nil {
		t.Fatal(err)
	}
	if len(hops) != 3 {
		t.Fatalf("want 3 hops, got %d: %+v", len(hops), hops)
	}
	if hops[0].Response.Status != 302 || hops[1].Response.Status != 301 || hops[2].Response.Status != 200 {
		t.Errorf("statuses %d %d %d", hops[0].Response.Status, hops[1].Response.Status, hops[2].Response.Status)
	}
	if hops[1].Request.Addr != first.Addr {
		t.Errorf("the same-origin hop left the address under test: %s", hops[1].Request.Addr)
	}
	if len(*asked) != 1 || !strings.HasPrefix((*asked)[0], "b.test:") {
		t.Errorf("resolved %v, want only b.test", *asked)
	}
	body := string(hops[2].Response.Body)
	if !strings.HasPrefix(body, "host b.test:") || !strings.Contains(body, "sni b.test path /end?x=1") {
		t.Errorf("the cross-host hop sent %q", body)
	}
	if hops[2].Response.Timings.DNS <= 0 || hops[0].Response.Timings.DNS != 0 {
		t.Errorf("DNS phase: first %v, resolved hop %v", hops[0].Response.Timings.DNS, hops[2].Response.Timings.DNS)
	}
}

func TestChainStops(t *testing.T) {
	first, connect, _ := twoSites(t)
	cases := []struct {
		path    string
		max     int
		want    error
		wantLen int
	}{
		{"/loop", 0, ErrRedirectLoop, 2},
		{"/start", 1, ErrTooManyRedirects, 1},
		{"/ftp", 0, ErrRedirectScheme, 1},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			r := first
			r.Path = tc.path
			hops, err := Chain{Connect: connect, MaxHops: tc.max}.Follow(context.Background(), r)
			if !errors.Is(err, tc.want) || len(hops) != tc.wantLen {
				t.Fatalf("got %d hops, %v; want %d, %v", len(hops), err, tc.wantLen, tc.want)
			}
		})
	}
}

func TestChainUnresolvableHopIsRecorded(t *testing.T) {
	first, _, _ := twoSites(t)
	noDNS := func(context.Context, *url.URL) (string, error) {
		return "", &Error{Op: "dns", Kind: KindOther, Err: errors.New("NXDOMAIN")}
	}
	hops, err := Chain{Connect: noDNS}.Follow(context.Background(), first)
	if err != nil {
		t.Fatal(err)
	}
	last := hops[len(hops)-1]
	if len(hops) != 3 || last.Err == nil || !strings.HasPrefix(last.URL, "https://b.test:") {
		t.Fatalf("want the unresolvable hop recorded with its error, got %+v", last)
	}
}

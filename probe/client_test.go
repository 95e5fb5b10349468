package probe

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingServer is a TLS server that counts the connections it accepts
// and echoes the Host and SNI of each request.
func countingServer(t *testing.T) (string, *atomic.Int64, func()) {
	t.Helper()
	_, cert := mint(t, []string{"meet.contoso.test", "dialin.contoso.test"}, time.Now().Add(-time.Hour), 24*time.Hour)
	var conns atomic.Int64
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.Host + " " + r.TLS.ServerName))
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	s.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	s.StartTLS()
	t.Cleanup(s.Close)
	return s.Listener.Addr().String(), &conns, s.CloseClientConnections
}

func TestClientReusesAConnectionPerAddressAndServerName(t *testing.T) {
	addr, conns, _ := countingServer(t)
	c := NewClient()
	defer c.Close()
	ctx := context.Background()
	first, err := c.Fetch(ctx, Request{Addr: addr, SNI: "meet.contoso.test", Host: "meet.contoso.test"})
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Fetch(ctx, Request{Addr: addr, SNI: "meet.contoso.test", Host: "pool01.contoso.local"})
	if err != nil {
		t.Fatal(err)
	}
	if string(second.Body) != "pool01.contoso.local meet.contoso.test" {
		t.Errorf("the second request on the kept-alive connection sent %q, want its own Host", second.Body)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("two requests to one address and server name took %d connections, want 1", n)
	}
	if first.Timings.TLS == 0 || second.Timings.TLS != 0 || second.TLS == nil {
		t.Errorf("timings: first TLS %v, second TLS %v (want a handshake only on the first), second facts %v",
			first.Timings.TLS, second.Timings.TLS, second.TLS != nil)
	}
	// Another server name never shares the connection.
	other, err := c.Fetch(ctx, Request{Addr: addr, SNI: "dialin.contoso.test", Host: "dialin.contoso.test"})
	if err != nil || string(other.Body) != "dialin.contoso.test dialin.contoso.test" {
		t.Fatalf("another server name: %q, %v", other.Body, err)
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("another server name took %d connections in all, want 2", n)
	}
}

// TestClientSurvivesAClosedConnection: a server that closed the idle
// connection costs a new one, not an error.
func TestClientSurvivesAClosedConnection(t *testing.T) {
	addr, conns, closeAll := countingServer(t)
	c := NewClient()
	defer c.Close()
	r := Request{Addr: addr, SNI: "meet.contoso.test", Host: "meet.contoso.test"}
	if _, err := c.Fetch(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	closeAll()
	time.Sleep(50 * time.Millisecond)
	if _, err := c.Fetch(context.Background(), r); err != nil {
		t.Fatalf("after the server closed the idle connection: %v", err)
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("connections = %d, want 2", n)
	}
}

// TestClientUnderLoad: many concurrent requests, some to each name; the
// race detector watches the timers that late dials report to.
func TestClientUnderLoad(t *testing.T) {
	addr, _, _ := countingServer(t)
	c := NewClient()
	var wg sync.WaitGroup
	for i := range 40 {
		name := []string{"meet.contoso.test", "dialin.contoso.test"}[i%2]
		wg.Go(func() {
			resp, err := c.Fetch(context.Background(), Request{Addr: addr, SNI: name, Host: name})
			if err != nil || !strings.HasPrefix(string(resp.Body), name) {
				t.Errorf("%s: %v", name, err)
			}
		})
	}
	wg.Wait()
	c.Close()
	// Closed: a late request still gets an answer, on a fresh connection.
	if _, err := c.Fetch(context.Background(), Request{Addr: addr, SNI: "meet.contoso.test", Host: "meet.contoso.test"}); err != nil {
		t.Errorf("a request after Close: %v", err)
	}
}

package lab

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// backendServer is a TLS front end that counts the connections it accepts.
func backendServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64, *backendClient) {
	t.Helper()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	c := newBackendClient(&tls.Config{RootCAs: pool, ServerName: "example.com"}, 4, 5*time.Second)
	t.Cleanup(c.CloseIdleConnections)
	return srv, &conns, c
}

func getVia(t *testing.T, c *backendClient, srv *httptest.Server, path string) (int, string, error) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	resp, err := c.RoundTrip(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

func TestBackendClientKeepsConnectionsAlive(t *testing.T) {
	srv, conns, c := backendServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "page "+r.URL.Path) })
	for i := range 5 {
		_, body, err := getVia(t, c, srv, "/"+string(rune('a'+i)))
		if err != nil || body != "page /"+string(rune('a'+i)) {
			t.Fatalf("request %d: %q, %v", i, body, err)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("5 requests one after another took %d connections, want 1", n)
	}
}

// TestBackendClientRetriesAClosedIdleConnection: a front end that closed a
// kept-alive connection costs the client nothing but a new connection.
func TestBackendClientRetriesAClosedIdleConnection(t *testing.T) {
	srv, conns, c := backendServer(t, func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	if _, _, err := getVia(t, c, srv, "/"); err != nil {
		t.Fatal(err)
	}
	srv.CloseClientConnections()
	time.Sleep(50 * time.Millisecond) // let the close reach the pooled connection
	if status, body, err := getVia(t, c, srv, "/"); err != nil || status != 200 || body != "ok" {
		t.Fatalf("after the front end closed the idle connection: %d %q %v", status, body, err)
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("connections = %d, want 2 (the first, then one after the close)", n)
	}
}

// TestBackendClientDropsAnAbandonedAnswer: a body closed half-way must not
// be read as the next answer on the same connection.
func TestBackendClientDropsAnAbandonedAnswer(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	srv, conns, c := backendServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			io.WriteString(w, big)
			return
		}
		io.WriteString(w, "small")
	})
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/big", nil)
	resp, err := c.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	io.ReadFull(resp.Body, make([]byte, 10))
	resp.Body.Close()
	if _, body, err := getVia(t, c, srv, "/small"); err != nil || body != "small" {
		t.Fatalf("the answer after an abandoned one: %q, %v", body, err)
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("connections = %d, want 2 (the abandoned one is not reused)", n)
	}
}

// TestBackendClientStopsWhenTheClientGoes: a cancelled request ends at
// once, whatever the front end is doing.
func TestBackendClientStopsWhenTheClientGoes(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv, _, c := backendServer(t, func(http.ResponseWriter, *http.Request) { <-release })
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/", nil)
	done := make(chan error, 1)
	go func() {
		_, err := c.RoundTrip(req)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Error("a cancelled request got an answer")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a cancelled request did not end")
	}
}

func TestBackendClientNamesACertificateError(t *testing.T) {
	srv, _, _ := backendServer(t, func(http.ResponseWriter, *http.Request) {})
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	wrongName := newBackendClient(&tls.Config{RootCAs: pool, ServerName: PoolFQDN}, 4, 5*time.Second)
	_, _, err := getVia(t, wrongName, srv, "/")
	if !isCertError(err) {
		t.Errorf("err = %v, want a certificate error (the proxy answers it as TMG does)", err)
	}
}

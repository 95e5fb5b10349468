// Package tlstest runs TLS listeners on loopback for tests.
package tlstest

import (
	"crypto/tls"
	"testing"
	"time"
)

// HandshakeServer completes TLS handshakes with cfg on a loopback port,
// then hangs up, until the test ends; it returns the address. The checks
// and probes that only read a handshake need no more.
func HandshakeServer(t testing.TB, cfg *tls.Config) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				c.(*tls.Conn).Handshake()
			}()
		}
	}()
	return ln.Addr().String()
}

// Package dnstest runs miekg/dns servers on loopback for tests.
package dnstest

import (
	"net"
	"testing"

	"github.com/miekg/dns"
)

// Serve runs h on one loopback port over UDP and, when tcp is set, over TCP
// too, until the test ends; it returns the address. With tcp unset the TCP
// side is closed, so a fallback to TCP is refused.
func Serve(t testing.TB, h dns.Handler, tcp bool) string {
	t.Helper()
	pc, ln := listenBoth(t)
	servers := []*dns.Server{{PacketConn: pc, Handler: h}}
	if tcp {
		servers = append(servers, &dns.Server{Listener: ln, Handler: h})
	} else {
		ln.Close()
	}
	for _, s := range servers {
		started := make(chan struct{})
		s.NotifyStartedFunc = func() { close(started) }
		go func() { _ = s.ActivateAndServe() }()
		<-started
		t.Cleanup(func() { _ = s.Shutdown() })
	}
	return pc.LocalAddr().String()
}

// listenBoth binds one loopback port over UDP and TCP; another process may
// hold the TCP side of a free UDP port, so it tries a few ports.
func listenBoth(t testing.TB) (net.PacketConn, net.Listener) {
	t.Helper()
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		if ln, err := net.Listen("tcp", pc.LocalAddr().String()); err == nil {
			return pc, ln
		}
		pc.Close()
	}
	t.Fatal("no loopback port free for both UDP and TCP")
	return nil, nil
}

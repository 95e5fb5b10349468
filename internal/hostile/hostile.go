// Package hostile serves, on loopback, the misbehaving DNS, TLS and HTTP
// servers lyncprobe must survive: each behaviour is one named server that a
// test (or bench/hostile) points lyncprobe at. It is a target only and is
// imported by tests and the hostile bench command, never by checks or probe.
package hostile

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
)

// Behaviour is one hostile server: its protocol and what it does wrong.
type Behaviour struct {
	Name  string // e.g. "dns-silent", "tls-stall", "http-slowloris"
	Proto string // "dns", "tls" or "http"
	Does  string // what the server does, for tables and messages
	start func(s *Server) error
}

// Server is one running hostile server. For "dns" behaviours DNS is the
// resolver address and Port is 0; for "tls" and "http" DNS is a healthy
// loopback resolver answering 127.0.0.1 for every name and Port is the
// hostile HTTPS port.
type Server struct {
	DNS    string // host:port of the resolver to use
	Port   int    // HTTPS port of the hostile server (tls, http)
	CAFile string // PEM of the CA that issued the healthy certificates ("" for dns)
	// Seen counts the questions and connections the hostile side got, so
	// that a test knows lyncprobe is in the middle of talking to it.
	Seen atomic.Int64

	dir     string
	mu      sync.Mutex
	closers []func()
	conns   map[net.Conn]bool
	wg      sync.WaitGroup
	done    chan struct{}
}

// Behaviours lists every behaviour in a stable order.
func Behaviours() []Behaviour {
	out := append(append(dnsBehaviours(), tlsBehaviours()...), httpBehaviours()...)
	return out
}

// Lookup finds a behaviour by name.
func Lookup(name string) (Behaviour, bool) {
	for _, b := range Behaviours() {
		if b.Name == name {
			return b, true
		}
	}
	return Behaviour{}, false
}

// Names lists the behaviour names, sorted.
func Names() []string {
	var out []string
	for _, b := range Behaviours() {
		out = append(out, b.Name)
	}
	sort.Strings(out)
	return out
}

// Start runs b on loopback; dir receives the CA file. Close stops it.
func Start(b Behaviour, dir string) (*Server, error) {
	s := &Server{dir: dir, conns: map[net.Conn]bool{}, done: make(chan struct{})}
	if b.Proto != "dns" {
		addr, err := s.healthyDNS()
		if err != nil {
			return nil, err
		}
		s.DNS = addr
	}
	if err := b.start(s); err != nil {
		s.Close()
		return nil, fmt.Errorf("start %s: %w", b.Name, err)
	}
	return s, nil
}

// Close stops every listener, drops every connection and waits for the
// server's goroutines.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.done:
		s.mu.Unlock()
		return
	default:
	}
	close(s.done)
	for c := range s.conns {
		c.Close()
	}
	closers := s.closers
	s.mu.Unlock()
	for i := len(closers) - 1; i >= 0; i-- {
		closers[i]()
	}
	s.wg.Wait()
}

func (s *Server) onClose(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closers = append(s.closers, f)
}

// track remembers c so Close can drop it; false when already closing.
func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.done:
		return false
	default:
	}
	s.conns[c] = true
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	c.Close()
}

// serveTCP accepts on ln and runs handle for each connection in its own
// goroutine until Close.
func (s *Server) serveTCP(ln net.Listener, handle func(net.Conn)) {
	s.onClose(func() { ln.Close() })
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.Seen.Add(1)
			if !s.track(c) {
				c.Close()
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer s.untrack(c)
				handle(c)
			}()
		}
	}()
}

// wait blocks until the server closes: a stall.
func (s *Server) wait() { <-s.done }

// closing reports whether Close has begun.
func (s *Server) closing() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// WriteConfig writes a deployment file whose names all resolve, through
// s.DNS, to 127.0.0.1, published on the hostile port, and returns its path.
func (s *Server) WriteConfig(dir string) (string, error) {
	port := s.Port
	if port == 0 {
		port = 443 // dns behaviours: nothing is reached
	}
	yaml := fmt.Sprintf(`name: hostile
sip_domains: [contoso.test]
web_services: [{external: webext.contoso.test}]
simple_urls: {meet: [https://meet.contoso.test], dialin: https://dialin.contoso.test}
reverse_proxy: {port: %d, http_port: 0}
dns: {resolvers: ["%s"]}
`, port, s.DNS)
	if s.CAFile != "" {
		yaml += fmt.Sprintf("tls: {ca_file: %q}\n", s.CAFile)
	}
	path := filepath.Join(dir, "hostile.yaml")
	return path, os.WriteFile(path, []byte(yaml), 0o644)
}

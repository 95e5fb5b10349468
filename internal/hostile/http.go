package hostile

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

func httpBehaviours() []Behaviour {
	b := func(name, does string, respond func(*Server, net.Conn, string)) Behaviour {
		return Behaviour{name, "http", does, func(s *Server) error { return s.tlsServe(healthy, respond) }}
	}
	return []Behaviour{
		b("http-slowloris", "completes TLS, then never sends a response header", func(s *Server, _ net.Conn, _ string) { s.wait() }),
		b("http-header-drip", "sends its response header one byte a second", headerDrip),
		b("http-endless-body", "sends an endless body", endlessBody),
		b("http-endless-chunked", "sends an endless chunked body", endlessChunked),
		b("http-10mb-header", "sends a 10 MB response header", hugeHeader),
		b("http-redirect-loop", "redirects every request to itself", redirectLoop),
		b("http-100-redirects", "redirects through a chain of 100 redirects", redirectChain),
		b("http-gzip-bomb", "sends a gzip bomb (Content-Encoding: gzip, unasked)", gzipBomb),
		b("http-bad-status", "sends an invalid status line", badStatus),
		b("http-close-mid-body", "closes the connection in the middle of the body", closeMidBody),
	}
}

// pace writes p a piece at a time, every d, until done or closing.
func (s *Server) pace(c net.Conn, p []byte, step int, d time.Duration) bool {
	for len(p) > 0 {
		n := min(step, len(p))
		if _, err := c.Write(p[:n]); err != nil {
			return false
		}
		p = p[n:]
		select {
		case <-s.done:
			return false
		case <-time.After(d):
		}
	}
	return true
}

func headerDrip(s *Server, c net.Conn, _ string) {
	s.pace(c, []byte("HTTP/1.1 200 OK\r\nX-Drip: "+strings.Repeat("a", 600)+"\r\n\r\n"), 1, time.Second)
}

// endless writes chunk forever (until the client goes or Close).
func (s *Server) endless(c net.Conn, chunk []byte) {
	for !s.closing() {
		if _, err := c.Write(chunk); err != nil {
			return
		}
	}
}

func endlessBody(s *Server, c net.Conn, _ string) {
	_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n")
	s.endless(c, bytes.Repeat([]byte("<p>more</p>"), 1000))
}

func endlessChunked(s *Server, c net.Conn, _ string) {
	_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n")
	data := bytes.Repeat([]byte("x"), 4096)
	s.endless(c, []byte(fmt.Sprintf("%x\r\n%s\r\n", len(data), data)))
}

func hugeHeader(_ *Server, c net.Conn, _ string) {
	_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\n")
	line := "X-Big: " + strings.Repeat("b", 1000) + "\r\n"
	for range 10 << 10 { // 10,000+ lines of 1 KB: 10 MB
		if _, err := io.WriteString(c, line); err != nil {
			return
		}
	}
	_, _ = io.WriteString(c, "Content-Length: 0\r\n\r\n")
}

func redirectTo(c net.Conn, loc string) {
	_, _ = fmt.Fprintf(c, "HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", loc)
}

func redirectLoop(_ *Server, c net.Conn, path string) { redirectTo(c, path) }

func redirectChain(_ *Server, c net.Conn, path string) {
	n, _ := strconv.Atoi(strings.TrimPrefix(path, "/r/"))
	if n >= 100 {
		okPage(nil, c, path)
		return
	}
	redirectTo(c, fmt.Sprintf("/r/%d", n+1))
}

// bomb is 1 GB of zeros as 1024 gzip members of 1 MB each (a gzip stream
// may hold several members), about 1 MB on the wire: built in milliseconds.
var bomb = sync.OnceValue(func() []byte {
	var member bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	_, _ = zw.Write(make([]byte, 1<<20))
	_ = zw.Close()
	return bytes.Repeat(member.Bytes(), 1<<10)
})

func gzipBomb(_ *Server, c net.Conn, _ string) {
	b := bomb()
	_, _ = fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", len(b))
	_, _ = c.Write(b)
}

func badStatus(_ *Server, c net.Conn, _ string) {
	_, _ = io.WriteString(c, "HTTP/1.1 OK-ISH maybe\r\nContent-Length: 0\r\n\r\n")
}

func closeMidBody(_ *Server, c net.Conn, _ string) {
	_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n<html><body>")
}

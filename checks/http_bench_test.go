package checks

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/lyncprobe/lyncprobe/probe"
)

// benchPage is a Lync-sized page at the parse cap: text, scripts and a
// few hundred links, some to internal names.
func benchPage() *probe.Response {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html><html><head><title>Skype for Business Web App</title><script src=\"/x.js\"></script></head><body>")
	for i := 0; b.Len() < maxHTMLScan; i++ {
		fmt.Fprintf(&b, "<p>Paragraph %d with some visible words <a href=\"https://fe%d.pool01.contoso.local/meet/\">join</a>", i, i%4)
		fmt.Fprintf(&b, " <a href=\"/rel/%d\">more</a> <img src=\"https://webext.contoso.com/img/%d.png\"></p>\n", i, i)
	}
	b.WriteString("</body></html>")
	h := http.Header{"Content-Type": {"text/html; charset=utf-8"}}
	return &probe.Response{Status: 200, Header: h, Body: []byte(b.String())}
}

// BenchmarkReadAnswer parses one page for the blank-page judgement.
func BenchmarkReadAnswer(b *testing.B) {
	resp := benchPage()
	b.SetBytes(int64(len(resp.Body)))
	for b.Loop() {
		a := readAnswer(resp)
		if st, _ := judgeBlank(a, ""); st != Pass {
			b.Fatal(st)
		}
	}
}

// BenchmarkLeakScan judges every link of that page for internal names
// (DNS answers come from the run's memo after the first loop).
func BenchmarkLeakScan(b *testing.B) {
	o := Options{Probes: Probes{Resolve: func(ctx context.Context, server, name string, qtype uint16) (*probe.DNSAnswer, error) {
		return &probe.DNSAnswer{Server: server, Name: name, Rcode: "NOERROR", Addresses: []string{"203.0.113.10"}}, nil
	}}}
	o.fill()
	e := newEnv(context.Background(), dnsTestDeployment(), o)
	hops := []probe.Hop{{URL: "https://meet.contoso.com/", Response: benchPage()}}
	ctx := context.Background()
	for b.Loop() {
		if n, leaks := e.leaks(ctx, hops); n == 0 || len(leaks) == 0 {
			b.Fatal(n, leaks)
		}
	}
}

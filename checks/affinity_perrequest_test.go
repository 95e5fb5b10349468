package checks_test

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/lab"
	"github.com/lyncprobe/lyncprobe/lab/labtest"
)

// TestJoinFlowBehindPerRequestRoundRobin: nginx, HAProxy (mode http) and
// Apache balance each request, not each connection as the lab's
// no-affinity proxy does. The join replay's identity request on each
// step's connection used to move such a rotation on by one, so every step
// landed on the join page's front end and a broken join passed (the e2e
// suite found it against real nginx). Here a Go proxy balances per request
// over the lab's emulated front ends.
func TestJoinFlowBehindPerRequestRoundRobin(t *testing.T) {
	t.Parallel()
	_, dep := labtest.Start(t, lab.Options{}) // its DNS: the published names → 127.0.0.1
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	fes, err := lab.StartFrontEnds(ctx, lab.FrontEndOptions{PublicPort: port})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fes.Close() })
	pc, err := lab.WriteProxyCert(t.TempDir(), lab.ProxyCertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.LoadX509KeyPair(pc.ChainFile, pc.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: perRequestProxy(fes.Addrs)}
	go srv.Serve(tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}}))
	t.Cleanup(func() { srv.Close() })

	dep.ReverseProxy.Port, dep.ReverseProxy.Nodes = port, nil
	dep.TLS.CAFile = pc.RootFile
	rs := checks.Run(ctx, dep, checks.Options{Only: []string{"affinity"}})
	expectOne(t, rs, "affinity.join-flow", checks.Fail, "session not found")
}

// perRequestProxy forwards each request, Host kept, to the next backend.
func perRequestProxy(backends []string) http.Handler {
	var n atomic.Uint64
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			be := backends[(n.Add(1)-1)%uint64(len(backends))]
			pr.SetURL(&url.URL{Scheme: "https", Host: be})
			pr.Out.Host = pr.In.Host
		},
		// The test's stand-in for a proxy's backend trust of the internal CA.
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
	}
}

package checks

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/lyncprobe/lyncprobe/config"
)

// closedPorts returns a loopback UDP and a TCP address nothing listens on:
// a stopped lab's resolver and front ends. Probes to them fail at once
// (ICMP port unreachable, RST).
func closedPorts(t *testing.T) (udp, tcp string) {
	t.Helper()
	u, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	udp, tcp = u.LocalAddr().String(), l.Addr().String()
	u.Close()
	l.Close()
	return udp, tcp
}

// deadDeployment is a deployment whose resolver, proxy and front ends are
// all gone: every probe fails at once, so the checks return early while
// the work some of them started beside their main probe (the front end
// asked for http.host-forwarding) may still be starting.
func deadDeployment(t *testing.T) *config.Deployment {
	udp, tcp := closedPorts(t)
	d := testDeployment()
	d.DNS.Resolvers = []string{udp}
	d.WebServices[0].Backends = []string{tcp}
	d.WebServices[0].Internal = "pool01.contoso.local"
	return d
}

// TestThousandsOfRunsAgainstADeadDeployment: a probe against a stopped
// lab returns in milliseconds, and serve runs such probes back to back
// from several scrapers. Every goroutine a check starts belongs to its
// run: none may start a probe once the run is settling (that was "sync:
// WaitGroup is reused before previous Wait has returned" at settle), and
// none is left when the runs are over.
func TestThousandsOfRunsAgainstADeadDeployment(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	dep := deadDeployment(t)
	const scrapers, runs = 8, 150
	var wg sync.WaitGroup
	for range scrapers {
		wg.Go(func() {
			for range runs {
				rs := Run(context.Background(), dep, Options{Only: []string{"http"}})
				if len(rs) == 0 {
					t.Error("a run gave no result")
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestMemoRefusesOnceSettling: a fact first asked for after the run began
// settling is never fetched, and the asker hears why.
func TestMemoRefusesOnceSettling(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m := newMemo(ctx, 1, time.Second)
	m.close()
	fetched := false
	_, err := m.get(context.Background(), "k", func(context.Context) (any, error) { fetched = true; return nil, nil })
	if fetched || !errors.Is(err, errSettled) {
		t.Fatalf("after close: fetched=%v err=%v, want no fetch and errSettled", fetched, err)
	}
}

// TestGoIsOwnedByTheRun: a goroutine started with Env.Go is waited for;
// one asked for once the run settles runs in the caller.
func TestGoIsOwnedByTheRun(t *testing.T) {
	e := &Env{}
	release, ran := make(chan struct{}), make(chan struct{})
	e.Go(func() { <-release; close(ran) })
	waited := make(chan struct{})
	go func() { e.owned.closeAndWait(); close(waited) }()
	close(release)
	<-waited
	select {
	case <-ran:
	default:
		t.Fatal("closeAndWait returned before the goroutine it owns")
	}
	inline := false
	e.Go(func() { inline = true })
	if !inline {
		t.Fatal("Go after close did not run f in the caller")
	}
}

package exporter

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/config"
)

// loadOne loads the configs as one deployment, "one".
func loadOne(context.Context, []string) ([]*config.Deployment, error) {
	return []*config.Deployment{{Name: "one"}}, nil
}

// serverOfOne is a Server whose configs loaded as loadOne's; the test may
// then swap loadConfigs for a load that stalls, and gets load back when it
// ends.
func serverOfOne(t *testing.T) *Server {
	t.Helper()
	loadConfigs = loadOne
	t.Cleanup(func() { loadConfigs = load })
	s, err := New(Options{ReloadTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// waitLoadEnded waits for the load under way to give its own account that
// it has ended; a minute is a hang detector, not a margin.
func waitLoadEnded(t *testing.T, s *Server, hung string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for s.loading.Load() {
		if time.Now().After(deadline) {
			t.Fatal(hung)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestStuckLoadNeitherWedgesReloadNorShutdown: a load that does not
// return and does not look at its context (a read stuck in the kernel)
// holds up neither the stop nor a later reload, which is refused at once
// naming the stuck one; once it returns, reloads work again.
func TestStuckLoadNeitherWedgesReloadNorShutdown(t *testing.T) {
	s := serverOfOne(t)
	entered, release := make(chan struct{}), make(chan struct{})
	loadConfigs = func(context.Context, []string) ([]*config.Deployment, error) {
		close(entered)
		<-release
		return nil, errors.New("released")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	hup, served := make(chan os.Signal), make(chan error, 1)
	go func() { served <- s.Serve(ctx, l, hup) }()
	hup <- syscall.SIGHUP
	<-entered
	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve with a reload stuck in a load: %v, want a clean stop", err)
		}
	case <-time.After(time.Minute): // a hang detector, not a margin
		t.Fatal("Serve did not return with a reload stuck in a load")
	}
	if err := s.Reload(context.Background()); err == nil || !strings.Contains(err.Error(), "still reading") {
		t.Errorf("a reload while another load is stuck: %v, want it refused at once", err)
	}
	if got := s.Deployments(); len(got) != 1 || got[0] != "one" {
		t.Errorf("the deployments are %v, want [one]", got)
	}
	loadConfigs = loadOne
	close(release)
	waitLoadEnded(t, s, "the stuck load did not end once released")
	if err := s.Reload(context.Background()); err != nil {
		t.Errorf("a reload after the stuck load returned: %v", err)
	}
}

// TestAbandonedLoadEnds: the configs are read under the reload's context,
// so a load that the reload gave up on (its context ended) ends too,
// rather than reading on and keeping every later reload out.
func TestAbandonedLoadEnds(t *testing.T) {
	s := serverOfOne(t)
	entered := make(chan struct{})
	loadConfigs = func(ctx context.Context, _ []string) ([]*config.Deployment, error) {
		close(entered)
		<-ctx.Done() // a long read that looks at its context, as config's do
		return nil, ctx.Err()
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-entered; cancel() }()
	if err := s.Reload(ctx); err == nil {
		t.Fatal("a reload whose context ended succeeded")
	}
	waitLoadEnded(t, s, "the abandoned load went on after its reload's context ended")
}

// TestBackToBackReloadsAreNotRefused: a reload that returned has let go
// of the configs, so the next one, at once, is not refused as
// overlapping it (it was now and then, when the first load's goroutine
// had handed over its result but not yet said it had finished).
func TestBackToBackReloadsAreNotRefused(t *testing.T) {
	s := serverOfOne(t)
	for i := range 2000 {
		if err := s.Reload(context.Background()); err != nil {
			t.Fatalf("reload %d right after another: %v", i, err)
		}
	}
}

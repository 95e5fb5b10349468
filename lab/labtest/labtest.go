// Package labtest starts embedded labs for tests: the checks' tests, and
// those of the packages that run many deployments (fleet, exporter, the
// fleet command).
package labtest

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/lab"
)

// Start starts a lab under o, stopped when the test ends, and loads its
// config as a user would. Its RSA keys come from the process's pool
// (lab.Options.ReuseKeys). A lab this machine cannot give (nat-pool where
// 127.0.0.2 is not loopback) skips the test.
func Start(t testing.TB, o lab.Options) (*lab.Lab, *config.Deployment) {
	t.Helper()
	l := start(t, o)
	dep, err := config.Load(l.ConfigPath)
	if err != nil {
		t.Fatalf("the lab's config does not load: %v", err)
	}
	return l, dep
}

// Faults parses fault specs (NAME or NAME=ARG).
func Faults(t testing.TB, specs ...string) []lab.FaultSpec {
	t.Helper()
	var out []lab.FaultSpec
	for _, s := range specs {
		spec, err := lab.ParseFault(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, spec)
	}
	return out
}

// Deployment starts a lab with the faults (NAME or NAME=ARG), writes its
// config as dir/name.yaml with name as the deployment name, and returns the
// file's path. The lab stops when the test ends. It serves ECDSA
// certificates (lab.Options.ECDSA): its callers run many deployments
// (fleet, exporter, the fleet command) and judge none by its key type.
func Deployment(t testing.TB, dir, name string, faults ...string) string {
	t.Helper()
	l := start(t, lab.Options{Faults: Faults(t, faults...), ECDSA: true})
	path := filepath.Join(dir, name+".yaml")
	if err := l.WriteConfigAs(path, name); err != nil {
		t.Fatal(err)
	}
	return path
}

func start(t testing.TB, o lab.Options) *lab.Lab {
	t.Helper()
	o.ReuseKeys = true // a test starts many labs; none judges a key's freshness
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, err := lab.Start(ctx, o)
	if errors.Is(err, lab.ErrUnavailable) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatalf("start the lab: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

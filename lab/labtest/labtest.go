// Package labtest starts embedded labs for tests of the packages that run
// many deployments (fleet, exporter, the fleet command).
package labtest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/lyncprobe/lyncprobe/lab"
)

// Deployment starts a lab with the faults (NAME or NAME=ARG), writes its
// config as dir/name.yaml with name as the deployment name, and returns the
// file's path. The lab stops when the test ends.
func Deployment(t testing.TB, dir, name string, faults ...string) string {
	t.Helper()
	o := lab.Options{}
	for _, f := range faults {
		spec, err := lab.ParseFault(f)
		if err != nil {
			t.Fatal(err)
		}
		o.Faults = append(o.Faults, spec)
	}
	l, err := lab.Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	path := filepath.Join(dir, name+".yaml")
	if err := l.WriteConfigAs(path, name); err != nil {
		t.Fatal(err)
	}
	return path
}

package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Set with version (root.go) by the release build (.goreleaser.yaml):
// -ldflags "-X main.version=v1.2.3 -X main.commit=abc1234 -X main.date=2026-12-02T00:00:00Z".
// A plain `go build` or `go install` leaves them empty, and the VCS stamp
// Go records in the binary is used instead.
var (
	commit = ""
	date   = ""
)

// buildDetails is the second line of `lyncprobe version`: the commit and
// time it was built from, the Go version and the platform, so that a bug
// report names the code it ran.
func buildDetails() string {
	rev, when := commit, date
	if bi, ok := debug.ReadBuildInfo(); ok && rev == "" {
		rev, when = vcsStamp(bi)
	}
	var parts []string
	if rev != "" {
		parts = append(parts, "commit "+rev)
	}
	if when != "" {
		parts = append(parts, "built "+when)
	}
	parts = append(parts, fmt.Sprintf("%s %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH))
	return strings.Join(parts, ", ")
}

// vcsStamp returns the revision and commit time Go stamps into binaries
// built in a checkout (-buildvcs).
func vcsStamp(bi *debug.BuildInfo) (rev, when string) {
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value[:min(len(s.Value), 12)]
		case "vcs.time":
			when = s.Value
		}
	}
	return rev, when
}

package main

import (
	"context"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestBuildVersion(t *testing.T) {
	rev := []debug.BuildSetting{{Key: "vcs.revision", Value: "8187340abcdef0123456789"}}
	cases := map[string]struct {
		bi   debug.BuildInfo
		want string
	}{
		"a tag":                     {debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, "v1.4.0"},
		"a pseudo-version":          {debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261202063000-8187340abcde"}}, "v0.0.0-20261202063000-8187340abcde"},
		"devel with a revision":     {debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: rev}, "devel+8187340abcde"},
		"devel with local changes":  {debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: append(rev, debug.BuildSetting{Key: "vcs.modified", Value: "true"})}, "devel+8187340abcde.dirty"},
		"devel, no revision stored": {debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "devel"},
	}
	for name, tc := range cases {
		if got := buildVersion(&tc.bi); got != tc.want {
			t.Errorf("%s: %q, want %q", name, got, tc.want)
		}
	}
}

func TestVersionFlagAndCommandAgree(t *testing.T) {
	var outs []string
	for _, args := range [][]string{{"--version"}, {"version"}} {
		ios, out, _ := testIO()
		if code := run(context.Background(), args, ios); code != 0 {
			t.Fatalf("%v: exit %d", args, code)
		}
		outs = append(outs, out.String())
	}
	first, _, _ := strings.Cut(outs[1], "\n")
	if outs[0] != first+"\n" || !strings.HasPrefix(outs[0], "lyncprobe ") || strings.Contains(outs[0], "(devel)") {
		t.Fatalf("--version %q, version %q", outs[0], outs[1])
	}
}

// The release build stamps version, commit and date with -ldflags
// (.goreleaser.yaml); `version` shows all three, `--version` the version.
func TestVersionFromLdflags(t *testing.T) {
	old := [3]string{version, commit, date}
	version, commit, date = "v1.4.0", "0123abc", "2026-12-01T10:00:00Z"
	t.Cleanup(func() { version, commit, date = old[0], old[1], old[2] })

	ios, out, _ := testIO()
	if code := run(context.Background(), []string{"version"}, ios); code != 0 {
		t.Fatalf("version exit %d", code)
	}
	want := "lyncprobe v1.4.0\ncommit 0123abc, built 2026-12-01T10:00:00Z, " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + "\n"
	if out.String() != want {
		t.Fatalf("version printed %q, want %q", out.String(), want)
	}
	ios, out, _ = testIO()
	if code := run(context.Background(), []string{"--version"}, ios); code != 0 || out.String() != "lyncprobe v1.4.0\n" {
		t.Fatalf("--version: exit %d, printed %q", code, out.String())
	}
}

package main

import (
	"context"
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
	if outs[0] != outs[1] || !strings.HasPrefix(outs[0], "lyncprobe ") || strings.Contains(outs[0], "(devel)") {
		t.Fatalf("--version %q, version %q", outs[0], outs[1])
	}
}

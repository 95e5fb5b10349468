package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// checkout writes one checkout of a repository holding a config, its zone,
// a certificate and a proxy config (in folders beside and below it).
func checkout(t *testing.T) (config string) {
	t.Helper()
	root := t.TempDir()
	copyFile := func(from, to string) {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile("../../testdata/sarif/lyncprobe.yaml", filepath.Join(root, "lync", "lyncprobe.yaml"))
	copyFile("../../testdata/sarif/wrong.zone", filepath.Join(root, "lync", "wrong.zone"))
	copyFile("../../testdata/proxy/rp-nodialin.pem", filepath.Join(root, "proxy", "rp-nodialin.pem"))
	copyFile("../../testdata/proxy/bad/nginx-host.conf", filepath.Join(root, "proxy", "bad", "nginx-host.conf"))
	return filepath.Join(root, "lync", "lyncprobe.yaml")
}

var testcaseName = regexp.MustCompile(`<testcase name="([^"]*)"`)

// TestJUnitNamesDoNotDependOnTheCheckout: the same repository checked out
// in two folders gives the same JUnit test names, with no absolute path,
// so CI test history survives a new checkout folder.
func TestJUnitNamesDoNotDependOnTheCheckout(t *testing.T) {
	commands := map[string]func(cfg string) []string{
		"validate": func(cfg string) []string { return []string{"validate", "-c", cfg, "--format", "junit"} },
		"check --zone-file": func(cfg string) []string {
			return []string{"check", "-c", cfg, "--zone-file", filepath.Join(filepath.Dir(cfg), "wrong.zone"), "--format", "junit"}
		},
	}
	for name, args := range commands {
		t.Run(name, func(t *testing.T) {
			var names [][]string
			var roots []string
			for range 2 {
				cfg := checkout(t)
				roots = append(roots, filepath.Dir(filepath.Dir(cfg)))
				ios, out, errOut := testIO()
				if code := run(context.Background(), args(cfg), ios); code != exitFailed {
					t.Fatalf("exit %d, want 1:\n%s", code, errOut)
				}
				var got []string
				for _, m := range testcaseName.FindAllStringSubmatch(out.String(), -1) {
					got = append(got, m[1])
				}
				names = append(names, got)
			}
			if len(names[0]) == 0 || !slices.Equal(names[0], names[1]) {
				t.Fatalf("test names differ between checkouts:\n%q\n%q", names[0], names[1])
			}
			for _, n := range names[0] {
				if strings.Contains(n, roots[0]) || strings.Contains(n, roots[1]) || strings.Contains(n, os.TempDir()) {
					t.Errorf("test name holds the checkout folder: %s", n)
				}
			}
			if name == "validate" && !slices.Contains(names[0], "meet.contoso.com [file ../proxy/rp-nodialin.pem]") {
				t.Errorf("no certificate test named relative to the config: %q", names[0])
			}
			if !slices.Contains(names[0], "meet.contoso.com [zone wrong.zone]") {
				t.Errorf("no zone test named relative to the config: %q", names[0])
			}
		})
	}
}

package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lyncprobe/lyncprobe/internal/hostile"
)

// hardeningDoc is the page whose claims name their tests.
const hardeningDoc = "../../docs/HARDENING.md"

var (
	// `pkg.TestName` or `pkg.TestName/subtest`, pkg a folder of the repository.
	qualifiedTest = regexp.MustCompile("`([a-z][a-z0-9_/]*)\\.((?:Test|Fuzz|Benchmark)[A-Z][A-Za-z0-9_]*)(?:/([a-z0-9.-]+))?`")
	// A test name not preceded by its package.
	bareTest = regexp.MustCompile(`(?:^|[^.\w])((?:Test|Fuzz|Benchmark)[A-Z][A-Za-z0-9_]*)`)
)

// TestHardeningDocNamesRealTests keeps docs/HARDENING.md honest: every
// test it names is named with its package and exists there, every fuzz
// target it names is in .ci/run's fuzz loop, and every hostile behaviour
// has its row naming its subtest of checks.TestHostileServers.
func TestHardeningDocNamesRealTests(t *testing.T) {
	b, err := os.ReadFile(hardeningDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, m := range bareTest.FindAllStringSubmatch(doc, -1) {
		t.Errorf("HARDENING.md names %s without its package: write `pkg.%s`", m[1], m[1])
	}
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	behaviours := map[string]bool{}
	for _, bh := range hostile.Behaviours() {
		behaviours[bh.Name] = true
	}
	sources := map[string]string{}
	named := map[string]bool{}
	for _, m := range qualifiedTest.FindAllStringSubmatch(doc, -1) {
		pkg, name, sub := m[1], m[2], m[3]
		src, ok := sources[pkg]
		if !ok {
			src = testSources(t, filepath.Join("../..", pkg))
			sources[pkg] = src
		}
		if !strings.Contains(src, "func "+name+"(") {
			t.Errorf("HARDENING.md names %s.%s: no such test in %s/*_test.go", pkg, name, pkg)
		}
		if strings.HasPrefix(name, "Fuzz") && !strings.Contains(string(ci), pkg+":"+name+" ") && !strings.Contains(string(ci), pkg+":"+name+";") {
			t.Errorf("HARDENING.md names %s.%s: not in .ci/run's fuzz loop", pkg, name)
		}
		switch {
		case sub == "":
		case pkg+"."+name == "checks.TestHostileServers":
			if !behaviours[sub] {
				t.Errorf("HARDENING.md names checks.TestHostileServers/%s: lab/hostile has no such behaviour", sub)
			}
			named[sub] = true
		default:
			t.Errorf("HARDENING.md names the subtest %s/%s: this test does not know how to check its subtests", name, sub)
		}
	}
	for name := range behaviours {
		if !named[name] {
			t.Errorf("HARDENING.md has no row naming checks.TestHostileServers/%s", name)
		}
	}
}

// testSources is the text of every _test.go file in dir.
func testSources(t *testing.T, dir string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil || len(files) == 0 {
		t.Errorf("no test files in %s (%v)", dir, err)
		return ""
	}
	var sb strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sb.Write(b)
	}
	return sb.String()
}

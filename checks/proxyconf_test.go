package checks_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/config"
	"github.com/lyncprobe/lyncprobe/proxyconf"
)

const proxyTestdata = "../testdata/proxy"

// expectMarker: "EXPECT id" marks its own line, "EXPECT-ABOVE id" the line
// above (Apache allows no comment after a directive).
var expectMarker = regexp.MustCompile(`EXPECT(-ABOVE)? ([a-z]+\.[a-z0-9-]+)`)

type expectation struct {
	id   string
	line int
}

func expectations(t *testing.T, path string) []expectation {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []expectation
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if m := expectMarker.FindStringSubmatch(sc.Text()); m != nil {
			line := n
			if m[1] != "" {
				line--
			}
			out = append(out, expectation{m[2], line})
		}
	}
	return out
}

func proxyDeployment(t *testing.T) *config.Deployment {
	t.Helper()
	dep, err := config.Load(filepath.Join(proxyTestdata, "deployment.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return dep
}

func validateFile(t *testing.T, dep *config.Deployment, path string) []checks.Result {
	t.Helper()
	abs, _ := filepath.Abs(path)
	cfg, err := proxyconf.Parse(abs, "")
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	return checks.Validate(context.Background(), dep, checks.ValidateOptions{Proxy: []*proxyconf.Config{cfg}})
}

func proxyProblems(rs []checks.Result) []checks.Result {
	var out []checks.Result
	for _, r := range rs {
		if r.Status == checks.Warn || r.Status == checks.Fail || r.Status == checks.Error || r.Status == checks.Skip {
			out = append(out, r)
		}
	}
	return out
}

func describeProxy(rs []checks.Result) string {
	var b strings.Builder
	for _, r := range rs {
		loc := ""
		if r.Location != nil {
			loc = fmt.Sprintf("%s:%d", filepath.Base(r.Location.File), r.Location.Line)
		}
		fmt.Fprintf(&b, "\n  %s %s %s %s: %s", r.Status, r.ID, r.Target, loc, r.Message)
	}
	return b.String()
}

// Each good configuration yields no fail or warn, and judges something.
func TestProxyConfigsGood(t *testing.T) {
	dep := proxyDeployment(t)
	files, _ := filepath.Glob(filepath.Join(proxyTestdata, "good", "*.*"))
	if len(files) < 4 {
		t.Fatalf("want a good configuration per family, found %v", files)
	}
	for _, f := range files {
		if fi, err := os.Stat(f); err != nil || fi.IsDir() {
			continue // nginx.d holds what nginx.conf includes
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			rs := validateFile(t, dep, f)
			if p := proxyProblems(rs); len(p) > 0 {
				t.Errorf("want no findings, got:%s", describeProxy(p))
			}
			for _, id := range []string{"proxy.server-names", "http.host-forwarding", "http.internal-site-exposed", "affinity.sticky"} {
				if !hasPass(rs, id) {
					t.Errorf("no pass for %s; results:%s", id, describeProxy(rs))
				}
			}
		})
	}
}

func hasPass(rs []checks.Result, id string) bool {
	for _, r := range rs {
		if r.ID == id && r.Status == checks.Pass {
			return true
		}
	}
	return false
}

// Each bad configuration yields its expected check ID at the marked line,
// and nothing else fails or warns.
func TestProxyConfigsBad(t *testing.T) {
	dep := proxyDeployment(t)
	files, _ := filepath.Glob(filepath.Join(proxyTestdata, "bad", "*.*"))
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			want := expectations(t, f)
			if len(want) != 1 {
				t.Fatalf("want one EXPECT marker, found %v", want)
			}
			got := proxyProblems(validateFile(t, dep, f))
			if len(got) != 1 {
				t.Fatalf("want one finding %s at line %d, got:%s", want[0].id, want[0].line, describeProxy(got))
			}
			r := got[0]
			if r.ID != want[0].id || r.Location == nil || r.Location.Line != want[0].line || filepath.Base(r.Location.File) != filepath.Base(f) {
				t.Errorf("want %s at %s:%d, got:%s", want[0].id, filepath.Base(f), want[0].line, describeProxy(got))
			}
			if r.Remedy == "" {
				t.Errorf("%s has no remedy", r.ID)
			}
		})
	}
}

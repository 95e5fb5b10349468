package report

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/lab"
	"github.com/lyncprobe/lyncprobe/lab/labtest"
)

// What changes from one lab run to the next: ports, certificate
// fingerprints, dates.
var labNoise = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(127\.0\.0\.\d+|\.test|localhost):\d{2,5}`), "${1}:PORT"},
	{regexp.MustCompile(`certificate [0-9a-f]{16}`), "certificate FINGERPRINT"},
	{regexp.MustCompile(`\d{4}-\d{2}-\d{2}`), "YYYY-MM-DD"},
}

func denoise(s string) string {
	for _, n := range labNoise {
		s = n.re.ReplaceAllString(s, n.with)
	}
	return s
}

// TestTextGoldenMultiFaultLab is what an admin reads after a run with
// three faults: the verdict first, three root causes, each remedy once,
// the consequences beneath their cause, no PASS line, 80 columns.
func TestTextGoldenMultiFaultLab(t *testing.T) {
	_, dep := labtest.Start(t, lab.Options{Faults: labtest.Faults(t, "missing-dns=dialin", "no-host-forward", "expiring-cert")})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rs := checks.Run(ctx, dep, checks.Options{})
	for i := range rs {
		r := &rs[i]
		r.Message, r.Remedy, r.Target, r.Via = denoise(r.Message), denoise(r.Remedy), denoise(r.Target), denoise(r.Via)
		r.Duration = 0
	}
	var buf bytes.Buffer
	rep := Report{Catalog: catalogue, Deployment: dep.Name, Results: rs, Duration: 1500 * time.Millisecond,
		Run: Run{Started: time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC), Version: "v1.0.0", Host: "admin-pc", Resolvers: []string{"127.0.0.1:PORT"}}}
	if err := Text(&buf, rep, Options{Width: 80}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for i, line := range strings.Split(out, "\n") {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("line %d is %d columns wide: %s", i+1, n, line)
		}
	}
	// The title, the run header (two lines at 80 columns), the verdict.
	if v := strings.Index(out, "\nVerdict: FAIL: 3 root causes behind 6 problems\n"); v < 0 || strings.Count(out[:v], "\n") > 4 {
		t.Errorf("the verdict is not right after the run header:\n%s", out)
	}
	if regexp.MustCompile(`(?m)^\s*PASS `).MatchString(out) {
		t.Errorf("a PASS line without -v:\n%s", out)
	}
	if n := strings.Count(out, "Make the reverse proxy forward the original Host header"); n != 1 {
		t.Errorf("the Host-forwarding remedy is printed %d times", n)
	}
	golden(t, "text-lab-faults.golden", buf.Bytes())
}

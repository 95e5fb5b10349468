package report

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/result"
)

// layoutProbe runs in the page (only in this test's copy of it) and
// writes what is wrong with the layout into body[data-layout]: anything
// wider than the window, any text that spills out of its box (where it
// would overlap its neighbour), any two labels of a chart row or two
// count tiles that overlap.
const layoutProbe = `<script>
(function () {
  const out = [];
  const W = document.documentElement.clientWidth;
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).replace(/ /g, '.') : '');
  if (document.documentElement.scrollWidth > W) out.push('the page is ' + document.documentElement.scrollWidth + 'px wide, the window ' + W + 'px');
  for (const e of document.querySelectorAll('body *')) {
    if (e.tagName === 'SCRIPT') continue;
    const r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > W + 0.5) out.push(name(e) + ' ends at ' + Math.round(r.right) + 'px');
    const cs = getComputedStyle(e);
    if (cs.display !== 'inline' && cs.overflowX === 'visible' && e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0) out.push(name(e) + ' spills its text: ' + JSON.stringify(e.textContent.slice(0, 60)));
  }
  const overlap = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const pairs = els => { for (let i = 0; i < els.length; i++) for (let j = i + 1; j < els.length; j++) if (overlap(els[i].getBoundingClientRect(), els[j].getBoundingClientRect())) out.push(name(els[i]) + ' overlaps ' + name(els[j])); };
  for (const row of document.querySelectorAll('.bar-row')) pairs([...row.children]);
  pairs([...document.querySelectorAll('.counts li')]);
  document.body.setAttribute('data-layout', out.length ? out.join(' | ') : 'ok');
})();
</script>`

// crowded is a report that pushes the layout: long URLs, long labels,
// long messages, a fleet's deployment names.
func crowded() Report {
	r := sample()
	long := "https://lyncdiscover.a-very-long-subdomain-name.contoso-international-holdings.example.com/Autodiscover/AutodiscoverService.svc/root/oauth/user?originalDomain=contoso-international-holdings.example.com"
	r.Results = append(r.Results,
		result.Result{ID: "http.internal-name-leak", Module: "http", Target: long, Via: "address 203.0.113.10", Status: result.Fail,
			Message: "redirects to " + long + " which names an internal host", Remedy: strings.Repeat("Rewrite the links the front ends send. ", 12)},
		result.Result{ID: "affinity.distribution", Module: "affinity", Target: "webext.contoso.com", Via: "address 203.0.113.11", Status: result.Info,
			Message: "20 new connections reached 3 front end(s)",
			Evidence: map[string]any{"distribution": []result.Bar{
				{Label: "fe01.pool01.a-very-long-internal-domain-name.corp.contoso.local", Count: 12},
				{Label: "fe02.pool01.contoso.local", Count: 7}, {Label: "(no answer)", Count: 1}}}},
	)
	return r
}

// TestHTMLLayoutAt1280 renders the HTML report in headless Chromium at
// 1280 px and measures it: nothing overflows the window, no label spills
// over its neighbour, and a screenshot of that width is taken.
func TestHTMLLayoutAt1280(t *testing.T) {
	chromium := needTool(t, "chromium", "chromium")
	dir := t.TempDir()
	var buf bytes.Buffer
	if err := HTML(&buf, crowded()); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "report.html")
	probed := strings.Replace(buf.String(), "</body>", layoutProbe+"\n</body>", 1)
	if err := os.WriteFile(page, []byte(probed), 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "report.png")
	dom := runChromium(t, chromium, dir, "--window-size=1280,4000", "--dump-dom", "file://"+page)
	m := regexp.MustCompile(`data-layout="([^"]*)"`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("the layout probe did not run:\n%s", dom)
	}
	if m[1] != "ok" {
		for _, problem := range strings.Split(m[1], " | ") {
			t.Errorf("at 1280 px: %s", problem)
		}
	}
	runChromium(t, chromium, dir, "--window-size=1280,2000", "--screenshot="+shot, "file://"+page)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil || cfg.Width != 1280 {
		t.Errorf("screenshot: %v, %d px wide, want 1280", err, cfg.Width)
	}
}

func runChromium(t *testing.T, chromium, dir string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
		"--user-data-dir=" + filepath.Join(dir, "profile")}
	cmd := exec.CommandContext(ctx, chromium, append(base, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	return string(out)
}

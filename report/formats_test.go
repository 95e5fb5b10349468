package report

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lyncprobe/lyncprobe/checks"
)

// TestGolden renders the sample in every byte-exact format and compares it
// with testdata/report/<name>; go test ./report -update rewrites them.
func TestGolden(t *testing.T) {
	for format, name := range map[string]string{"junit": "junit.xml.golden", "markdown": "summary.md.golden", "html": "report.html.golden"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Render(&buf, format, sample(), Options{}); err != nil {
				t.Fatal(err)
			}
			if want := golden(t, name, buf.Bytes()); !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s report differs from %s:\n%s", format, name, cmp.Diff(string(want), buf.String()))
			}
		})
	}
}

func TestSARIFGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := SARIF(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	var got, want map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(golden(t, "report.sarif.golden", buf.Bytes()), &want); err != nil {
		t.Fatal(err)
	}
	// The rules' texts are the catalogue's, which other modules edit:
	// TestSARIFRulesAreTheCatalogue checks them; the golden checks the rest.
	blankRuleTexts(got)
	blankRuleTexts(want)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("SARIF differs (-want +got):\n%s", d)
	}
}

func blankRuleTexts(log map[string]any) {
	run := log["runs"].([]any)[0].(map[string]any)
	for _, r := range run["tool"].(map[string]any)["driver"].(map[string]any)["rules"].([]any) {
		rule := r.(map[string]any)
		for _, k := range []string{"shortDescription", "fullDescription", "help"} {
			rule[k] = "(catalogue text)"
		}
	}
}

func TestSARIFRulesAreTheCatalogue(t *testing.T) {
	rules, index := sarifRules(sample().Results, sample().Catalog)
	for _, r := range sample().Results {
		rule := rules[index[r.ID]]
		c, ok := checks.CheckByID(r.ID)
		if rule.ID != r.ID || !ok || rule.ShortDescription.Text != c.Title || rule.FullDescription.Text != c.About.What {
			t.Errorf("rule for %s = %+v, want the catalogue's title and what", r.ID, rule)
		}
	}
	if len(rules) != 6 {
		t.Errorf("%d rules, want one per check that ran (6)", len(rules))
	}
}

// TestSARIFResults reads the log as a consumer would: the located finding
// points at its file and line, the suppressed one carries its reason, and
// passes and skips are not findings.
func TestSARIFResults(t *testing.T) {
	log := sarifDoc(t, sample())
	run := log.Runs[0]
	levels := map[string]string{}
	for _, r := range run.Results {
		levels[r.RuleID] += r.Level + " "
		if got := run.Tool.Driver.Rules[r.RuleIndex].ID; got != r.RuleID {
			t.Errorf("%s: ruleIndex points at %s", r.RuleID, got)
		}
		switch r.RuleID {
		case "http.host-forwarding":
			if len(r.Locations) != 1 || r.Locations[0].PhysicalLocation.ArtifactLocation.URI != "proxy/nginx.conf" || r.Locations[0].PhysicalLocation.Region.StartLine != 12 {
				t.Errorf("host-forwarding location = %+v, want proxy/nginx.conf:12", r.Locations)
			}
		case "cert.expiry":
			if len(r.Suppressions) != 1 || r.Suppressions[0].Justification != "renewal booked" {
				t.Errorf("cert.expiry suppressions = %+v", r.Suppressions)
			}
		}
	}
	want := map[string]string{"dns.resolves": "error ", "http.host-forwarding": "error ", "http.paths": "error ", "affinity.distribution": "note ", "cert.expiry": "warning "}
	if d := cmp.Diff(want, levels); d != "" {
		t.Errorf("SARIF levels per rule (-want +got):\n%s", d)
	}
}

func TestMarkdownRows(t *testing.T) {
	var buf bytes.Buffer
	if err := Markdown(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, want := range []string{
		"| 2 | 1 | 0 | 2 | 1 | 1 | 1 | 1.234s |",
		"WARN (suppressed: renewal booked)",
		"https://meet.contoso.com (proxy/nginx.conf:12)",
		`100% "odd" &lt;b&gt;bold&lt;/b&gt;, a: b<br>second line \| pipe`,
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "resolves to 203.0.113.10") {
		t.Error("markdown lists a pass")
	}
}

func TestGitHubAnnotations(t *testing.T) {
	var buf bytes.Buffer
	if err := GitHubAnnotations(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	want := "::error title=dns.resolves dialin.contoso.com::dialin.contoso.com (resolver 192.0.2.53:53): dialin.contoso.com does not exist in public DNS (NXDOMAIN)%0ARemedy: Publish an A record for dialin.contoso.com.\n" +
		"::error file=proxy/nginx.conf,line=12,title=http.host-forwarding https%3A//meet.contoso.com::https://meet.contoso.com (file proxy/nginx.conf): proxy_set_header Host is not set: nginx sends the proxy_pass name%0ARemedy: proxy_set_header Host $host;\n" +
		"::error title=http.paths webext.contoso.com::webext.contoso.com (path /abs): read failed: 100%25 \"odd\" <b>bold</b>, a: b%0Asecond line | pipe\n"
	if d := cmp.Diff(want, buf.String()); d != "" {
		t.Errorf("annotations (-want +got):\n%s", d)
	}
}

func TestEscapeProperty(t *testing.T) {
	if got := escapeProperty("a:b,c%d\r\ne"); got != "a%3Ab%2Cc%25d%0D%0Ae" {
		t.Errorf("escapeProperty = %q", got)
	}
}

func TestHTMLEscapes(t *testing.T) {
	var buf bytes.Buffer
	if err := HTML(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if strings.Contains(page, "<b>bold</b>") || !strings.Contains(page, "&lt;b&gt;bold&lt;/b&gt;") {
		t.Error("HTML report does not escape a message")
	}
	for _, external := range []string{"<script", "<link", "src=", "@import", "url("} {
		if strings.Contains(page, external) {
			t.Errorf("HTML report is not self-contained: it has %q", external)
		}
	}
}

// TestFileURIEscapes: a location's file must come back as itself when a
// SARIF reader parses the URI (code scanning puts the finding on that file).
func TestFileURIEscapes(t *testing.T) {
	for path, want := range map[string]string{
		"proxy/nginx.conf":                    "proxy/nginx.conf",
		"my configs/nginx #2.conf":            "my%20configs/nginx%20%232.conf",
		"/etc/nginx/sites enabled/lync%.conf": "file:///etc/nginx/sites%20enabled/lync%25.conf",
	} {
		got := fileURI(path)
		if got != want {
			t.Errorf("fileURI(%q) = %q, want %q", path, got, want)
		}
		u, err := url.Parse(got)
		if err != nil || u.Path != path {
			t.Errorf("%q parses back to %q (%v), want the file itself", got, u.Path, err)
		}
	}
}

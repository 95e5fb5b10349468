package report

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/result"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// These tests check the reports against what their readers publish, never
// against the structs that wrote them: the SARIF 2.1.0 JSON schema, a JUnit
// XSD, and a real browser. testdata/schema/README.md says where the schema
// files come from.

const schemaDir = "../testdata/schema"

// needTool skips when a program is missing outside CI and fails under
// CI=true, where .ci/run installs it.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is missing under CI: .ci/run installs the Debian package %s", name, pkg)
	}
	t.Skipf("%s is not installed (Debian package %s); .ci/run installs it", name, pkg)
	return ""
}

// needSchema finds a published schema that testdata/schema/fetch put in
// testdata/schema (we do not commit copies of other projects' files). It
// skips when the file is absent and fails under CI=true, where .ci/run
// fetches it.
func needSchema(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(schemaDir, name)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing under CI: .ci/run runs testdata/schema/fetch", path)
		}
		t.Skipf("%s is absent: run testdata/schema/fetch to run this test", path)
	}
	return path
}

func TestSARIFMatchesPublishedSchema(t *testing.T) {
	schemaPath := needSchema(t, "sarif-schema-2.1.0.json")
	c := jsonschema.NewCompiler()
	c.AssertFormat() // uri-reference, date-time, ... are judged too
	schema, err := c.Compile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	oddPaths := Report{Deployment: "odd", Results: []result.Result{
		{ID: "proxy.server-names", Target: "meet.contoso.com", Status: result.Fail, Message: "m",
			Location: &result.Location{File: "my configs/nginx #2.conf", Line: 3}},
		{ID: "proxy.server-names", Target: "dialin.contoso.com", Status: result.Fail, Message: "m",
			Location: &result.Location{File: "/etc/nginx/sites enabled/lync%.conf", Line: 4}},
	}}
	withRun := sample()
	withRun.Run = Run{Started: time.Date(2026, 12, 2, 7, 0, 0, 0, time.UTC), Version: "v1.0.0", Host: "h", Resolvers: []string{"192.0.2.53:53"}}
	withRun.Locate = func(result.Result) *result.Location { return &result.Location{File: "lyncprobe.yaml", Line: 3} }
	for name, rep := range map[string]Report{"fleet": fleetReport(), "empty": {Deployment: "empty"}, "sample": sample(), "odd paths": oddPaths, "with a run header": withRun} {
		if err := schema.Validate(sarifOf(t, rep)); err != nil {
			t.Errorf("%s: the SARIF log breaks the published 2.1.0 schema: %v", name, err)
		}
	}
	doc := sarifOf(t, sample())
	// The schema does judge: a level SARIF does not know is rejected.
	first := doc.(map[string]any)["runs"].([]any)[0].(map[string]any)["results"].([]any)[0].(map[string]any)
	first["level"] = "fatal"
	if schema.Validate(doc) == nil {
		t.Error("the schema accepts level \"fatal\": it is not judging")
	}
}

func TestJUnitMatchesPublishedXSD(t *testing.T) {
	xsd := needSchema(t, "jenkins-junit.xsd")
	xmllint := needTool(t, "xmllint", "libxml2-utils")
	withRun := sample()
	withRun.Run = Run{Started: time.Date(2026, 12, 2, 7, 0, 0, 0, time.UTC), Version: "v1.0.0", Host: "h", Resolvers: []string{"192.0.2.53:53"}}
	for name, rep := range map[string]Report{"sample": sample(), "empty": {Deployment: "empty"}, "fleet": fleetReport(), "with a run header": withRun} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := JUnit(&buf, rep); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(t.TempDir(), "report.xml")
			if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(xmllint, "--noout", "--schema", xsd, file).CombinedOutput()
			if err != nil {
				t.Errorf("xmllint rejects the JUnit report: %v\n%s", err, out)
			}
		})
	}
	// The XSD does judge: a testcase without a name is rejected.
	bad := filepath.Join(t.TempDir(), "bad.xml")
	if err := os.WriteFile(bad, []byte(`<testsuites><testsuite name="x" tests="1" failures="0" errors="0"><testcase classname="c"/></testsuite></testsuites>`), 0o644); err != nil {
		t.Fatal(err)
	}
	if exec.Command(xmllint, "--noout", "--schema", xsd, bad).Run() == nil {
		t.Error("xmllint accepts a testcase without a name: the XSD is not judging")
	}
}

// TestHTMLInBrowser loads the HTML report in headless Chromium and reads
// the DOM it built: the verdict, the counts, a remedy, the suppression and
// the distribution bars are there for a person to see.
func TestHTMLInBrowser(t *testing.T) {
	chromium := needTool(t, "chromium", "chromium")
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var buf bytes.Buffer
	if err := HTML(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--dump-dom", "file://"+page)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	for _, want := range []string{
		`id="verdict">FAIL</span>`,
		`data-status="fail"><b>2</b>fail</li>`,
		`data-status="suppressed"><b>1</b>suppressed</li>`,
		"remedy: Publish an A record for dialin.contoso.com.",
		"suppressed: renewal booked",
		"proxy/nginx.conf:12",
		`<div class="fill" style="width:100%"></div>`,
		"&lt;b&gt;bold&lt;/b&gt;",
	} {
		if !strings.Contains(string(dom), want) {
			t.Errorf("the page Chromium rendered lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("DOM:\n%s", dom)
	}
}

func sarifOf(t *testing.T, r Report) any {
	t.Helper()
	var buf bytes.Buffer
	if err := SARIF(&buf, r); err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

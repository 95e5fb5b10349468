package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lyncprobe/lyncprobe/config"
)

func TestInitWritesAConfigThatLoads(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lyncprobe.yaml")
	ios, out, errOut := testIO()
	args := []string{"init", "-c", path, "--sip-domain", "contoso.com,fabrikam.com", "--web-services", "lyncweb.contoso.com"}
	if code := run(context.Background(), args, ios); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	dep, err := config.Load(path)
	if err != nil {
		t.Fatalf("the starter does not load: %v", err)
	}
	if dep.WebServices[0].External != "lyncweb.contoso.com" || len(dep.SimpleURLs.Meet) != 2 || dep.SimpleURLs.Dialin != "https://dialin.contoso.com" {
		t.Errorf("starter %+v", dep)
	}
	if !strings.Contains(out.String(), "lyncprobe check -c "+path) {
		t.Errorf("stdout does not say what next: %s", out)
	}
	// A second init keeps the file.
	ios, _, errOut = testIO()
	if code := run(context.Background(), []string{"init", "-c", path}, ios); code != exitTool || !strings.Contains(errOut.String(), "--force") {
		t.Fatalf("overwrote an existing file: exit %d, %s", code, errOut)
	}
	// Without flags: the commented example of every key.
	example := filepath.Join(dir, "example.yaml")
	ios, _, _ = testIO()
	if code := run(context.Background(), []string{"init", "-c", example}, ios); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if b, _ := os.ReadFile(example); string(b) != config.ExampleYAML {
		t.Error("init without flags did not write the example")
	}
}

func TestMissingConfigSaysHowToMakeOne(t *testing.T) {
	ios, _, errOut := testIO()
	if code := run(context.Background(), []string{"check", "-c", filepath.Join(t.TempDir(), "none.yaml")}, ios); code != exitTool {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(errOut.String(), "lyncprobe init") {
		t.Errorf("stderr: %s", errOut)
	}
}

func TestDidYouMean(t *testing.T) {
	cases := map[string]string{
		"check --lab --fault no-host-foward":     "did you mean no-host-forward?",
		"check --lab --fault missing-dsn=dialin": "did you mean missing-dns?",
		"explain http.host-fowarding":            "did you mean http.host-forwarding?",
		"explain dns.resolve":                    "did you mean dns.resolves?",
	}
	for args, want := range cases {
		ios, _, errOut := testIO()
		if code := run(context.Background(), strings.Fields(args), ios); code != exitTool || !strings.Contains(errOut.String(), want) {
			t.Errorf("%s: exit %d, stderr %q, want %q", args, code, errOut, want)
		}
	}
	ios, _, errOut := testIO()
	run(context.Background(), []string{"explain", "zzz"}, ios)
	if strings.Contains(errOut.String(), "did you mean") {
		t.Errorf("a wild guess got a suggestion: %s", errOut)
	}
}

func TestCertInspectWithoutConfigNamesTheFlag(t *testing.T) {
	t.Chdir(t.TempDir())
	ios, _, errOut := testIO()
	if code := run(context.Background(), []string{"cert", "inspect", "rp.pem"}, ios); code != exitTool {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(errOut.String(), "--name") {
		t.Errorf("stderr does not name --name: %s", errOut)
	}
}

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/config"
	"github.com/spf13/cobra"
)

func testIO() (*IOStreams, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, &out, &errOut
}

// parseOptions runs a command built by newCmd on args with a run
// function that only keeps the options: the flags and their checks are
// exercised, nothing runs.
func parseOptions[O any](args string, newCmd func(*IOStreams, func(context.Context, *O) error) *cobra.Command) (*O, error) {
	ios, _, _ := testIO()
	var got *O
	cmd := newCmd(ios, func(_ context.Context, o *O) error { got = o; return nil })
	cmd.SetArgs(strings.Fields(args))
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	return got, cmd.Execute()
}

func TestCheckFlagParsing(t *testing.T) {
	cases := map[string]struct {
		args    string
		wantErr string
		check   func(*checkOptions) bool
	}{
		"defaults": {args: "", check: func(o *checkOptions) bool {
			return o.ConfigPath == "lyncprobe.yaml" && o.Format == "text" && o.Timeout == 30*time.Second && o.FailOn == "fail"
		}},
		"lab with faults": {args: "--lab --fault missing-dns=dialin --lab-nodes 2 --lab-lb cookie", check: func(o *checkOptions) bool {
			return o.Lab && len(o.LabFlags.specs) == 1 && o.LabFlags.specs[0].Arg == "dialin" && o.LabFlags.Nodes == 2
		}},
		"lab with owa and an optional fault argument": {args: "--lab --lab-owa --fault no-host-forward --fault no-host-forward=404", check: func(o *checkOptions) bool {
			return o.LabFlags.OWA && o.LabFlags.options("").OWA && len(o.LabFlags.specs) == 2 && o.LabFlags.specs[1].Arg == "404"
		}},
		"only and resolvers": {args: "--only dns,http --resolver 1.1.1.1 --resolver 9.9.9.9:53", check: func(o *checkOptions) bool {
			return len(o.Only) == 2 && len(o.Resolvers) == 2
		}},
		"bad format":        {args: "--format xml", wantErr: `--format "xml"`},
		"bad fail-on":       {args: "--fail-on info", wantErr: "--fail-on"},
		"bad module":        {args: "--only dnss", wantErr: `unknown module "dnss"`},
		"lab and config":    {args: "--lab -c x.yaml", wantErr: "--lab and --config"},
		"fault without lab": {args: "--fault missing-dns=dialin", wantErr: "need --lab"},
		"unknown fault":     {args: "--lab --fault nope", wantErr: "nope"},
		"bad lb":            {args: "--lab --lab-lb dns", wantErr: "--lab-lb"},
		"bad version":       {args: "--lab --lab-version ocs2007", wantErr: "--lab-version"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := parseOptions(tc.args, newCmdCheck)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("want error containing %q, got %v", tc.wantErr, err)
				}
				if _, ok := err.(usageError); !ok {
					t.Fatalf("want a usage error (exit 2), got %T", err)
				}
				return
			}
			if err != nil || got == nil || !tc.check(got) {
				t.Fatalf("err %v, options %+v", err, got)
			}
		})
	}
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("name: x\nbogus: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		args       []string
		code       int
		stdout     string
		stderrLine string
	}{
		"healthy lab":      {args: []string{"check", "--lab"}, code: 0, stdout: "0 fail"},
		"faulty lab":       {args: []string{"check", "--lab", "--fault", "missing-dns=dialin"}, code: 1, stdout: "does not exist in public DNS (NXDOMAIN)"},
		"usage":            {args: []string{"check", "--format", "xml"}, code: 2, stderrLine: `lyncprobe: --format "xml"`},
		"unknown flag":     {args: []string{"check", "--nope"}, code: 2, stderrLine: "unknown flag: --nope"},
		"bad config":       {args: []string{"check", "-c", bad}, code: 2, stderrLine: bad + ":2: bogus: unknown key"},
		"missing config":   {args: []string{"check", "-c", filepath.Join(dir, "none.yaml")}, code: 2, stderrLine: "none.yaml"},
		"version":          {args: []string{"version"}, code: 0, stdout: "lyncprobe "},
		"list faults":      {args: []string{"lab", "--list-faults"}, code: 0, stdout: "missing-dns=NAME"},
		"json on the lab":  {args: []string{"check", "--lab", "--format", "json"}, code: 0, stdout: `"deployment": "lab"`},
		"fail-on warn, ok": {args: []string{"check", "--lab", "--fail-on", "warn"}, code: 0},
		"only one module":  {args: []string{"check", "--lab", "--only", "dns", "--format", "json"}, code: 0, stdout: `"module": "dns"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ios, out, errOut := testIO()
			code := run(context.Background(), tc.args, ios)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errOut)
			}
			if !strings.Contains(out.String(), tc.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tc.stdout, out)
			}
			if tc.stderrLine != "" && !strings.Contains(errOut.String(), tc.stderrLine) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderrLine, errOut)
			}
		})
	}
}

func TestInterruptPrintsPartialReportAndExits2(t *testing.T) {
	ios, out, errOut := testIO()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	o := &checkOptions{IO: ios, reportFlags: reportFlags{Format: "text", FailOn: "fail"}, Timeout: time.Second, CheckTimeout: time.Second, Concurrency: 4}
	err := runChecks(ctx, o, labLikeDeployment())
	if code := exitCode(err, ios.ErrOut); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if !strings.Contains(out.String(), "not finished: interrupted") || !strings.Contains(errOut.String(), "interrupted") {
		t.Fatalf("stdout:\n%s\nstderr:\n%s", out, errOut)
	}
}

func TestOnlyModuleFiltersOutput(t *testing.T) {
	ios, out, _ := testIO()
	if code := run(context.Background(), []string{"check", "--lab", "--only", "http"}, ios); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if strings.Contains(out.String(), "dns.resolves") {
		t.Fatalf("--only http printed dns results:\n%s", out)
	}
}

// labLikeDeployment is a deployment built in code; with a cancelled
// context nothing is ever sent.
func labLikeDeployment() *config.Deployment {
	return &config.Deployment{
		Name: "x", Version: "sfb2019", SIPDomains: []string{"contoso.test"},
		WebServices:  []config.WebService{{External: "webext.contoso.test"}},
		SimpleURLs:   config.SimpleURLs{Meet: []string{"https://meet.contoso.test"}, Dialin: "https://dialin.contoso.test"},
		ReverseProxy: config.ReverseProxy{Port: 443},
		DNS:          config.DNS{Resolvers: []string{"127.0.0.1:9"}},
	}
}

package main

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/lab"
	"github.com/lyncprobe/lyncprobe/lab/labtest"
	"github.com/lyncprobe/lyncprobe/report"
)

// privateRef matches a reference to a file that is not part of lyncprobe:
// the development notes beside the repository. A user can open none of
// them; every source shown must be public (a URL, an RFC, a vendor guide).
var privateRef = regexp.MustCompile(`(?i)DOMAIN\.md|DESIGN\.md|STYLE\.md|ANCHORS\.md|LIBRARIES\.md|seed[ -]article|\.\./shared|\bshared/`)

func assertPublic(t *testing.T, what, text string) {
	t.Helper()
	if loc := privateRef.FindStringIndex(text); loc != nil {
		from, to := max(loc[0]-80, 0), min(loc[1]+80, len(text))
		t.Errorf("%s cites a file outside the repository: …%s…", what, text[from:to])
	}
}

// TestKnowledgeBaseCitesOnlyPublicSources renders every check's
// knowledge-base entry as `explain` prints it, and its SARIF rule.
func TestKnowledgeBaseCitesOnlyPublicSources(t *testing.T) {
	for _, c := range checks.Registry() {
		var b bytes.Buffer
		if err := explain(&b, c); err != nil {
			t.Fatal(err)
		}
		assertPublic(t, "explain "+c.ID, b.String())
	}
	var b bytes.Buffer
	rep := report.Report{Catalog: checks.Catalog()}
	for _, c := range rep.Catalog { // a finding per check, so that every rule is written
		rep.Results = append(rep.Results, checks.Result{ID: c.ID, Module: c.Module, Target: "x", Status: checks.Fail})
	}
	if err := report.SARIF(&b, rep); err != nil {
		t.Fatal(err)
	}
	assertPublic(t, "the SARIF rules", b.String())
}

// TestFaultReportsCiteOnlyPublicSources runs the lab once per fault (every
// example of the table) and renders the report in every format.
func TestFaultReportsCiteOnlyPublicSources(t *testing.T) {
	for _, f := range lab.Faults {
		for _, arg := range append([]string{f.Example}, f.MoreExamples...) {
			spec := lab.FaultSpec{Name: f.Name, Arg: arg}
			t.Run(spec.String(), func(t *testing.T) {
				t.Parallel()
				_, dep := labtest.Start(t, lab.Options{Faults: []lab.FaultSpec{spec}})
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				defer cancel()
				rep := report.Report{Catalog: checks.Catalog(), Deployment: dep.Name, Results: checks.Run(ctx, dep, checks.Options{})}
				for _, format := range report.Formats {
					var b bytes.Buffer
					if err := report.Render(&b, format, rep, report.Options{}); err != nil {
						t.Fatal(err)
					}
					assertPublic(t, spec.String()+" as "+format, b.String())
				}
			})
		}
	}
}

// TestNoStringCitesPrivateFiles reads every string literal of the program
// (not its tests): remedies and messages a lab fault does not reach are
// covered too.
func TestNoStringCitesPrivateFiles(t *testing.T) {
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					s = lit.Value
				}
				assertPublic(t, path, s)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDocsStayInTheRepository: the README and docs/ are read in a clone,
// which has no ../shared.
func TestDocsStayInTheRepository(t *testing.T) {
	for _, f := range repoDocs(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		assertPublic(t, f, string(b))
	}
}

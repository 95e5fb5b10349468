package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lyncprobe/lyncprobe/checks"
	"github.com/lyncprobe/lyncprobe/lab"
)

// TestGeneratedDocsTables keeps the check table (docs/CHECKS.md) and the
// fault table (docs/LAB.md) in step with checks.Registry() and lab.Faults:
// each sits between BEGIN/END GENERATED markers and is rebuilt from the
// code. A check or a fault added (or its text changed) without
// regenerating fails here.
// Regenerate with: go test ./cmd/lyncprobe -run TestGeneratedDocs -update-docs
func TestGeneratedDocsTables(t *testing.T) {
	for _, s := range []struct{ file, name, table string }{
		{"CHECKS.md", "check-table", checkTable(checks.Registry())},
		{"LAB.md", "fault-table", faultTable(lab.Faults)},
	} {
		path := filepath.Join("..", "..", "docs", s.file)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := replaceGenerated(string(b), s.name, s.table)
		if err != nil {
			t.Fatalf("docs/%s: %v", s.file, err)
		}
		if got == string(b) {
			continue
		}
		if !*updateDocs {
			t.Errorf("docs/%s's %s is stale: regenerate with go test ./cmd/lyncprobe -run TestGeneratedDocs -update-docs", s.file, s.name)
			continue
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestGeneratedDocsTableCells checks that the generator writes what a reader
// needs: every check and every fault has a row, in the code's order, and a
// `|` inside a cell is escaped so the row keeps its columns.
func TestGeneratedDocsTableCells(t *testing.T) {
	table := checkTable([]checks.Check{
		{ID: "a.one", About: checks.About{What: "plain what", Reference: ""}},
		{ID: "a.two", About: checks.About{What: "unused", Reference: "x | y"}},
	})
	want := "| ID | what it checks |\n|---|---|\n| `a.one` | plain what |\n| `a.two` | x \\| y |\n"
	if table != want {
		t.Errorf("checkTable:\n%s\nwant:\n%s", table, want)
	}
	faults := faultTable([]lab.FaultInfo{{Name: "f", Arg: "a|b", Description: "desc",
		Must: []lab.Expect{{ID: "x.y", Status: "fail"}, {ID: "x.y", Status: "fail"}, {ID: "x.z", Status: "warn"}}}})
	wantF := "| fault | what breaks | diagnosed by |\n|---|---|---|\n| `f=a\\|b` | desc | `x.y` fail, `x.z` warn |\n"
	if faults != wantF {
		t.Errorf("faultTable:\n%s\nwant:\n%s", faults, wantF)
	}
	if _, err := replaceGenerated("no markers", "check-table", table); err == nil {
		t.Error("replaceGenerated accepted a page without markers")
	}
}

func checkTable(reg []checks.Check) string {
	var sb strings.Builder
	sb.WriteString("| ID | what it checks |\n|---|---|\n")
	for _, c := range reg {
		text := c.About.Reference
		if text == "" {
			text = c.About.What
		}
		fmt.Fprintf(&sb, "| `%s` | %s |\n", c.ID, cell(text))
	}
	return sb.String()
}

func faultTable(faults []lab.FaultInfo) string {
	var sb strings.Builder
	sb.WriteString("| fault | what breaks | diagnosed by |\n|---|---|---|\n")
	for _, f := range faults {
		breaks := f.Breaks
		if breaks == "" {
			breaks = f.Description
		}
		diag := f.DiagnosedBy
		if diag == "" {
			var must []string
			for _, m := range f.Must {
				if d := "`" + m.ID + "` " + m.Status; !slices.Contains(must, d) {
					must = append(must, d)
				}
			}
			diag = strings.Join(must, ", ")
		}
		fmt.Fprintf(&sb, "| `%s` | %s | %s |\n", cell(f.Usage()), cell(breaks), cell(diag))
	}
	return sb.String()
}

// cell makes text safe inside a Markdown table cell: one line, and a
// literal | escaped.
func cell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

// replaceGenerated puts table between the BEGIN and END GENERATED markers
// named name (the BEGIN line is kept as it is).
func replaceGenerated(doc, name, table string) (string, error) {
	begin := "<!-- BEGIN GENERATED " + name
	end := "<!-- END GENERATED " + name + " -->"
	i := strings.Index(doc, begin)
	j := strings.Index(doc, end)
	if i < 0 || j < i {
		return "", fmt.Errorf("no %q ... %q markers", begin, end)
	}
	nl := strings.IndexByte(doc[i:], '\n')
	if nl < 0 || i+nl >= j {
		return "", fmt.Errorf("the %s markers enclose nothing", name)
	}
	// Blank lines around the table: a Markdown table must not run into the
	// comment lines.
	start := i + nl + 1
	return doc[:start] + "\n" + table + "\n" + doc[j:], nil
}

package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/cli and docs/man from the cobra commands")

// TestGeneratedDocsCurrent keeps the command reference (docs/cli, Markdown)
// and the man pages (docs/man, shipped in the release archives) in step with
// the commands: a flag added without regenerating them fails here.
// Regenerate with: go test ./cmd/lyncprobe -run TestGeneratedDocsCurrent -update-docs
func TestGeneratedDocsCurrent(t *testing.T) {
	tmp := t.TempDir()
	for _, kind := range []string{"cli", "man"} {
		dir := filepath.Join(tmp, kind)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := generateDocs(kind, dir); err != nil {
			t.Fatalf("generate %s: %v", kind, err)
		}
		want := filepath.Join("..", "..", "docs", kind)
		if *updateDocs {
			replaceDir(t, want, dir)
			continue
		}
		compareDirs(t, want, dir)
	}
}

func generateDocs(kind, dir string) error {
	ios, _, _ := testIO()
	root := newRootCmd(ios)
	root.Version = "" // the reference must not depend on the build
	disableAutoGenTag(root)
	if kind == "cli" {
		return doc.GenMarkdownTree(root, dir)
	}
	// A fixed date: the pages must be reproducible, not dated by each run.
	date := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	return doc.GenManTree(root, &doc.GenManHeader{Title: "LYNCPROBE", Section: "1", Date: &date,
		Source: "lyncprobe", Manual: "lyncprobe manual"}, dir)
}

func disableAutoGenTag(c *cobra.Command) {
	c.DisableAutoGenTag = true
	for _, sub := range c.Commands() {
		disableAutoGenTag(sub)
	}
}

func compareDirs(t *testing.T, want, got string) {
	t.Helper()
	gotFiles, _ := filepath.Glob(filepath.Join(got, "*"))
	wantFiles, _ := filepath.Glob(filepath.Join(want, "*"))
	if len(gotFiles) != len(wantFiles) {
		t.Errorf("%s has %d files, the commands make %d: regenerate with -update-docs", want, len(wantFiles), len(gotFiles))
	}
	for _, g := range gotFiles {
		w := filepath.Join(want, filepath.Base(g))
		a, _ := os.ReadFile(g)
		b, err := os.ReadFile(w)
		if err != nil || string(a) != string(b) {
			t.Errorf("%s is stale: regenerate with go test ./cmd/lyncprobe -run TestGeneratedDocsCurrent -update-docs", w)
		}
	}
}

func replaceDir(t *testing.T, dst, src string) {
	t.Helper()
	if err := os.RemoveAll(dst); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
}

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	// The target of an inline Markdown link or image: ](target) or
	// ](target "title").
	linkTarget = regexp.MustCompile(`\]\(([^()\s]+)(?:\s+"[^"]*")?\)`)
	codeSpan   = regexp.MustCompile("`[^`\n]*`")
	heading    = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)
	// What GitHub drops from a heading when it makes the anchor.
	notInAnchor = regexp.MustCompile(`[^\p{L}\p{N}\s_-]`)
)

// repoDocs are the Markdown pages a reader of the repository follows links
// between: the README, BENCHMARKS.md and docs/*.md.
func repoDocs(t *testing.T) []string {
	t.Helper()
	root := filepath.Join("..", "..")
	files, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no docs/*.md (%v)", err)
	}
	return append(files, filepath.Join(root, "README.md"), filepath.Join(root, "BENCHMARKS.md"))
}

// TestDocLinksResolve: every relative link in the README and docs/ names a
// file of the repository, and every #anchor a heading of that page, so
// moving a section between pages cannot leave a dead link behind.
func TestDocLinksResolve(t *testing.T) {
	for _, f := range repoDocs(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, problem := range deadLinks(f, string(b)) {
			t.Error(problem)
		}
	}
}

// TestDeadLinksAreFound: the link checker itself finds a missing file, a
// missing anchor on another page and on its own page, and ignores links
// shown as code and web addresses.
func TestDeadLinksAreFound(t *testing.T) {
	dir := t.TempDir()
	other := "# Other page\n\n## The `serve` flags\n\n```sh\n# not a heading\n```\n"
	if err := os.WriteFile(filepath.Join(dir, "other.md"), []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "page.md")
	doc := "# Page\n\n## Exit codes\n\n" +
		"[ok](other.md) [ok](other.md#the-serve-flags) [ok](#exit-codes) [web](https://example.com/x.md)\n" +
		"`[code](missing.md)`\n```\n[fenced](missing.md)\n```\n" +
		"[gone](missing.md) [anchor](other.md#not-a-heading) [self](#nowhere)\n"
	got := deadLinks(page, doc)
	want := []string{"missing.md", "other.md#not-a-heading", "#nowhere"}
	if len(got) != len(want) {
		t.Fatalf("deadLinks found %d problems, want %d: %q", len(got), len(want), got)
	}
	for i, w := range want {
		if !strings.Contains(got[i], w) {
			t.Errorf("problem %d = %q, want it to name %s", i, got[i], w)
		}
	}
}

// deadLinks lists the relative links of doc (the text of file) whose file
// or anchor does not exist.
func deadLinks(file, doc string) []string {
	var problems []string
	for n, line := range proseLines(doc) {
		for _, m := range linkTarget.FindAllStringSubmatch(codeSpan.ReplaceAllString(line, ""), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			if err := checkLink(file, doc, target); err != nil {
				problems = append(problems, fmt.Sprintf("%s:%d: link %s: %v", file, n+1, target, err))
			}
		}
	}
	return problems
}

// checkLink says why target, a relative link of file (whose text is doc),
// leads nowhere.
func checkLink(file, doc, target string) error {
	path, anchor, _ := strings.Cut(target, "#")
	dest := file
	if path != "" {
		dest = filepath.Join(filepath.Dir(file), filepath.FromSlash(path))
		if _, err := os.Stat(dest); err != nil {
			return fmt.Errorf("no such file")
		}
	}
	if anchor == "" {
		return nil
	}
	if path != "" {
		b, err := os.ReadFile(dest)
		if err != nil {
			return fmt.Errorf("anchor into something unreadable: %v", err)
		}
		doc = string(b)
	}
	if !anchors(doc)[anchor] {
		return fmt.Errorf("%s has no heading with anchor #%s", filepath.Base(dest), anchor)
	}
	return nil
}

// proseLines is doc line by line with the lines of fenced code blocks
// blanked (a "# comment" in a shell block is not a heading, and a link
// there is not followed), so line numbers stay those of the file.
func proseLines(doc string) []string {
	lines := strings.Split(doc, "\n")
	inFence := false
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			inFence = !inFence
			lines[i] = ""
			continue
		}
		if inFence {
			lines[i] = ""
		}
	}
	return lines
}

// anchors are the anchors GitHub gives the headings of doc: lower case,
// punctuation dropped, spaces made hyphens, and -1, -2 … on repeats.
func anchors(doc string) map[string]bool {
	seen := map[string]int{}
	out := map[string]bool{}
	for _, l := range proseLines(doc) {
		m := heading.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		a := strings.ReplaceAll(notInAnchor.ReplaceAllString(strings.ToLower(m[1]), ""), " ", "-")
		if k := seen[a]; k > 0 {
			out[fmt.Sprintf("%s-%d", a, k)] = true
		} else {
			out[a] = true
		}
		seen[a]++
	}
	return out
}

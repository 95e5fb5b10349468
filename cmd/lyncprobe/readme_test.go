package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// readmeCommand is a command line of README's "Two commands" block, with
// its comment.
var readmeCommand = regexp.MustCompile(`(?m)^(go (?:run|test) [^#\n]*?)\s*#`)

// TestCIRunsTheReadmeTestCommand: README gives a newcomer two commands, one
// running the lab check and one running the tests, and .ci/run runs the
// tests with exactly the command README gives, on a line of its own.
func TestCIRunsTheReadmeTestCommand(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Two commands\n")
	if !ok {
		t.Fatal(`README.md has no "## Two commands" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var cmds []string
	for _, m := range readmeCommand.FindAllStringSubmatch(section, -1) {
		cmds = append(cmds, m[1])
	}
	if len(cmds) != 2 || !strings.Contains(cmds[0], "check --lab") || !strings.HasPrefix(cmds[1], "go test ") {
		t.Fatalf("README's two commands = %q, want a check --lab and a go test", cmds)
	}
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(ci), "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	if !slices.Contains(lines, cmds[1]) {
		t.Errorf(".ci/run has no line %q, README's test command", cmds[1])
	}
}

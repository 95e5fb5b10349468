package main

import (
	"os"
	"regexp"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestGitHubActionMatchesTheCommands keeps action.yml honest: every input
// it reads is declared, and the commands and flags it runs exist.
func TestGitHubActionMatchesTheCommands(t *testing.T) {
	b, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Inputs map[string]struct{ Default string }
		Runs   struct{ Using string }
	}
	if err := yaml.Unmarshal(b, &action); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if action.Runs.Using != "composite" {
		t.Errorf("runs.using = %q, want composite", action.Runs.Using)
	}
	for _, m := range regexp.MustCompile(`inputs\.([a-z-]+)`).FindAllStringSubmatch(string(b), -1) {
		if _, ok := action.Inputs[m[1]]; !ok {
			t.Errorf("action.yml reads inputs.%s, which it does not declare", m[1])
		}
	}
	ios, _, _ := testIO()
	root := newRootCmd(ios)
	for _, name := range []string{"validate", "check"} {
		cmd, _, err := root.Find([]string{name})
		if err != nil || cmd.Name() != name {
			t.Fatalf("the action runs %q, which is not a command", name)
		}
		for _, flag := range []string{"config", "output"} {
			if cmd.Flags().Lookup(flag) == nil {
				t.Errorf("the action passes --%s to %s, which has no such flag", flag, name)
			}
		}
	}
	if action.Inputs["command"].Default != "validate" {
		t.Errorf("the default command is %q: validate is the one that needs no network", action.Inputs["command"].Default)
	}
}

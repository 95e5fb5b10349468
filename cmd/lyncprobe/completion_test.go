package main

import (
	"context"
	"strings"
	"testing"
)

// TestCompletion asks the completion cobra's shell scripts ask.
func TestCompletion(t *testing.T) {
	cases := map[string][]string{
		"__complete check --format ":         {"json", "sarif", "junit"},
		"__complete validate --only dns,c":   {"dns,cert"},
		"__complete explain http.h":          {"http.host-forwarding"},
		"__complete check --lab --fault mis": {"missing-dns=", "no-host-forward"},
	}
	for args, want := range cases {
		ios, out, _ := testIO()
		fields := strings.Fields(args)
		if strings.HasSuffix(args, " ") {
			fields = append(fields, "")
		}
		run(context.Background(), fields, ios)
		for _, w := range want {
			if !strings.Contains(out.String(), w+"\n") {
				t.Errorf("%s: no %q in\n%s", args, w, out)
			}
		}
	}
}

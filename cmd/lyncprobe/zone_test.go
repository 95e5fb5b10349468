package main

import (
	"context"
	"strings"
	"testing"
)

func TestZoneFileFlag(t *testing.T) {
	cases := map[string]string{
		"--zone-file a.zone --zone-file b.zone": "",
		"--zone-file a.zone --only dns":         "",
		"--zone-file a.zone --lab":              "--zone-file and --lab exclude each other",
		"--zone-file a.zone --resolver 1.1.1.1": "--zone-file and --resolver exclude each other",
		"--zone-file a.zone --only dns,http":    "--zone-file runs only the dns module",
	}
	for args, wantErr := range cases {
		t.Run(args, func(t *testing.T) {
			ios, _, _ := testIO()
			var got *checkOptions
			cmd := newCmdCheck(ios, func(_ context.Context, o *checkOptions) error { got = o; return nil })
			cmd.SetArgs(strings.Fields(args))
			cmd.SetOut(ios.Out)
			cmd.SetErr(ios.ErrOut)
			err := cmd.Execute()
			if wantErr == "" {
				if err != nil || len(got.ZoneFiles) == 0 {
					t.Fatalf("err %v, options %+v", err, got)
				}
				return
			}
			if _, usage := err.(usageError); !usage || !strings.Contains(err.Error(), wantErr) {
				t.Fatalf("want a usage error containing %q, got %v", wantErr, err)
			}
		})
	}
}

package main

import (
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
			got, err := parseOptions(args, newCmdCheck)
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

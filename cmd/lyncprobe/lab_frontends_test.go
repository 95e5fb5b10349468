package main

import (
	"errors"
	"strings"
	"testing"
)

func TestLabFrontEndsFlags(t *testing.T) {
	cases := map[string]struct {
		args    string
		wantErr string
		check   func(*labFrontEndsOptions) bool
	}{
		"defaults": {args: "", check: func(o *labFrontEndsOptions) bool {
			return len(o.Listen) == 0 && o.PublicPort == 443 && o.Version == "sfb2019" && !o.ProxyCert
		}},
		"listen twice": {args: "--listen 127.0.0.1:4443 --listen 127.0.0.2:4443 --public-port 8443 --proxy-cert", check: func(o *labFrontEndsOptions) bool {
			return len(o.Listen) == 2 && o.PublicPort == 8443 && o.ProxyCert
		}},
		"cert without key": {args: "--cert fe.pem", wantErr: "--cert and --key go together"},
		"bad version":      {args: "--version ocs2007", wantErr: `--version "ocs2007"`},
		"bad port":         {args: "--public-port 70000", wantErr: "--public-port"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := parseOptions(c.args, newCmdLabFrontEnds)
			if c.wantErr != "" {
				var ue usageError
				if err == nil || !errors.As(err, &ue) || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want a usage error with %q", err, c.wantErr)
				}
				return
			}
			if err != nil || got == nil || !c.check(got) {
				t.Fatalf("err = %v, options %+v", err, got)
			}
		})
	}
}

func TestLabFrontEndsIsUnderLab(t *testing.T) {
	ios, _, _ := testIO()
	cmd, _, err := newRootCmd(ios).Find([]string{"lab", "frontends"})
	if err != nil || cmd.Name() != "frontends" {
		t.Fatalf("lyncprobe lab frontends: %v (found %q)", err, cmd.Name())
	}
}

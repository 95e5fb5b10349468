package config

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestSplitHostPort(t *testing.T) {
	tests := []struct {
		in      string
		defPort int
		want    string
		problem string
	}{
		{"fe01.contoso.com:4443", 0, "fe01.contoso.com:4443", ""},
		{"FE01.Contoso.com.:4443", 0, "fe01.contoso.com:4443", ""},
		{"fe01", 53, "fe01:53", ""}, // single-label internal names are fine here
		{"10.0.0.1", 53, "10.0.0.1:53", ""},
		{"[2001:DB8::1]", 53, "[2001:db8::1]:53", ""},
		{"[2001:db8::1]:5353", 0, "[2001:db8::1]:5353", ""},
		{"fe01.contoso.com", 0, "", "must be host:port"},
		{"[2001:db8::1]", 0, "", "must be host:port"},
		{"", 53, "", "must be host or host:port"},
		{"[fe01]:443", 0, "", "must be host:port"},
		{"[2001:db8::1", 53, "", "must be host or host:port"},
		{"2001:db8::1", 53, "", "IPv6 addresses must be in brackets, e.g. [2001:db8::1]:443"},
		{"fe01:0", 0, "", "port must be between 1 and 65535"},
		{"fe01:65536", 0, "", "port must be between 1 and 65535"},
		{"fe01:http", 0, "", "port must be between 1 and 65535"},
		{"fe_01:443", 0, "", "host must be an IP address or a valid DNS name"},
		{":443", 0, "", "must be host:port"},
	}
	for _, tt := range tests {
		got, problem := splitHostPort(tt.in, tt.defPort)
		if got != tt.want || problem != tt.problem {
			t.Errorf("splitHostPort(%q, %d) = %q, %q; want %q, %q", tt.in, tt.defPort, got, problem, tt.want, tt.problem)
		}
	}
}

func TestFQDNProblem(t *testing.T) {
	tests := map[string]string{
		"webext.contoso.com":             "",
		"a-b.c0.example":                 "",
		"":                               "must not be empty",
		"https://webext.contoso.com":     "must be a host name, not a URL",
		"webext.contoso.com/":            "must be a host name, not a URL",
		"203.0.113.1":                    "must be a DNS name, not an IP address",
		"2001:db8::1":                    "must be a DNS name, not an IP address",
		"webext.contoso.com:443":         "must not contain a port",
		"-webext.contoso.com":            "must be a valid DNS name",
		"webext..contoso.com":            "must be a valid DNS name",
		"web_ext.contoso.com":            "must be a valid DNS name",
		"10.0.0.300":                     "must be a valid DNS name",
		"webext":                         "must be a fully qualified DNS name (at least two labels)",
		strings.Repeat("a", 64) + ".com": "must be a valid DNS name",
	}
	for in, want := range tests {
		if got := fqdnProblem(in); got != want {
			t.Errorf("fqdnProblem(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidHeaderName(t *testing.T) {
	for in, want := range map[string]bool{
		"X-MS-Server-Fqdn": true,
		"x_custom.header~": true,
		"":                 false,
		"X MS":             false,
		"X-MS:":            false,
		"Ünicode":          false,
	} {
		if got := validHeaderName(in); got != want {
			t.Errorf("validHeaderName(%q) = %v, want %v", in, got, want)
		}
	}
}

// level shows that a field whose type implements yaml.Unmarshaler is
// decoded by its own method, and that its error keeps the key and line.
type level int

func (v *level) UnmarshalYAML(n *yaml.Node) error {
	switch n.Value {
	case "low":
		*v = 1
	case "high":
		*v = 2
	default:
		return errors.New("must be low or high")
	}
	return nil
}

func TestDecodeUnmarshaler(t *testing.T) {
	var out struct {
		Levels []level `yaml:"levels"`
		Count  *int    `yaml:"count"`
	}
	var root yaml.Node
	if err := yaml.Unmarshal([]byte("levels: [low, high,\n  odd]\ncount: 3\n"), &root); err != nil {
		t.Fatal(err)
	}
	l := newLoader(context.Background(), "t.yaml")
	l.decode(root.Content[0], reflect.ValueOf(&out).Elem(), "")
	if len(l.errs) != 1 || l.errs.Error() != "t.yaml:2: levels[2]: must be low or high" {
		t.Errorf("errors = %v", l.errs)
	}
	if len(out.Levels) != 3 || out.Levels[0] != 1 || out.Levels[1] != 2 || out.Count == nil || *out.Count != 3 {
		t.Errorf("decoded %v, count %v", out.Levels, out.Count)
	}
}

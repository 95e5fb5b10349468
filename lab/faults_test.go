package lab

import (
	"strings"
	"testing"
)

func TestParseFault(t *testing.T) {
	good := map[string]FaultSpec{
		"missing-dns=dialin":              {Name: "missing-dns", Arg: "dialin"},
		"missing-dns=dialin.contoso.test": {Name: "missing-dns", Arg: "dialin.contoso.test"},
		" missing-dns = meet ":            {Name: "missing-dns", Arg: "meet"},
	}
	for in, want := range good {
		got, err := ParseFault(in)
		if err != nil || got != want {
			t.Errorf("ParseFault(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "no-such-fault", "missing-dns", "missing-dns=", "missing-dns=nosuchname", "missing-dns=www.example.com"} {
		_, err := ParseFault(in)
		if err == nil {
			t.Errorf("ParseFault(%q) accepted it", in)
			continue
		}
		if !strings.Contains(err.Error(), "missing-dns=NAME") && !strings.Contains(err.Error(), "not a lab name") {
			t.Errorf("ParseFault(%q): %v; want the valid faults or names listed", in, err)
		}
	}
}

func TestFaultSetNormalisesNames(t *testing.T) {
	fs, err := newFaultSet([]FaultSpec{{Name: "missing-dns", Arg: "DIALIN"}, {Name: "missing-dns", Arg: "meet.contoso.test."}})
	if err != nil {
		t.Fatal(err)
	}
	if !fs.has("missing-dns") || !fs.hasArg("missing-dns", DialinHost) || !fs.hasArg("missing-dns", MeetHost) {
		t.Errorf("fault set %v", fs)
	}
	if fs.arg("missing-dns") != DialinHost || fs.has("other") || fs.arg("other") != "" {
		t.Errorf("fault set %v", fs)
	}
}

// TestFaultTableIsComplete: every fault can be parsed from its own example
// and says what must diagnose it.
func TestFaultTableIsComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Faults {
		if seen[f.Name] {
			t.Errorf("fault %s listed twice", f.Name)
		}
		seen[f.Name] = true
		spec := FaultSpec{Name: f.Name, Arg: f.Example}
		if _, err := ParseFault(spec.String()); err != nil {
			t.Errorf("%s: its example does not parse: %v", f.Name, err)
		}
		if f.Description == "" || len(f.Must) == 0 {
			t.Errorf("%s: no description or no diagnosis", f.Name)
		}
		for _, m := range f.Must {
			if m.Status != "fail" && m.Status != "warn" {
				t.Errorf("%s: must %s with status %q", f.Name, m.ID, m.Status)
			}
		}
		if (f.Arg == "") != (f.kind == argNone) {
			t.Errorf("%s: placeholder %q disagrees with its argument kind", f.Name, f.Arg)
		}
	}
}

package checks

import (
	"testing"

	"github.com/lyncprobe/lyncprobe/proxyconf"
)

// How a site's names match a published name, per family's syntax.
func TestServed(t *testing.T) {
	for _, tc := range []struct {
		site, name string
		want       bool
	}{
		{"meet.contoso.com", "meet.contoso.com", true},
		{"*", "dialin.contoso.com", true},
		{"*.contoso.com", "meet.contoso.com", true},
		{"*.contoso.com", "a.meet.contoso.com", false}, // nginx: one label
		{".contoso.com", "contoso.com", true},
		{".contoso.com", "a.meet.contoso.com", true},
		{`~^(meet|dialin)\.contoso\.com$`, "dialin.contoso.com", true},
		{`~^(meet|dialin)\.contoso\.com$`, "webext.contoso.com", false},
		{"meet.contoso.com", "meet.contoso.co", false},
	} {
		s := &proxyconf.Site{Names: []proxyconf.Value{{Value: tc.site}}}
		if _, got := served(s, tc.name); got != tc.want {
			t.Errorf("site %q serves %s: %v, want %v", tc.site, tc.name, got, tc.want)
		}
	}
}

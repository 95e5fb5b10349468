package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/lyncprobe/lyncprobe/result"
)

// TestTextPutsTheDetectedProxyFirst: with the answering proxy known, the
// text report gives its fix and collapses the other families to names.
func TestTextPutsTheDetectedProxyFirst(t *testing.T) {
	r := result.Result{ID: "http.preauth", Module: "http", Target: "https://webext.contoso.com/abs/handler", Status: result.Fail,
		Message: "the reverse proxy pre-authenticates /abs/handler", Remedy: "nginx (detected from Server: nginx/1.22.1): No auth_request or login redirect on these names. Publish the Lync/SfB names with pass-through. TMG: … nginx: …",
		Proxy: "nginx", ProxyFrom: "Server: nginx/1.22.1",
		Fixes: []result.Fix{{Family: "nginx", Name: "nginx", Text: "No auth_request or login redirect on these names."},
			{Family: "tmg", Name: "Forefront TMG", Text: "No Authentication."}, {Family: "wap", Name: "Web Application Proxy", Text: "PassThrough."}}}
	var buf bytes.Buffer
	if err := Text(&buf, Report{Deployment: "x", Results: []result.Result{r}}, Options{}); err != nil {
		t.Fatal(err)
	}
	out := strings.Join(strings.Fields(buf.String()), " ") // the report wraps at 80 columns
	for _, want := range []string{"Fix: Publish the Lync/SfB names with pass-through. nginx (detected from Server: nginx/1.22.1): No auth_request", "Other proxies: Forefront TMG, Web Application Proxy"} {
		if !strings.Contains(out, want) {
			t.Errorf("the text report does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "No Authentication.") {
		t.Errorf("the other families' fixes are not collapsed:\n%s", out)
	}
}

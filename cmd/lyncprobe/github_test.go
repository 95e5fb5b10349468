package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lyncprobe/lyncprobe/report"
)

// offlineFixture writes a config and a zone that fails dns.expected-address,
// so the run has findings to annotate, and returns the config's path.
func offlineFixture(t *testing.T) (dir string) {
	t.Helper()
	dir = t.TempDir()
	files := map[string]string{
		"lyncprobe.yaml": `name: offline
sip_domains: [contoso.test]
web_services: [{external: webext.contoso.test}]
simple_urls:
  meet: [https://meet.contoso.test]
  dialin: https://dialin.contoso.test
reverse_proxy:
  addresses: [203.0.113.10]
dns:
  zone_file: wrong.zone
`,
		"wrong.zone": `$TTL 300
@            IN SOA ns1 hostmaster 1 3600 600 86400 300
webext       IN A   203.0.113.10
meet         IN A   203.0.113.99
dialin       IN A   203.0.113.10
lyncdiscover IN A   203.0.113.10
_sip._tls    IN SRV 0 0 443 sip
sip          IN A   203.0.113.10
`,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestGitHubActionsKeepsStdoutParseable runs check and validate in every
// format as a GitHub Actions job would (GITHUB_ACTIONS=true) and parses
// stdout with a real parser: the annotations go to stderr, never after
// the document.
func TestGitHubActionsKeepsStdoutParseable(t *testing.T) {
	dir := offlineFixture(t)
	cfg := filepath.Join(dir, "lyncprobe.yaml")
	zone := filepath.Join(dir, "wrong.zone")
	commands := map[string][]string{
		"check":    {"check", "-c", cfg, "--zone-file", zone},
		"validate": {"validate", "-c", cfg},
	}
	for name, args := range commands {
		for _, format := range report.Formats {
			t.Run(name+"/"+format, func(t *testing.T) {
				t.Parallel()
				ios, out, errOut := testIO()
				ios.GitHubActions = true
				ios.StepSummary = filepath.Join(t.TempDir(), "summary.md")
				code := run(context.Background(), append(append([]string{}, args...), "--format", format), ios)
				if code != exitFailed {
					t.Fatalf("exit %d, want 1\nstderr:\n%s", code, errOut)
				}
				if err := parseFormat(format, out.Bytes()); err != nil {
					t.Fatalf("stdout is not one %s document: %v\n%s", format, err, out)
				}
				if strings.Contains(out.String(), "::error") {
					t.Fatalf("an annotation reached stdout:\n%s", out)
				}
				if !strings.Contains(errOut.String(), "::error ") || !strings.Contains(errOut.String(), "title=dns.expected-address meet.contoso.test::") {
					t.Fatalf("stderr lacks the annotation:\n%s", errOut)
				}
			})
		}
	}
}

// parseFormat fails unless b is exactly one document of format.
func parseFormat(format string, b []byte) error {
	switch format {
	case "json", "sarif":
		return oneJSON(b)
	case "jsonl":
		for _, line := range bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n")) {
			if err := oneJSON(line); err != nil {
				return err
			}
		}
		return nil
	case "junit":
		return oneXML(b)
	case "html":
		if !bytes.HasSuffix(bytes.TrimSpace(b), []byte("</html>")) {
			return errors.New("does not end with </html>")
		}
		return nil
	}
	// text and markdown have no grammar: no line may be a workflow command.
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "::") {
			return errors.New("holds a workflow command: " + line)
		}
	}
	return nil
}

func oneJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("extra data after the document")
	}
	return nil
}

// oneXML decodes the whole input: one root element, nothing after it but
// white space (encoding/xml alone accepts trailing text, so it is checked).
func oneXML(b []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(b))
	depth, roots := 0, 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(tok)) > 0 {
				return errors.New("text outside the root element: " + string(tok))
			}
		}
	}
	if roots != 1 {
		return errors.New("want one root element")
	}
	return nil
}

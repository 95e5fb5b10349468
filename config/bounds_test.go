//go:build unix

package config

import (
	"context"
	"errors"
	"github.com/lyncprobe/lyncprobe/internal/fifotest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const minimalYAML = "sip_domains: [contoso.com]\nweb_services: [{external: webext.contoso.com}]\n" +
	"simple_urls: {meet: [https://meet.contoso.com], dialin: https://dialin.contoso.com}\n"

// An alias bomb through real fields (a list of backends aliased into
// every web service) is refused with one clear error, and fast; a config
// that reuses a block a few times still loads.
func TestYAMLAliasBombIsRefused(t *testing.T) {
	backends := strings.TrimSuffix(strings.Repeat("b.contoso.com:4443, ", 300), ", ")
	ws := strings.TrimSuffix(strings.Repeat("*w, ", 300), ", ")
	bomb := "sip_domains: [contoso.com]\nweb_services: [&w {external: webext.contoso.com, backends: [" + backends + "]}, " + ws + "]\n" +
		"simple_urls: {meet: [https://meet.contoso.com], dialin: https://dialin.contoso.com}\n"
	_, err := Parse([]byte(bomb), "bomb.yaml")
	if err == nil || !strings.Contains(err.Error(), "bomb.yaml:2: YAML aliases expand to more than 10000 values") {
		t.Fatalf("an alias bomb: got %v, want one error saying the aliases expand too far", firstLine(err))
	}
	if n := strings.Count(err.Error(), "\n"); n > 0 {
		t.Errorf("an alias bomb gave %d more lines of errors; want one", n)
	}

	reuse := "sip_domains: [contoso.com]\n" +
		"web_services:\n  - {external: webext.contoso.com, backends: &be [fe01.contoso.local:4443, fe02.contoso.local:4443]}\n" +
		"  - {external: webext2.contoso.com, backends: *be}\n" +
		"simple_urls: {meet: &meet [https://meet.contoso.com], dialin: https://dialin.contoso.com}\nlyncdiscover: [lyncdiscover.contoso.com]\n"
	d, err := Parse([]byte(reuse), "reuse.yaml")
	if err != nil {
		t.Fatalf("a config reusing a block: %v", err)
	}
	if got := d.WebServices[1].Backends; len(got) != 2 || got[1] != "fe02.contoso.local:4443" {
		t.Errorf("the aliased backends read as %v", got)
	}
}

func firstLine(err error) string {
	if err == nil {
		return "<nil>"
	}
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

const secret = "hunter2-ci-token-0xdeadbeef"

// A zone file that is really an environment (--zone-file
// /proc/self/environ) or a .env file fails naming the file and the line,
// and the error holds no secret: only a short plain token is quoted.
func TestZoneErrorsDoNotQuoteTheFile(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"environ":  "PATH=/usr/bin\x00CI_SECRET_TOKEN=" + secret + "\x00HOME=/root\x00",
		"dot.env":  "SECRET=" + secret + "\n",
		"late.env": "$ORIGIN contoso.com.\n@ SOA ns h 1 2 3 4 5\nmeet A 203.0.113.10\nmeet TXT x\nAPI_KEY=" + secret + "\n",
		"in.rdata": "$ORIGIN contoso.com.\n@ SOA ns h 1 2 3 4 5\nmeet A " + secret + "\n",
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := ReadZone(context.Background(), path, "contoso.com")
		var ze *Error
		if !errors.As(err, &ze) {
			t.Fatalf("%s: got %v, want a parse error", name, err)
		}
		if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "PATH=") {
			t.Errorf("%s: the error quotes the file: %s", name, err)
		}
		if !strings.HasPrefix(err.Error(), path+":") || ze.Line < 1 {
			t.Errorf("%s: %q does not name the file and line", name, err)
		}
	}
	// a short plain token is still shown: it says what was wrong
	path := filepath.Join(dir, "typo.zone")
	os.WriteFile(path, []byte("$ORIGIN contoso.com.\n@ 3600x SOA ns h 1 2 3 4 5\n"), 0o600)
	if _, err := ReadZone(context.Background(), path, ""); err == nil || !strings.Contains(err.Error(), `typo.zone:2: not a TTL: "3600x"`) {
		t.Errorf("a TTL typo: got %v, want the token shown", err)
	}
}

// A "config" that is a .env file, or YAML with secret keys, fails without
// printing the secret: values are never quoted, odd keys only by length.
func TestConfigErrorsDoNotQuoteTheFile(t *testing.T) {
	for name, body := range map[string]string{
		"dot.env":      "SECRET=" + secret + "\nOTHER=" + secret + "\n",
		"key.yaml":     minimalYAML + "SECRET=" + secret + ": 1\n",
		"certkey.yaml": minimalYAML + "tls: {certificate_files: [{path: a.pem, PASSWORD=" + secret + ": x}]}\n",
		"value.yaml":   minimalYAML + "reverse_proxy: {port: " + secret + "}\n",
		"nul.yaml":     "sip_domains: [contoso.com]\x00SECRET=" + secret + "\n",
		"anchor.yaml":  "a: *SECRET_" + secret + "\n",
	} {
		_, err := Parse([]byte(body), name)
		if err == nil {
			t.Fatalf("%s: loaded", name)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: the error quotes the file: %s", name, err)
		}
		if !strings.HasPrefix(err.Error(), name+":") {
			t.Errorf("%s: %q does not name the file", name, err)
		}
	}
}

// A FIFO named as the config, its zone file or a certificate file is
// refused by name at once: opening a FIFO waits for a writer for ever.
func TestFIFOsAreRefusedNotWaitedFor(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := fifotest.Make(fifo); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	write := func(name, yaml string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(yaml), 0o600)
		return p
	}
	for _, path := range []string{
		fifo,
		write("zone.yaml", minimalYAML+"dns: {zone_file: pipe}\n"),
		write("cert.yaml", minimalYAML+"tls: {certificate_files: [pipe]}\n"),
		write("pw.yaml", minimalYAML+"tls: {certificate_files: [{path: zone.yaml, password_file: pipe}]}\n"),
	} {
		done := make(chan error, 1)
		go func() { _, err := Load(path); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), fifo) || !strings.Contains(err.Error(), "not a regular file") {
				t.Errorf("%s: got %v, want the FIFO named as not a regular file", filepath.Base(path), err)
			}
		case <-time.After(20 * time.Second): // only reached when the fix is gone
			t.Fatalf("%s: Load is still waiting on the FIFO", filepath.Base(path))
		}
	}
}

// Loading ends with the context: Ctrl-C and --timeout reach every read.
func TestLoadContextEnds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lyncprobe.yaml")
	os.WriteFile(path, []byte(minimalYAML), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := LoadContext(ctx, path); !errors.Is(err, context.Canceled) {
		t.Errorf("LoadContext with a cancelled context = %v, want context.Canceled", err)
	}
	if _, err := ReadZone(ctx, path, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("ReadZone with a cancelled context = %v, want context.Canceled", err)
	}
}

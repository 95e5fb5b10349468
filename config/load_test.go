package config

import (
	"context"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the .err files of testdata/config/bad from the current output")

const testdataDir = "../testdata/config"

// TestBadFiles loads each bad/*.yaml and compares the error text with the
// sibling .err file. In .err files $FILE stands for the path given to Load
// and $DIR for the absolute path of testdata/config, so the expectation
// holds wherever the repository is checked out.
func TestBadFiles(t *testing.T) {
	dir := filepath.Join(testdataDir, "bad")
	absDir, err := filepath.Abs(testdataDir)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no bad files")
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		t.Run(name, func(t *testing.T) {
			d, err := Load(path)
			if err == nil {
				t.Fatalf("Load succeeded: %+v", d)
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error is %T, want Errors: %v", err, err)
			}
			got := strings.NewReplacer(path, "$FILE", absDir, "$DIR").Replace(err.Error()) + "\n"
			golden := strings.TrimSuffix(path, ".yaml") + ".err"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("error text (-want +got):\n%s", diff)
			}
		})
	}
}

// Every .err file must belong to a .yaml file, or a renamed case would
// silently stop being tested.
func TestBadFilesPaired(t *testing.T) {
	errFiles, _ := filepath.Glob(filepath.Join(testdataDir, "bad", "*.err"))
	for _, e := range errFiles {
		if _, err := os.Stat(strings.TrimSuffix(e, ".err") + ".yaml"); err != nil {
			t.Errorf("%s has no .yaml file", e)
		}
	}
}

func TestErrorsInFileOrder(t *testing.T) {
	_, err := Load(filepath.Join(testdataDir, "bad", "several.yaml"))
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("error is %T, want Errors", err)
	}
	if len(errs) < 2 {
		t.Fatalf("got %d errors, want several", len(errs))
	}
	for i := 1; i < len(errs); i++ {
		if errs[i].Line < errs[i-1].Line {
			t.Errorf("error %d (line %d) comes after line %d", i, errs[i].Line, errs[i-1].Line)
		}
	}
	var one *Error
	if !errors.As(err, &one) || one != errs[0] {
		t.Errorf("errors.As(*Error) = %v, want the first error", one)
	}
}

func TestErrorText(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&Error{File: "lyncprobe.yaml", Line: 7, Key: "simple_urls.dialin", Msg: "must be an https URL"},
			"lyncprobe.yaml:7: simple_urls.dialin: must be an https URL"},
		{&Error{File: "x.yaml", Line: 1, Msg: "empty config file"}, "x.yaml:1: empty config file"},
		{Errors{{File: "a", Line: 1, Key: "k", Msg: "m"}}, "a:1: k: m"},
		{Errors{{File: "a", Line: 1, Key: "k", Msg: "m"}, {File: "a", Line: 2, Key: "j", Msg: "n"}}, "a:1: k: m\na:2: j: n"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := Load(path)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want fs.ErrNotExist", err)
	}
	if want := path + ": cannot read config file: no such file or directory"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}

// The example in the package is the format's reference: it must load, and
// the copy in testdata must not drift from it.
func TestExample(t *testing.T) {
	full := filepath.Join(testdataDir, "full.yaml")
	data, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ExampleYAML, string(data)); diff != "" {
		t.Errorf("%s differs from ExampleYAML (-ExampleYAML +file):\n%s", full, diff)
	}

	// Parse the constant itself in a fresh folder holding the CA files it names.
	tmp := t.TempDir()
	for _, name := range []string{"ca.pem", "backend-ca.pem", "contoso.com.zone", "rp-chain.pem", "rp.pfx", "nginx-lync.conf", "lb.cfg"} {
		pem, err := os.ReadFile(filepath.Join(testdataDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tmp, name), pem, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, err := Parse([]byte(ExampleYAML), filepath.Join(tmp, "lyncprobe.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if d.TLS.CAFile != filepath.Join(tmp, "ca.pem") {
		t.Errorf("ca_file = %q, want it in %s", d.TLS.CAFile, tmp)
	}
	assertEveryKeySet(t, d)
}

// assertEveryKeySet fails for each yaml key of Deployment that the example
// leaves out, so that a new key cannot go undocumented.
func assertEveryKeySet(t *testing.T, d *Deployment) {
	t.Helper()
	for _, key := range typeKeys(reflect.TypeFor[Deployment](), "") {
		if d.Line(key) == 0 {
			t.Errorf("ExampleYAML does not set %s", key)
		}
	}
}

// typeKeys lists the dotted keys of struct type t; a list of structs
// contributes the keys of its first item.
func typeKeys(t reflect.Type, prefix string) []string {
	var out []string
	for name, i := range yamlFields(t) {
		key := joinKey(prefix, name)
		out = append(out, key)
		ft := t.Field(i).Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case reflect.PointerTo(ft).Implements(unmarshalerType),
			ft.Kind() == reflect.Slice && reflect.PointerTo(ft.Elem()).Implements(unmarshalerType):
			// decodes itself (e.g. CertificateFile): the loader sees no inner keys
		case ft.Kind() == reflect.Struct:
			out = append(out, typeKeys(ft, key)...)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			out = append(out, typeKeys(ft.Elem(), indexKey(key, 0))...)
		}
	}
	return out
}

// Corner cases too small to deserve a file each.
func TestParseSmall(t *testing.T) {
	const ok = "sip_domains: [contoso.com]\n" +
		"web_services: [{external: webext.contoso.com}]\n" +
		"simple_urls: {meet: [https://meet.contoso.com], dialin: https://dialin.contoso.com}\n"
	tests := []struct {
		name, src, want string
	}{
		{"null document", "~\n", "x.yaml:1: empty config file"},
		{"document marker only", "---\n", "x.yaml:1: empty config file"},
		{"scalar document", "hello\n", "x.yaml:1: the config file must be a YAML mapping of keys to values"},
		{"complex key", ok + "? [a]\n: b\n", "x.yaml:4: keys must be plain names"},
		{"int overflow", ok + "reverse_proxy: {port: 99999999999999999999}\n", "x.yaml:4: reverse_proxy.port: must be an integer"},
		{"float port", ok + "reverse_proxy: {port: 443.0}\n", "x.yaml:4: reverse_proxy.port: must be an integer"},
		{"list for int", ok + "tls:\n  warn_days: [1]\n", "x.yaml:5: tls.warn_days: must be an integer"},
		{"syntax in second document", ok + "---\n[\n", "x.yaml:5: did not find expected node content"},
		{"empty simple_urls mapping", "sip_domains: [contoso.com]\nweb_services: [{external: webext.contoso.com}]\nsimple_urls: {}\n",
			"x.yaml:3: simple_urls.meet: required\nx.yaml:3: simple_urls.dialin: required"},
		{"relative path_map key", ok + "reverse_proxy:\n  path_map: {etc/ssl: certs}\n", "x.yaml:5: reverse_proxy.path_map: etc/ssl: must be an absolute path, as the proxy host names it"},
		{"path_map not a mapping", ok + "reverse_proxy:\n  path_map: [a]\n", "x.yaml:5: reverse_proxy.path_map: must be a mapping of proxy host folders to local folders"},
		{"path_map to a list", ok + "reverse_proxy:\n  path_map: {/etc/ssl: [a]}\n", "x.yaml:5: reverse_proxy.path_map: /etc/ssl: must map a folder to a folder"},
		// One problem per key: the repeat is not reported again.
		{"repeated unknown key", ok + "fooo: 1\nfooo: 2\n", "x.yaml:4: fooo: unknown key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src), "x.yaml")
			if err == nil {
				t.Fatal("Parse succeeded")
			}
			if err.Error() != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", err, tt.want)
			}
		})
	}
}

// A null value counts as absent for defaults.
func TestNullTakesDefault(t *testing.T) {
	src := "sip_domains: [contoso.com]\n" +
		"web_services: [{external: webext.contoso.com}]\n" +
		"simple_urls: {meet: [https://meet.contoso.com], dialin: https://dialin.contoso.com}\n" +
		"reverse_proxy: {port: ~, http_port: ~}\nedge: ~\nversion:\n"
	d, err := Parse([]byte(src), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if d.ReverseProxy.Port != DefaultPort || d.ReverseProxy.HTTPPublishedPort() != DefaultHTTPPort || d.Edge != nil || d.Version != DefaultVersion {
		t.Errorf("got port %d, http %d, edge %v, version %q", d.ReverseProxy.Port, d.ReverseProxy.HTTPPublishedPort(), d.Edge, d.Version)
	}
}

// path_map folders and a config file's root are relative to the config's
// folder; a root must be a folder.
func TestProxyPathsRelativeToConfig(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "deploy", "nginx"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "deploy", "nginx", "nginx.conf"), []byte("events {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := "sip_domains: [contoso.com]\nweb_services: [{external: webext.contoso.com}]\n" +
		"simple_urls: {meet: [https://meet.contoso.com], dialin: https://dialin.contoso.com}\n" +
		"reverse_proxy:\n  config_files:\n    - {path: deploy/nginx/nginx.conf, root: deploy}\n  path_map: {/etc/ssl/lync: certs}\n"
	d, err := Parse([]byte(src), filepath.Join(dir, "x.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := d.ReverseProxy.ConfigFiles[0].Root; got != filepath.Join(dir, "deploy") {
		t.Errorf("root %q", got)
	}
	if got := d.ReverseProxy.PathMap["/etc/ssl/lync"]; got != filepath.Join(dir, "certs") {
		t.Errorf("path_map %q", got)
	}
	_, err = Parse([]byte(strings.Replace(src, "root: deploy", "root: nowhere", 1)), filepath.Join(dir, "x.yaml"))
	if err == nil || !strings.Contains(err.Error(), "reverse_proxy.config_files[0].root: "+filepath.Join(dir, "nowhere")+" is not a folder here") {
		t.Errorf("a root that is no folder: %v", err)
	}
}

// TestLoadForPublish: publish writes the files config_files names, so
// they need not exist yet; LoadContext still requires them.
func TestLoadForPublish(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "lyncprobe.yaml")
	yml := "sip_domains: [contoso.com]\nweb_services: [{external: webext.contoso.com, internal: pool.corp.contoso.com}]\n" +
		"simple_urls: {meet: [https://meet.contoso.com], dialin: https://dialin.contoso.com}\n" +
		"reverse_proxy: {config_files: [proxy/nginx-lync.conf]}\n"
	if err := os.WriteFile(p, []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), "reverse_proxy.config_files[0]: cannot read") {
		t.Fatalf("Load: err = %v, want the missing file named", err)
	}
	dep, err := LoadForPublish(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := dep.ReverseProxy.ConfigFiles[0].Path, filepath.Join(dir, "proxy", "nginx-lync.conf"); got != want {
		t.Errorf("path %q, want %q", got, want)
	}
}

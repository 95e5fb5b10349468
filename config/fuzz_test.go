package config

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: the config loader never panics, and a file it accepts is a
// deployment. Seeds: the reference example and every test config.
func FuzzParse(f *testing.F) {
	f.Add([]byte(ExampleYAML))
	for _, dir := range []string{"good", "bad"} {
		files, _ := filepath.Glob(filepath.Join("..", "testdata", "config", dir, "*.yaml"))
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("sip_domains: [a.b]\nweb_services: [{external: x.a.b}]\nsimple_urls: {meet: [https://m.a.b], dialin: https://d.a.b}\n"))
	f.Add([]byte("&a [*a, *a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// a folder with nothing in it: relative file names resolve there
		d, err := Parse(data, filepath.Join(t.TempDir(), "fuzz.yaml"))
		if err == nil && d == nil {
			t.Fatal("no error and no deployment")
		}
	})
}

// FuzzReadZone: a zone file that parses has an SOA; nothing panics.
func FuzzReadZone(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join("..", "testdata", "config", "contoso.com.zone")); err == nil {
		f.Add(data)
	}
	f.Add([]byte("$ORIGIN contoso.com.\n@ SOA ns h 1 2 3 4 5\nmeet A 203.0.113.10\nx CNAME x\n"))
	f.Add([]byte("$INCLUDE /etc/passwd\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "fuzz.zone")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if z, err := ReadZone(context.Background(), path, "contoso.com"); err == nil && len(z.Records) == 0 {
			t.Fatal("no error and no record")
		}
	})
}

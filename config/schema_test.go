package config

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// compileSchema turns Schema() into a validator, through JSON as an
// editor would read it.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	data, err := json.Marshal(Schema())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("lyncprobe.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("lyncprobe.schema.json")
	if err != nil {
		t.Fatalf("the generated schema does not compile: %v", err)
	}
	return s
}

// yamlDoc reads YAML as the JSON value an editor's YAML language server
// validates.
func yamlDoc(t *testing.T, text string) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal([]byte(text), &v); err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestSchemaAcceptsTheExample: the reference file, which sets every key,
// is valid under the schema.
func TestSchemaAcceptsTheExample(t *testing.T) {
	if err := compileSchema(t).Validate(yamlDoc(t, ExampleYAML)); err != nil {
		t.Errorf("the schema rejects ExampleYAML: %v", err)
	}
}

func TestSchemaRejectsWhatTheLoaderRejects(t *testing.T) {
	s := compileSchema(t)
	base := "sip_domains: [contoso.com]\nweb_services: [{external: webext.contoso.com}]\nsimple_urls: {meet: [https://meet.contoso.com], dialin: https://dialin.contoso.com}\n"
	cases := map[string]string{
		"unknown key":      base + "colour: red\n",
		"wrong type":       base + "reverse_proxy: {port: [443]}\n",
		"bad version":      base + "version: ocs2007\n",
		"missing required": "sip_domains: [contoso.com]\n",
		"ignore no reason": base + "ignore: [{id: cert.expiry}]\n",
		"bad cert item":    base + "tls: {certificate_files: [{passwd: x}]}\n",
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			if err := s.Validate(yamlDoc(t, text)); err == nil {
				t.Errorf("the schema accepts:\n%s", text)
			}
		})
	}
	if err := s.Validate(yamlDoc(t, base)); err != nil {
		t.Errorf("the schema rejects a minimal file: %v", err)
	}
}

func TestSchemaDescribesKeys(t *testing.T) {
	data, _ := json.Marshal(Schema())
	for _, want := range []string{`"check ID to suppress (see lyncprobe checks)"`, `"enum":["lync2010"`, `"required":["id","reason"]`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("schema lacks %s", want)
		}
	}
}

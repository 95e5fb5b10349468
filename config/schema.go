package config

import (
	"reflect"
	"strings"
)

// Schema is a JSON Schema (draft 2020-12) of the config file, built by
// reflecting over Deployment's yaml tags, so it cannot drift from the
// loader: editors use it to complete and check lyncprobe.yaml.
func Schema() map[string]any {
	s := schemaOf(reflect.TypeFor[Deployment](), "")
	s["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	s["$id"] = "https://github.com/lyncprobe/lyncprobe/lyncprobe.schema.json"
	s["title"] = "lyncprobe deployment config"
	return s
}

// schemaProvider is a type that decodes itself (a yaml.Unmarshaler) and so
// describes its own accepted forms.
type schemaProvider interface{ jsonSchema() map[string]any }

var providerType = reflect.TypeFor[schemaProvider]()

func schemaOf(t reflect.Type, key string) map[string]any {
	if t.Implements(providerType) || reflect.PointerTo(t).Implements(providerType) {
		return reflect.New(t).Interface().(schemaProvider).jsonSchema()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return describe(map[string]any{}, key) // decodes itself; accept anything
	}
	var s map[string]any
	switch t.Kind() {
	case reflect.Pointer:
		return schemaOf(t.Elem(), key)
	case reflect.Struct:
		s = objectSchema(t, key)
	case reflect.Slice:
		s = map[string]any{"type": "array", "items": schemaOf(t.Elem(), key+"[]")}
	case reflect.String:
		s = map[string]any{"type": "string"}
	case reflect.Bool:
		s = map[string]any{"type": "boolean"}
	case reflect.Float32, reflect.Float64:
		s = map[string]any{"type": "number"}
	default:
		s = map[string]any{"type": "integer"}
	}
	if enum, ok := schemaEnums[key]; ok {
		s["enum"] = enum
	}
	return describe(s, key)
}

func objectSchema(t reflect.Type, key string) map[string]any {
	props := map[string]any{}
	for name, i := range yamlFields(t) {
		props[name] = schemaOf(t.Field(i).Type, joinKey(key, name))
	}
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if req := schemaRequired[key]; len(req) > 0 {
		s["required"] = req
	}
	return s
}

func describe(s map[string]any, key string) map[string]any {
	if strings.HasSuffix(key, "[]") {
		return s // a list's items: the list carries the description
	}
	if d := schemaDescriptions[strings.ReplaceAll(key, "[]", "")]; d != "" {
		s["description"] = d
	}
	return s
}

// jsonSchema: a path, or a mapping with a password source.
func (CertificateFile) jsonSchema() map[string]any {
	str := map[string]any{"type": "string"}
	return map[string]any{
		"description": "a certificate file (PEM, DER or PFX): a path, or {path, password_env | password_file} for a PFX",
		"anyOf": []any{str, map[string]any{
			"type": "object", "additionalProperties": false, "required": []string{"path"},
			"properties": map[string]any{"path": str, "password_env": str, "password_file": str},
		}},
	}
}

var schemaEnums = map[string][]string{"version": Versions, "reverse_proxy.family": ReverseProxyFamilies}

var schemaRequired = map[string][]string{
	"":               {"sip_domains", "web_services", "simple_urls"},
	"web_services[]": {"external"},
	"simple_urls":    {"meet", "dialin"},
	"edge":           {"access"},
	"ignore[]":       {"id", "reason"},
	"dns.views[]":    {"name", "resolvers"},
}

// schemaDescriptions are docs/CONFIG.md's config reference, key by key.
var schemaDescriptions = map[string]string{
	"name":                      "deployment name (default: the file name without extension)",
	"version":                   "product version (default sfb2019)",
	"sip_domains":               "SIP domains; lyncdiscover.<d>, sip.<d> and the SRV records are derived for each",
	"web_services":              "one entry per Front End or Director pool the proxy publishes",
	"web_services.external":     "external web services FQDN",
	"web_services.internal":     "internal web services FQDN",
	"web_services.backends":     "the front ends' external web site, host:port",
	"simple_urls.meet":          "meet simple URLs, one per SIP domain (https, no port)",
	"simple_urls.dialin":        "dial-in simple URL (https, no port)",
	"simple_urls.admin":         "admin simple URL; internal only, checked NOT to be published",
	"meeting_url":               "a real test meeting URL",
	"lyncdiscover":              "override of the derived lyncdiscover names",
	"lyncdiscover_http_only":    "the lyncdiscover names are published over HTTP only, not on the certificate (supported, not recommended)",
	"office_web_apps":           "Office Web Apps / Office Online Server FQDN, published on 443",
	"reverse_proxy.addresses":   "public addresses the published names must resolve to",
	"reverse_proxy.port":        "published HTTPS port (default 443)",
	"reverse_proxy.http_port":   "published HTTP port (default 80); 0 = not published",
	"reverse_proxy.nodes":       "array members probed one by one, address[:port]",
	"reverse_proxy.path_map":    "for validate: absolute paths as the proxy host names them mapped to local folders",
	"reverse_proxy.family":      "the proxy product (tmg, arr, nginx, apache, haproxy, f5, kemp, wap): its fix comes first in remedies; overrides detection",
	"edge":                      "the Edge (not published by the reverse proxy)",
	"edge.access":               "Access Edge FQDN",
	"dns.resolvers":             "public-view resolvers, host[:port] (default: the system resolver)",
	"dns.internal_resolvers":    "inside-view resolvers, host[:port]",
	"dns.views":                 "regional public views (geo-DNS), instead of dns.resolvers: each judged against its own addresses",
	"dns.views.name":            "the view's name, shown in results (\"emea\")",
	"dns.views.resolvers":       "the resolvers that give this view, host[:port]",
	"dns.views.proxy_addresses": "the reverse proxy's addresses in this view (default reverse_proxy.addresses)",
	"dns.views.edge_addresses":  "the Access Edge's addresses in this view (default edge.addresses)",
	"dns.zone_file":             "the public zone, BIND format, for offline runs",
	"tls.ca_file":               "extra trust anchors (PEM), added to the system roots",
	"tls.backend_ca_file":       "trust for the front ends' own certificates (PEM)",
	"tls.warn_days":             "warn when a certificate expires within this many days (default 30)",
	"tls.certificate_files":     "files `lyncprobe cert inspect` judges offline",
	"affinity.connections":      "separate connections per affinity probe (default 20, 1-1000)",
	"affinity.source_addresses": "local addresses to connect from (emulates a NAT pool)",
	"affinity.identity_header":  "response header that names the serving front end (default X-MS-Server-Fqdn)",
	"affinity.identity_cookie":  "a cookie whose value names the serving front end",
	"ignore":                    "suppressions: matching results keep their status but fail no run",
	"ignore.id":                 "check ID to suppress (see lyncprobe checks)",
	"ignore.target":             "only this target (default: every target)",
	"ignore.via":                "only this via (default: every via)",
	"ignore.reason":             "why it is suppressed; shown in every report",
}

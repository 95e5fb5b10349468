package checks

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// discoverDoc is an Autodiscover answer (learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements) in any of its forms:
// the UCWA JSON ({"_links":{...}}), the older Lync 2013 JSON
// ({"Root":{"Links":[{"token":..,"href":..}]}}) or the XML form.
type discoverDoc struct {
	Format string            // "json" or "xml"
	Links  map[string]string // relation, lower case (self, user, redirect, oauth, …) → href
}

// Content types an Autodiscover answer may carry.
func discoverJSONType(ct string) bool {
	return ct == "application/json" || ct == "application/vnd.microsoft.rtc.autodiscover+json"
}

func discoverXMLType(ct string) bool {
	return ct == "application/vnd.microsoft.rtc.autodiscover+xml" || ct == "application/xml" || ct == "text/xml"
}

var errNotDiscover = errors.New("not an Autodiscover document")

// parseDiscover reads an answer as an Autodiscover document. It names
// what is wrong: an HTML page, an unknown content type, a body that does
// not parse.
func parseDiscover(a answer) (discoverDoc, error) {
	switch {
	case a.HTML:
		return discoverDoc{}, fmt.Errorf("%w: an HTML page (%s)", errNotDiscover, a.describe())
	case discoverJSONType(a.ContentType):
		return parseDiscoverJSON(a.Body)
	case discoverXMLType(a.ContentType):
		return parseDiscoverXML(a.Body)
	}
	if _, err := parseDiscoverJSON(a.Body); err == nil {
		return discoverDoc{}, fmt.Errorf("%w: a JSON body sent as %q", errNotDiscover, a.ContentType)
	}
	return discoverDoc{}, fmt.Errorf("%w: content type %q", errNotDiscover, a.ContentType)
}

func parseDiscoverJSON(body []byte) (discoverDoc, error) {
	var doc struct {
		Links map[string]struct {
			Href string `json:"href"`
		} `json:"_links"`
		Root struct {
			Links []struct{ Href, Token string } `json:"Links"`
		} `json:"Root"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return discoverDoc{}, fmt.Errorf("%w: the JSON does not parse: %v", errNotDiscover, err)
	}
	d := discoverDoc{Format: "json", Links: map[string]string{}}
	for rel, l := range doc.Links {
		d.Links[strings.ToLower(rel)] = l.Href
	}
	for _, l := range doc.Root.Links {
		d.Links[strings.ToLower(l.Token)] = l.Href
	}
	if len(d.Links) == 0 {
		return d, fmt.Errorf("%w: JSON without _links", errNotDiscover)
	}
	return d, nil
}

func parseDiscoverXML(body []byte) (discoverDoc, error) {
	var doc struct {
		Root struct {
			Links []struct {
				Token string `xml:"token,attr"`
				Href  string `xml:"href,attr"`
			} `xml:"Link"`
		} `xml:"Root"`
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		return discoverDoc{}, fmt.Errorf("%w: the XML does not parse: %v", errNotDiscover, err)
	}
	d := discoverDoc{Format: "xml", Links: map[string]string{}}
	for _, l := range doc.Root.Links {
		d.Links[strings.ToLower(l.Token)] = l.Href
	}
	if len(d.Links) == 0 {
		return d, fmt.Errorf("%w: XML without Root/Link", errNotDiscover)
	}
	return d, nil
}

// next is the link a client follows: user (the UCWA form's user is the
// OAuth user resource), else oauth, else redirect.
func (d discoverDoc) next() (rel, href string) {
	for _, rel := range []string{"user", "oauth", "redirect"} {
		if h := d.Links[rel]; h != "" {
			return rel, h
		}
	}
	return "", ""
}

// rels lists the link relations in a stable order.
func (d discoverDoc) rels() []string {
	out := make([]string, 0, len(d.Links))
	for r := range d.Links {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

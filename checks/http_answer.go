package checks

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/lyncprobe/lyncprobe/probe"
	"golang.org/x/net/html"
)

// answer is what one HTTP response shows a person or a client, read once
// from the raw response: the facts the HTTP checks judge and compare.
type answer struct {
	Status      int
	Header      http.Header
	Body        []byte
	ContentType string // media type, lower case, no parameters
	HTML        bool
	Title       string
	Text        string   // visible text, whitespace collapsed
	Links       []string // href, src and action values, as written
	App         bool     // the page loads a script or frame: content may come later
	Password    bool     // the page holds a password field (a login form)
}

func readAnswer(resp *probe.Response) answer {
	a := answer{Status: resp.Status, Header: resp.Header, Body: resp.Body}
	a.ContentType, _, _ = mime.ParseMediaType(resp.Header.Get("Content-Type"))
	a.ContentType = strings.ToLower(a.ContentType)
	trimmed := bytes.TrimSpace(resp.Body)
	switch {
	case a.ContentType == "text/html" || a.ContentType == "application/xhtml+xml":
		a.HTML = true
	case a.ContentType == "" && bytes.HasPrefix(trimmed, []byte("<")) && !bytes.HasPrefix(trimmed, []byte("<?xml")):
		a.HTML = true
	}
	if a.HTML {
		a.readHTML(resp.Body)
	}
	return a
}

// readHTML parses the page as a browser would (golang.org/x/net/html is
// forgiving in the same way) and keeps what a person sees and what a
// browser follows.
func (a *answer) readHTML(body []byte) {
	if len(body) > maxHTMLScan {
		body = body[:maxHTMLScan] // parsing is not free: a hostile page must not cost seconds
	}
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return
	}
	var text []string
	var walk func(n *html.Node, hidden bool)
	walk = func(n *html.Node, hidden bool) {
		switch n.Type {
		case html.TextNode:
			if !hidden {
				text = append(text, n.Data)
			}
		case html.ElementNode:
			hidden = hidden || invisible[n.Data]
			a.readElement(n, &text)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, hidden)
		}
	}
	walk(doc, false)
	a.Text = strings.Join(strings.Fields(strings.Join(text, " ")), " ")
}

// maxHTMLScan bounds the part of a page that is parsed: Lync's pages are a
// few KB, the body read is capped at 1 MB, and parsing that much of an
// endless page for every check would take seconds of CPU.
const maxHTMLScan = 64 << 10

// invisible elements hold no text a person sees.
var invisible = map[string]bool{"head": true, "script": true, "style": true, "noscript": true, "template": true, "title": true}

// linkAttr is the attribute of each element that a browser follows.
var linkAttr = map[string]string{
	"a": "href", "area": "href", "link": "href", "form": "action",
	"script": "src", "img": "src", "iframe": "src", "frame": "src",
}

func (a *answer) readElement(n *html.Node, text *[]string) {
	switch n.Data {
	case "title":
		if n.FirstChild != nil && a.Title == "" {
			a.Title = strings.Join(strings.Fields(n.FirstChild.Data), " ")
		}
	case "script", "iframe", "frame":
		a.App = a.App || attr(n, "src") != "" || n.FirstChild != nil
	case "input":
		switch strings.ToLower(attr(n, "type")) {
		case "password":
			a.Password = true
		case "submit", "button":
			*text = append(*text, attr(n, "value"))
		}
	case "meta":
		if strings.EqualFold(attr(n, "http-equiv"), "refresh") {
			if _, u, ok := strings.Cut(strings.ToLower(attr(n, "content")), "url="); ok {
				a.Links = append(a.Links, strings.Trim(u, `'" `))
			}
		}
	}
	if name, ok := linkAttr[n.Data]; ok {
		if v := strings.TrimSpace(attr(n, name)); v != "" {
			a.Links = append(a.Links, v)
		}
	}
}

func attr(n *html.Node, key string) string {
	for _, at := range n.Attr {
		if strings.EqualFold(at.Key, key) {
			return at.Val
		}
	}
	return ""
}

// Blank: 200 and nothing a person sees, the classic TMG symptom. A
// page that loads a script or frame is not blank: its content comes later.
func (a answer) Blank() bool {
	if a.Status != http.StatusOK {
		return false
	}
	if !a.HTML {
		return len(bytes.TrimSpace(a.Body)) == 0
	}
	return a.Text == "" && a.Title == "" && !a.App
}

// frontEndSign names what shows that a Lync/SfB front end (IIS and
// ASP.NET) wrote the answer, "" when nothing does (learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements). A
// proxy's own error page carries none of these. The branding headers
// come first; hardened proxies strip them, so the signs that survive
// follow: the front ends' challenges and their own bodies (bodySign).
func (a answer) frontEndSign() string {
	h := a.Header
	switch {
	case h.Get("X-MS-Server-Fqdn") != "":
		return "X-MS-Server-Fqdn: " + h.Get("X-MS-Server-Fqdn")
	case challenge(h, "MsRtcOAuth"):
		return "an MsRtcOAuth challenge"
	case strings.HasPrefix(h.Get("Server"), "Microsoft-IIS"):
		return "Server: " + h.Get("Server")
	case strings.Contains(h.Get("X-Powered-By"), "ASP.NET"):
		return "X-Powered-By: " + h.Get("X-Powered-By")
	case h.Get("X-AspNet-Version") != "":
		return "X-AspNet-Version: " + h.Get("X-AspNet-Version")
	case a.Status == http.StatusUnauthorized && windowsSchemes(h) != "" && !challenge(h, "Basic"):
		return "an IIS Windows authentication challenge (" + windowsSchemes(h) + ")"
	}
	return a.bodySign()
}

// bodySign names a body only the front ends write: the Autodiscover
// document, a WCF (WebTicket, address book) SOAP fault, a UCWA error, or
// IIS's own error page; "" for none.
func (a answer) bodySign() string {
	body := string(a.Body[:min(len(a.Body), maxHTMLScan)])
	switch {
	case a.Status == http.StatusOK && (discoverJSONType(a.ContentType) || discoverXMLType(a.ContentType)) && !a.HTML && discoverParses(a):
		return "the Autodiscover document"
	case strings.Contains(body, "schemas.xmlsoap.org/soap/envelope") && strings.Contains(body, "Fault>"):
		return "a WCF SOAP fault from the web services"
	case strings.HasPrefix(a.ContentType, "application/") && strings.Contains(body, `"subcode"`) && strings.Contains(body, `"code"`):
		return "a UCWA error body"
	case a.HTML && a.Status < http.StatusBadGateway && iisErrorTitle(a.Title) && strings.Contains(body, "<h1>Server Error</h1>"):
		// 502-504 are gateway errors: IIS ARR writes them in the same style.
		return fmt.Sprintf("IIS's own error page (%q)", a.Title)
	}
	return ""
}

func discoverParses(a answer) bool {
	_, err := parseDiscover(a)
	return err == nil
}

// iisErrorTitle: IIS titles its error pages "404 - File or directory not
// found." (status, " - ", reason).
func iisErrorTitle(t string) bool {
	code, _, ok := strings.Cut(t, " - ")
	return ok && len(code) >= 3 && code[0] >= '1' && code[0] <= '5'
}

// proxyOwnSign names what shows that the reverse proxy wrote the answer
// itself, "" when nothing does: a Basic challenge, a login (loginSign),
// an error page in a proxy's house style, or a proxy's Server header on
// an error. Only this may count as "the proxy answered itself".
func (a answer) proxyOwnSign(base string) string {
	if a.frontEndSign() != "" {
		return ""
	}
	if s := loginSign(a, base); s != "" {
		return s
	}
	body := strings.ToLower(string(a.Body[:min(len(a.Body), maxHTMLScan)]))
	for _, p := range proxyPages {
		if strings.Contains(body, p.mark) {
			return p.what
		}
	}
	if fam := familyOfServer(a.Header.Get("Server")); fam != "" && a.Status >= 400 {
		return "an error with Server: " + a.Header.Get("Server")
	}
	return ""
}

// proxyPages are marks of the reverse proxies' own error pages.
var proxyPages = []struct{ mark, what string }{
	{"error code: ", "TMG's error page"},
	{"forefront tmg", "TMG's error page"},
	{"<center>nginx", "nginx's error page"},
	{"<address>apache", "Apache's error page"},
	{"the requested url was not found on this server", "Apache's error page"},
	{"no server is available to handle this request", "HAProxy's error page"},
	{"request forbidden by administrative rules", "HAProxy's error page"},
	{"the requested url was rejected. please consult with your administrator", "F5 BIG-IP's error page"},
}

// challenge reports whether a WWW-Authenticate header offers scheme.
func challenge(h http.Header, scheme string) bool {
	for _, v := range h.Values("WWW-Authenticate") {
		for _, part := range strings.Split(v, ",") {
			if f := strings.Fields(part); len(f) > 0 && strings.EqualFold(f[0], scheme) {
				return true
			}
		}
	}
	return false
}

// location is the redirect target of a 3xx answer, absolute against base;
// nil when there is none.
func (a answer) location(base string) *url.URL {
	if a.Status < 300 || a.Status > 399 || a.Header.Get("Location") == "" {
		return nil
	}
	b, err := url.Parse(base)
	if err != nil {
		return nil
	}
	u, err := b.Parse(a.Header.Get("Location"))
	if err != nil {
		return nil
	}
	return u
}

// words is the visible text (or the body, for a document that is not a
// page) as a set of lower-case words, for comparing two answers.
func (a answer) words() map[string]bool {
	src := a.Text
	if !a.HTML {
		src = string(a.Body)
	}
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(src), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		out[w] = true
	}
	return out
}

// alike reports whether two answers would look the same to a person or a
// client: the same status, both blank or not, the same title, and mostly
// the same words (a session id or a date may differ).
func alike(a, b answer) bool {
	if a.Status != b.Status || a.Blank() != b.Blank() || !strings.EqualFold(a.Title, b.Title) {
		return false
	}
	wa, wb := a.words(), b.words()
	if len(wa) == 0 && len(wb) == 0 {
		return true
	}
	common := 0
	for w := range wa {
		if wb[w] {
			common++
		}
	}
	return float64(common)/float64(len(wa)+len(wb)-common) >= 0.8
}

// describe words an answer for a message: what a person would see.
func (a answer) describe() string {
	status := fmt.Sprintf("%d", a.Status)
	switch {
	case a.Blank():
		return "a blank page (200, no visible content)"
	case a.Status >= 300 && a.Status <= 399 && a.Header.Get("Location") != "":
		return fmt.Sprintf("a redirect to %s (%s)", a.Header.Get("Location"), status)
	case a.Status >= 400 && a.frontEndSign() == "" && a.proxyOwnSign("") != "":
		return fmt.Sprintf("%s %s from the reverse proxy itself", status, http.StatusText(a.Status))
	case a.Status >= 400 && a.frontEndSign() == "":
		return fmt.Sprintf("%s %s (nothing in it names the front end or the proxy)", status, http.StatusText(a.Status))
	case a.Status == http.StatusNotFound:
		return "IIS 404 from the front end"
	case a.Status == http.StatusUnauthorized:
		return "401, an authentication challenge from the front end"
	case a.Status == http.StatusOK && (discoverJSONType(a.ContentType) || discoverXMLType(a.ContentType)) && !a.HTML:
		if _, err := parseDiscover(a); err == nil {
			return fmt.Sprintf("the Autodiscover document (%s)", a.ContentType)
		}
		return fmt.Sprintf("200 OK (%s)", a.ContentType)
	case a.HTML && a.Title != "":
		return fmt.Sprintf("the page %q (%s)", a.Title, status)
	case a.ContentType != "":
		return fmt.Sprintf("%s %s (%s)", status, http.StatusText(a.Status), a.ContentType)
	}
	return fmt.Sprintf("%s %s", status, http.StatusText(a.Status))
}

// evidence is the raw facts of an answer for a result.
func (a answer) evidence() map[string]any {
	ev := map[string]any{"status": a.Status}
	for k, v := range map[string]string{
		"content_type": a.ContentType, "title": a.Title, "server": a.Header.Get("Server"),
		"location": a.Header.Get("Location"), "front_end_sign": a.frontEndSign(), "via": a.Header.Get("Via"),
		"x_powered_by": a.Header.Get("X-Powered-By"),
	} {
		if v != "" {
			ev[k] = v
		}
	}
	if a.Blank() {
		ev["blank"] = true
	}
	if a.HTML {
		ev["visible_text"] = clip(a.Text, 160)
	}
	return ev
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

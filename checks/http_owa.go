package checks

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
)

// discoveryPath is the WOPI discovery document of an Office Web Apps /
// Office Online Server farm; Lync/SfB reads it to present PowerPoint.
const discoveryPath = "/hosting/discovery"

// httpOfficeWebApps: when office_web_apps is set, /hosting/discovery is
// published on 443 and answers the discovery XML.
func httpOfficeWebApps(ctx context.Context, e *Env) []Result {
	host := strings.ToLower(e.Dep.OfficeWebApps)
	if host == "" {
		return nil
	}
	return e.onEveryAddress(ctx, host, false, func(ctx context.Context) Result { return e.officeWebApps(ctx, host) })
}

func (e *Env) officeWebApps(ctx context.Context, host string) Result {
	target := "https://" + host + discoveryPath
	got := e.fetchPage(ctx, target, host, discoveryPath)
	if got.Skip != nil {
		return *got.Skip
	}
	r := Result{Target: target, Evidence: got.Answer.evidence()}
	r.Evidence["connect"] = got.Req.Addr
	r.Status, r.Message, r.Remedy = judgeDiscovery(got.Answer, host)
	return r
}

// judgeDiscovery decides on a recorded answer of /hosting/discovery.
func judgeDiscovery(a answer, host string) (Status, string, string) {
	publish := fmt.Sprintf("Publish https://%s/* on the reverse proxy to the Office Web Apps farm on port 443 (not 4443; Microsoft: Lync Server 2013 port summary for the reverse proxy), as a rule of its own, with the name on the proxy's certificate.", host)
	switch {
	case loginSign(a, "https://"+host+discoveryPath) != "":
		return Fail, "the reverse proxy answers with its own login, " + loginSign(a, "https://"+host+discoveryPath), passThroughRemedy
	case a.Status >= 400 && a.frontEndSign() == "":
		return Fail, fmt.Sprintf("not published: the reverse proxy answers %d %s itself", a.Status, http.StatusText(a.Status)), publish
	case a.Status != http.StatusOK:
		return Fail, fmt.Sprintf("answers %s instead of the discovery XML", a.describe()),
			"Check the Office Web Apps farm (Get-OfficeWebAppsFarm) and that the proxy passes /hosting/discovery to it unchanged."
	}
	var doc struct {
		XMLName xml.Name `xml:"wopi-discovery"`
		Zones   []struct {
			Name string `xml:"name,attr"`
			Apps []struct {
				Name string `xml:"name,attr"`
			} `xml:"app"`
		} `xml:"net-zone"`
	}
	if err := xml.Unmarshal(a.Body, &doc); err != nil {
		return Fail, fmt.Sprintf("answers %s, not the WOPI discovery XML", a.describe()),
			"Pass /hosting/discovery to the Office Web Apps farm unchanged: " + publish
	}
	apps, zones := 0, []string{}
	for _, z := range doc.Zones {
		apps += len(z.Apps)
		zones = append(zones, z.Name)
	}
	return Pass, fmt.Sprintf("answers the WOPI discovery XML (%d apps; zones %s)", apps, strings.Join(zones, ", ")), ""
}

package lab

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
)

// The front ends' pages. They only need to look like the real ones to a
// probe: a title, visible text, the links a browser would follow.

// productName is what the version calls its web client.
func productName(version string) string {
	if strings.HasPrefix(version, "lync") {
		return "Lync Web App"
	}
	return "Skype for Business Web App"
}

func joinHTML(s *site, user, conf string) string {
	u, c := html.EscapeString(user), html.EscapeString(conf)
	join := html.EscapeString(s.lwaPath() + "?meeting=" + url.QueryEscape(user+"/"+conf))
	return fmt.Sprintf(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Join meeting</title></head>
<body>
<h1>Join meeting</h1>
<p>You are joining %s's meeting (conference ID %s).</p>
<p><a id="lwa-join" href="%s">Join using %s</a></p>
<p>Having trouble? Try the desktop client, or contact your support team.</p>
</body></html>
`, u, c, join, productName(s.version))
}

func lwaHTML(s *site) string {
	return fmt.Sprintf(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>%s</title></head>
<body><h1>%s</h1><p>Enter your name to join the meeting as a guest.</p>
<form method="post"><input name="displayName"><button>Join the meeting</button></form>
</body></html>
`, productName(s.version), productName(s.version))
}

// sessionNotFoundHTML is the ASP.NET error a follow-up gets from a front
// end that did not open its join session.
func sessionNotFoundHTML(s *site) string {
	app := strings.Split(strings.Trim(s.lwaPath(), "/"), "/")[0]
	return fmt.Sprintf(`<!DOCTYPE html>
<html><head><title>Runtime Error</title></head>
<body><h1>Server Error in '/%s' Application.</h1>
<h2><i>The join session was not found (session not found).</i></h2>
<p>The meeting join could not be completed. Please try joining the meeting again.</p>
</body></html>
`, app)
}

func meetRootHTML(s *site) string {
	return fmt.Sprintf(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Online Meeting</title></head>
<body><h1>Online meeting troubleshooting</h1>
<p>To join a meeting, use the complete meeting link from your invitation, for example https://%s%s.</p>
<p>You can also join with %s.</p>
</body></html>
`, MeetHost, MeetingPath, productName(s.version))
}

const dialinHTML = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Dial-in Conferencing Settings</title></head>
<body>
<h1>Dial-in Conferencing Settings and PIN Management</h1>
<p>Call one of the numbers below and enter the conference ID from your invitation.</p>
<table>
<tr><th>Region</th><th>Number</th><th>Languages</th></tr>
<tr><td>North America</td><td>+1 (425) 555-0100</td><td>English (United States)</td></tr>
<tr><td>Europe</td><td>+44 20 7946 0100</td><td>English (United Kingdom)</td></tr>
</table>
<p><a href="?language=en-US">Sign in to manage your PIN</a></p>
</body></html>
`

const xframeHTML = `<!DOCTYPE html>
<html><head><title>XFrame</title></head><body></body></html>
`

// blankHTML is what meet and dial-in paths give under a Host the IIS
// site has no binding for.
const blankHTML = `<html><head></head><body></body></html>`

const discoverXML = `<?xml version="1.0" encoding="utf-8"?>
<AutodiscoverResponse AccessLocation="External"><Root>` +
	`<Link token="Domain" href="%s/domain"/>` +
	`<Link token="User" href="%s/user"/>` +
	`<Link token="OAuth" href="%s/oauth/user"/>` +
	`<Link token="Self" href="%s"/>` +
	`<Link token="XFrame" href="%s/Autodiscover/XFrame/XFrame.html"/>` +
	`</Root></AutodiscoverResponse>
`

// iisError writes IIS's own error page for status.
func iisError(w http.ResponseWriter, status int, title string) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	fmt.Fprintf(w, iisErrorHTML, title, title, iisDetail[status])
}

func iisNotFound(w http.ResponseWriter) {
	iisError(w, http.StatusNotFound, "404 - File or directory not found.")
}

var iisDetail = map[int]string{
	http.StatusNotFound:         "The resource you are looking for might have been removed, had its name changed, or is temporarily unavailable.",
	http.StatusUnauthorized:     "You do not have permission to view this directory or page using the credentials that you supplied.",
	http.StatusMethodNotAllowed: "The page you are looking for cannot be displayed because an invalid method (HTTP verb) is being used.",
}

const iisErrorHTML = `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"/>
<title>%s</title>
</head>
<body>
<div id="header"><h1>Server Error</h1></div>
<div id="content">
 <div class="content-container"><fieldset>
  <h2>%s</h2>
  <h3>%s</h3>
 </fieldset></div>
</div>
</body>
</html>
`

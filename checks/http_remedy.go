package checks

import "fmt"

// Remedies name the setting per proxy family (learn.microsoft.com/en-us/skypeforbusiness/plan-your-deployment/edge-server-deployments/edge-environmental-requirements–2).

// hostForwardRemedy: make the proxy send the client's Host to the front
// ends, so that IIS routes meet and dial-in by it.
const hostForwardRemedy = "Make the reverse proxy forward the original Host header to the front ends (Microsoft: Lync Server 2013 reverse proxy configuration requirements). " +
	"TMG: on the web publishing rule's To tab, tick \"Forward the original host header instead of the actual one specified in the Internal site name field\". " +
	"nginx: proxy_set_header Host $host; in the location that proxies to the pool. " +
	"Apache: ProxyPreserveHost On. " +
	"IIS ARR: <proxy preserveHostHeader=\"true\" /> (system.webServer/proxy). " +
	"HAProxy: remove the http-request set-header Host rewrite from the backend. " +
	"Web Application Proxy: publish with the same host name in -ExternalUrl and -BackendServerUrl."

// publishPathRemedy: publish the whole external web site, as Microsoft asks.
func publishPathRemedy(host, path string) string {
	return fmt.Sprintf("Publish all of https://%s/* to the pool's external web site on port 4443, not a list of paths (Microsoft: Lync Server 2013 reverse proxy configuration requirements); at the least add %s/*. "+
		"TMG: the rule's Paths tab holds /*. nginx: location / { proxy_pass https://<pool>:4443; }. "+
		"Apache: ProxyPass / https://<pool>:4443/. IIS ARR: the URL Rewrite rule matches * and routes to the farm. "+
		"HAProxy: no ACL denies or diverts %s. Web Application Proxy: -BackendServerUrl https://<pool>:4443/ (the whole site).",
		host, path, path)
}

// bridgeRemedy: bridge to the external site (4443), never the internal one.
const bridgeRemedy = "Bridge the publishing rule to the front ends' external web site, port 4443 (8080 for HTTP), not the internal site on 443/80 (Microsoft: Lync Server 2013 port summary for the reverse proxy). " +
	"TMG: Bridging tab, \"Redirect requests to SSL port\" 4443. nginx: proxy_pass https://<pool>:4443;. " +
	"Apache: ProxyPass / https://<pool>:4443/. IIS ARR: the server farm's httpsPort 4443. " +
	"HAProxy: server lines on :4443. Web Application Proxy: -BackendServerUrl https://<pool>:4443/. " +
	"Until then, block /cscp and /OcsPowerShell on the proxy: they are administration interfaces."

// passThroughRemedy: Lync/SfB clients authenticate to the front ends.
const passThroughRemedy = "Publish the Lync/SfB names with pass-through, no pre-authentication (Microsoft: Lync Server 2013 reverse proxy configuration requirements: the proxy must accept NTLM, no authentication or pass-through). " +
	"TMG: the listener's authentication is \"No Authentication\" and the rule's delegation \"No delegation, but client may authenticate directly\". " +
	"Web Application Proxy: -ExternalPreauthentication PassThrough. " +
	"F5 APM, NetScaler, nginx or Apache: no access policy, auth_request or login redirect on these names."

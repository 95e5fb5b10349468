package publish

// The IIS ARR configuration: the server farms and URL Rewrite rules of
// applicationHost.config.
func init() { register("arr", arrTemplate) }

const arrTemplate = `<?xml version="1.0" encoding="UTF-8"?>
<!--
  Lync/Skype for Business external web services for {{.Name}} ({{.Version}}), written by lyncprobe publish.
  The IIS ARR sections of applicationHost.config (%windir%\System32\inetsrv\config):
  merge <webFarms> and the <system.webServer> rules into yours, or build the
  same in IIS Manager (Server Farms, URL Rewrite), then run "lyncprobe validate".
  Bind the Default Web Site to {{.HTTPSPort}}{{if .HTTPPort}} and {{.HTTPPort}}{{end}} with the certificate
  that names every published name ({{src "cert"}}).

  Not published, on purpose:{{if .Admin}}
  - {{.Admin}}: the admin simple URL opens the Control Panel and stays inside
    ({{src "simple"}}).{{end}}
  - the front ends' internal web site (443/80), which holds /cscp and
    /OcsPowerShell: every farm below uses the external site, 4443 and 8080
    ({{src "ports"}}).
-->
<configuration>
  <system.webServer>
    <!-- Rule: forward the client's Host header ({{src "require"}}). -->
    <proxy enabled="true" preserveHostHeader="true" reverseRewriteHostInResponseHeaders="false" />
    <rewrite>
      <globalRules>
{{- range .Pools}}{{$pool := .}}{{range $i, $n := .Names}}
        <!-- Rule: HTTPS to the farm over https:// ("Enable SSL offloading" cleared: not supported; {{src "rules"}}). -->
        <rule name="lync_{{$pool.Group}}_https_{{$i}}" enabled="true" patternSyntax="Wildcard" stopProcessing="true">
          <match url="*" />
          <conditions>
            <add input="{HTTPS}" pattern="on" />
            <add input="{HTTP_HOST}" pattern="{{$n}}" />
          </conditions>
          <action type="Rewrite" url="https://{{$pool.Group}}/{R:0}" />
        </rule>
{{- if $.HTTPPort}}
        <rule name="lync_{{$pool.Group}}_http_{{$i}}" enabled="true" patternSyntax="Wildcard" stopProcessing="true">
          <match url="*" />
          <conditions>
            <add input="{HTTPS}" pattern="off" />
            <add input="{HTTP_HOST}" pattern="{{$n}}" />
          </conditions>
          <action type="Rewrite" url="http://{{$pool.Group}}/{R:0}" />
        </rule>
{{- end}}
{{- end}}{{end}}
      </globalRules>
    </rewrite>
  </system.webServer>
  <webFarms>
{{- range .Pools}}{{$pool := .}}
    <!-- {{join .Names ", "}}. -->
    <webFarm name="{{.Group}}" enabled="true">
{{- if .OWA}}
      <!-- Rule: Office Web Apps Server is published on 443 and 80, not 4443/8080 ({{src "ports"}}). -->
{{- else}}
      <!-- Rule: bridge 443 to 4443 and 80 to 8080, the front ends' external web site ({{src "ports"}}; {{src "rules"}}). -->
{{- end}}
{{- range $i, $s := .Servers}}
      <server address="{{.Host}}" enabled="true">
        <applicationRequestRouting httpPort="{{$pool.HTTPPortOf $i}}" httpsPort="{{.Port}}" />
      </server>
{{- end}}
      <applicationRequestRouting>
        <!-- Rule: mobile push needs 960 s (16 minutes): Office 365's push time-out is 900 s ({{src "rules"}}). -->
        <protocol timeout="00:16:00" reverseRewriteHostInResponseHeaders="false" />
{{- if $.Cookie}}
        <!-- Rule: Lync Server 2010 needs cookie persistence named MS-WSMAN, not HttpOnly, with no expiry ({{src "hlb"}}). -->
        <affinity useCookie="true" cookieName="MS-WSMAN" />
{{- else}}
        <!-- Rule: source-address persistence keeps each client on one front end ({{src "lb"}}). -->
        <loadBalancing algorithm="RequestHash" hashServerVariable="REMOTE_ADDR" />
{{- end}}
      </applicationRequestRouting>
    </webFarm>
{{- end}}
  </webFarms>
</configuration>
`

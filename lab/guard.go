package lab

import (
	"fmt"
	"net/http"
)

// maxHeaderFields bounds the header lines of one request (the server
// already bounds their bytes with MaxHeaderBytes).
const maxHeaderFields = 100

// maxProxyConns caps the connections one proxy node holds at once.
const maxProxyConns = 256

// guard refuses, before anything is forwarded, what could make the proxy
// and a front end disagree about where a request ends (request
// smuggling): a body framed by Transfer-Encoding. net/http already
// rejects conflicting Content-Length values (400) and unknown transfer
// codings (501), but with both Content-Length and Transfer-Encoding it
// silently drops Content-Length, so the proxy accepts only
// Content-Length-framed bodies (411) and closes the connection. Lync
// clients send no chunked requests to the web services.
func guard(r *http.Request) (int, string) {
	if len(r.TransferEncoding) > 0 {
		return http.StatusLengthRequired, "the lab proxy accepts request bodies framed by Content-Length only"
	}
	n := 0
	for _, vs := range r.Header {
		n += len(vs)
	}
	if n > maxHeaderFields {
		return http.StatusRequestHeaderFieldsTooLarge, fmt.Sprintf("more than %d header fields", maxHeaderFields)
	}
	return 0, ""
}

// Command lyncprobe checks a Lync / Skype for Business Server deployment
// published through a reverse proxy: DNS, certificates, Host forwarding and
// load-balancer affinity, from the outside, with the root cause and the fix.
package main

import "os"

func main() { os.Exit(Main()) }

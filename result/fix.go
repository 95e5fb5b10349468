package result

// Fix is one proxy family's fix for a result, as the remedies list them.
type Fix struct {
	Family string `json:"family"` // a key of FamilyNames
	Name   string `json:"name"`   // as people write it
	Text   string `json:"text"`
}

// Families lists the proxy families a Fix may name, in the order
// `lyncprobe explain` prints them.
var Families = []string{"all", "tmg", "arr", "nginx", "apache", "haproxy", "f5", "kemp", "wap"}

// FamilyNames are the families as people write them.
var FamilyNames = map[string]string{
	"all": "Any proxy", "tmg": "Forefront TMG", "arr": "IIS ARR", "nginx": "nginx", "apache": "Apache httpd",
	"haproxy": "HAProxy", "f5": "F5 BIG-IP", "kemp": "KEMP LoadMaster", "wap": "Web Application Proxy",
}

package report

import (
	"fmt"
	"io"
	"testing"
	"time"
)

// bigReport is ~5,000 results: a large estate with every check repeated
// per name, address and node.
func bigReport() Report {
	base := sample().Results
	r := Report{Catalog: catalogue, Deployment: "big", Duration: 3 * time.Second}
	for i := 0; len(r.Results) < 5000; i++ {
		for _, res := range base {
			res.Target = fmt.Sprintf("host%04d.contoso.com", i)
			r.Results = append(r.Results, res)
		}
	}
	return r
}

func BenchmarkRender(b *testing.B) {
	r := bigReport()
	for _, format := range []string{"text", "json", "html", "sarif"} {
		b.Run(format, func(b *testing.B) {
			for b.Loop() {
				if err := Render(io.Discard, format, r, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

package report

import (
	"strings"

	"github.com/lyncprobe/lyncprobe/result"
)

// barWidth is the longest bar, in characters.
const barWidth = 30

// bars draws a result's evidence "distribution" (r.Distribution(), in
// order) as a small bar chart under its line, scaled to the largest count.
func (p *printer) bars(r result.Result, indent int) {
	bs := r.Distribution()
	if len(bs) == 0 {
		return
	}
	wLabel, most := 0, 0
	for _, b := range bs {
		wLabel, most = max(wLabel, len(b.Label)), max(most, b.Count)
	}
	for _, b := range bs {
		n := 0
		if most > 0 {
			n = (b.Count*barWidth + most - 1) / most // any count above zero shows
		}
		p.printf("%s%-*s  %s %d\n", strings.Repeat(" ", indent), wLabel, b.Label, strings.Repeat("#", n), b.Count)
	}
}

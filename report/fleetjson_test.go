package report

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/lyncprobe/lyncprobe/result"
)

// wholeFleetJSON is the document as it was written before streaming: one
// json.Encoder over the whole value. The streamed bytes must equal it.
func wholeFleetJSON(r Report) []byte {
	deps := make([]fleetDeploymentJSON, 0, len(r.Deployments))
	for _, d := range r.Deployments {
		rs := d.Results
		if rs == nil {
			rs = []result.Result{}
		}
		deps = append(deps, fleetDeploymentJSON{d.Name, d.Path, d.Error,
			summaryJSON(Report{Results: d.Results, Duration: d.Duration}), rs})
	}
	doc := struct {
		Version     int                   `json:"version"`
		Run         *runJSON              `json:"run,omitempty"`
		Summary     summary               `json:"summary"`
		Deployments []fleetDeploymentJSON `json:"deployments"`
	}{Version, r.Run.json(), summaryJSON(r), deps}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.Encode(doc)
	return b.Bytes()
}

func TestStreamedFleetJSONIsTheSameDocument(t *testing.T) {
	withRun := fleetReport()
	withRun.Run = Run{Started: time.Unix(1_700_000_000, 0), Version: "v1", Host: "h", Resolvers: []string{"1.1.1.1"}}
	withRun.Deployments[1].Results[0].Message = `<script> & "quotes"`
	withRun.Deployments[1].Results[0].Evidence = map[string]any{"a": []string{"x", "y"}}
	broken := fleetReport()
	broken.Deployments = append(broken.Deployments, Deployment{Name: "c", Path: "c.yaml", Error: "does not load"})
	cases := map[string]Report{
		"two":     fleetReport(),
		"run":     withRun,
		"broken":  broken,
		"empty":   {Deployment: "fleet of 0", Deployments: []Deployment{}},
		"one nil": {Deployments: []Deployment{{Name: "a", Path: "a.yaml"}}},
	}
	for name, r := range cases {
		var got bytes.Buffer
		if err := JSON(&got, r); err != nil {
			t.Fatal(err)
		}
		if want := wholeFleetJSON(r); !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s: streamed\n%s\nwant\n%s", name, got.Bytes(), want)
		}
	}
}

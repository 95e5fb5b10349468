package result

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestEvidenceAccessorsReadWrittenAndDecodedForms: what a check writes and
// what JSON gives back read the same; anything else reads as absent.
func TestEvidenceAccessorsReadWrittenAndDecodedForms(t *testing.T) {
	at := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	bars := []Bar{{Label: "fe01", Count: 3}, {Label: "fe02", Count: 0}}
	written := Result{ID: "x.y", Evidence: map[string]any{EvidenceNotAfter: at.Format(time.RFC3339), EvidenceDistribution: bars}}
	b, err := json.Marshal(written)
	if err != nil {
		t.Fatal(err)
	}
	var decoded Result
	if err := json.Unmarshal(b, &decoded); err != nil {
		t.Fatal(err)
	}
	asTime := Result{Evidence: map[string]any{EvidenceNotAfter: at}}
	for name, r := range map[string]Result{"written": written, "decoded": decoded, "time.Time": asTime} {
		if got, ok := r.NotAfter(); !ok || !got.Equal(at) {
			t.Errorf("%s: NotAfter = %v, %v; want %v", name, got, ok, at)
		}
	}
	for name, r := range map[string]Result{"written": written, "decoded": decoded} {
		got := r.Distribution()
		if len(got) != 2 || got[0] != bars[0] || got[1] != bars[1] {
			t.Errorf("%s: Distribution = %v, want %v", name, got, bars)
		}
	}
	odd := Result{Evidence: map[string]any{EvidenceNotAfter: "soon", EvidenceDistribution: "three"}}
	if _, ok := odd.NotAfter(); ok {
		t.Error("NotAfter read \"soon\"")
	}
	if got := odd.Distribution(); got != nil {
		t.Errorf("Distribution of a string = %v", got)
	}
	if _, ok := (Result{}).NotAfter(); ok || (Result{}).Distribution() != nil {
		t.Error("a result without evidence reads as having some")
	}
}

// TestFrontEndsReadsTablesAsWrittenAndDecoded: the front ends named in
// evidence tables, distinct, in order, before and after JSON.
func TestFrontEndsReadsTablesAsWrittenAndDecoded(t *testing.T) {
	written := Result{Evidence: map[string]any{
		"connections": []map[string]any{{"front_end": "fe02"}, {"front_end": "fe01"}, {"front_end": ""}, {"front_end": "fe02"}},
		"steps":       []map[string]any{{"front_end": "fe03", "status": 200}},
		"other":       "fe09",
	}}
	b, err := json.Marshal(written)
	if err != nil {
		t.Fatal(err)
	}
	var decoded Result
	if err := json.Unmarshal(b, &decoded); err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]Result{"written": written, "decoded": decoded} {
		if got := strings.Join(r.FrontEnds(), ","); got != "fe02,fe01,fe03" {
			t.Errorf("%s: FrontEnds = %s, want fe02,fe01,fe03", name, got)
		}
	}
}

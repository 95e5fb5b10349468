package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"
)

// resultsOf is a JSON report's results without their durations: what a
// replay must give back exactly.
func resultsOf(t *testing.T, report string) []map[string]any {
	t.Helper()
	var doc struct {
		Results []map[string]any `json:"results"`
	}
	if err := json.Unmarshal([]byte(report), &doc); err != nil {
		t.Fatalf("not a JSON report: %v", err)
	}
	for _, r := range doc.Results {
		delete(r, "duration_ms")
	}
	return doc.Results
}

// check --lab --record, then replay: the same results, field for field,
// and the same exit code, with the lab gone.
func TestRecordThenReplayJSON(t *testing.T) {
	t.Parallel()
	bundle := filepath.Join(t.TempDir(), "support.json.gz")
	ios, out, errOut := testIO()
	code := run(context.Background(), []string{"check", "--lab", "--fault", "missing-intermediate", "--record", bundle, "--format", "json"}, ios)
	if code != exitFailed {
		t.Fatalf("check: exit %d, stderr %s", code, errOut)
	}
	live := resultsOf(t, out.String())
	ios, out, errOut = testIO()
	if code := run(context.Background(), []string{"replay", bundle, "--format", "json"}, ios); code != exitFailed {
		t.Fatalf("replay: exit %d, stderr %s", code, errOut)
	}
	replayed := resultsOf(t, out.String())
	if len(live) == 0 || !reflect.DeepEqual(live, replayed) {
		t.Errorf("the replay differs:\nlive:   %v\nreplay: %v", live, replayed)
	}
}

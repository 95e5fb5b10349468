package result

import (
	"encoding/json"
	"maps"
	"slices"
	"time"
)

// Evidence is a map for people: each check writes what helps a reader.
// The few values code reads back (the exporter's expiry gauge, the text
// report's bar chart) are read through the accessors here, which accept
// the value as a check wrote it and as a JSON round trip returns it (a
// report read back, a result decoded elsewhere).
const (
	// EvidenceNotAfter is a certificate's expiry: RFC 3339 text in UTC.
	EvidenceNotAfter = "not_after"
	// EvidenceDistribution is a small chart: a []Bar, in display order.
	EvidenceDistribution = "distribution"
)

// NotAfter is the certificate expiry the result's evidence carries, and
// whether it carries one it can read.
func (r Result) NotAfter() (time.Time, bool) {
	switch v := r.Evidence[EvidenceNotAfter].(type) {
	case time.Time:
		return v, !v.IsZero()
	case string:
		t, err := time.Parse(time.RFC3339, v)
		return t, err == nil
	}
	return time.Time{}, false
}

// Distribution is the chart the result's evidence carries, nil when it
// carries none: a []Bar as a check wrote it, or the list of
// {label, count} objects JSON gives back.
func (r Result) Distribution() []Bar {
	switch v := r.Evidence[EvidenceDistribution].(type) {
	case nil:
		return nil
	case []Bar:
		return v
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return nil
		}
		var bs []Bar
		if json.Unmarshal(b, &bs) != nil {
			return nil
		}
		return bs
	}
}

// EvidenceFrontEnd is the column of an evidence table (a list of rows,
// one per connection, request or join step) that names the front end
// that answered it.
const EvidenceFrontEnd = "front_end"

// FrontEnds lists the distinct front ends the result's evidence tables
// name, in order of first appearance: the tables the affinity checks
// write ([]map[string]any) and the same tables after a JSON round trip
// ([]any of objects).
func (r Result) FrontEnds() []string {
	var out []string
	add := func(row map[string]any) {
		if fe, _ := row[EvidenceFrontEnd].(string); fe != "" && !slices.Contains(out, fe) {
			out = append(out, fe)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(r.Evidence)) { // a stable order
		switch rows := r.Evidence[k].(type) {
		case []map[string]any:
			for _, row := range rows {
				add(row)
			}
		case []any:
			for _, v := range rows {
				if row, ok := v.(map[string]any); ok {
					add(row)
				}
			}
		}
	}
	return out
}

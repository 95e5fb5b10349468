package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/lyncprobe/lyncprobe/result"
)

// GitHubAnnotations writes a workflow command per fail, error and warn
// result that is not suppressed (::error for fail and error, ::warning for
// warn), with file and line when the result has a location, so GitHub
// shows the finding on the line of the changed file.
func GitHubAnnotations(w io.Writer, r Report) error {
	for _, res := range r.Results {
		cmd := ""
		switch {
		case res.Suppressed:
			continue
		case res.Status == result.Fail || res.Status == result.Error:
			cmd = "error"
		case res.Status == result.Warn:
			cmd = "warning"
		default:
			continue
		}
		if _, err := fmt.Fprintf(w, "::%s %s::%s\n", cmd, annotationProps(res), escapeData(annotationText(res))); err != nil {
			return err
		}
	}
	return nil
}

func annotationProps(r result.Result) string {
	var props []string
	if l := r.Location; l != nil {
		props = append(props, "file="+escapeProperty(l.File))
		if l.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", l.Line))
		}
	}
	props = append(props, "title="+escapeProperty(r.ID+" "+r.Target))
	return strings.Join(props, ",")
}

func annotationText(r result.Result) string {
	text := r.Target
	if r.Via != "" {
		text += " (" + r.Via + ")"
	}
	text += ": " + r.Message
	if r.Remedy != "" {
		text += "\nRemedy: " + r.Remedy
	}
	return text
}

// escapeData and escapeProperty follow GitHub's workflow command rules
// (actions/toolkit, command.ts): % CR LF in data, and also : and , in
// property values.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

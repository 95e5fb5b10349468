package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/lyncprobe/lyncprobe/result"
)

// JUnit XML: one test case per result, that is per (deployment, check ID,
// target, via), so several findings of one check never collide in one
// test case (the schema allows one failure per case). fail is a failure,
// error an error, skip is skipped; a suppressed result is skipped, naming
// the reason, so it shows without failing the build. The shape follows the
// Jenkins JUnit XSD (report/schema_test.go validates against it): skipped
// carries its reason as text, since that schema gives it no attributes.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string           `xml:"name,attr"`
	Tests      int              `xml:"tests,attr"`
	Failures   int              `xml:"failures,attr"`
	Errors     int              `xml:"errors,attr"`
	Skipped    int              `xml:"skipped,attr"`
	Time       string           `xml:"time,attr"`
	Timestamp  string           `xml:"timestamp,attr,omitempty"`
	Hostname   string           `xml:"hostname,attr,omitempty"`
	Properties *junitProperties `xml:"properties"`
	Cases      []junitCase      `xml:"testcase"`
}

// junitProperties carry the rest of the run header: the version and the
// resolvers.
type junitProperties struct {
	Items []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// withRun puts the run header on a suite.
func (s *junitSuite) withRun(r Run) {
	if !r.Started.IsZero() {
		s.Timestamp = r.Started.UTC().Format("2006-01-02T15:04:05")
	}
	s.Hostname = r.Host
	var props []junitProperty
	if r.Version != "" {
		props = append(props, junitProperty{"lyncprobe.version", r.Version})
	}
	if len(r.Resolvers) > 0 {
		props = append(props, junitProperty{"lyncprobe.resolvers", strings.Join(r.Resolvers, ", ")})
	}
	if len(props) > 0 {
		s.Properties = &junitProperties{props}
	}
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Skipped   *junitSkip    `xml:"skipped"`
	Failure   *junitMessage `xml:"failure"`
	Error     *junitMessage `xml:"error"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitSkip struct {
	Reason string `xml:",chardata"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// JUnit writes the JUnit XML report: one suite for the deployment.
func JUnit(w io.Writer, r Report) error {
	if r.Deployments != nil {
		return fleetJUnit(w, r)
	}
	suite := junitSuiteFor(r.Deployment, r.Results, r.Duration, r.ConfigDir)
	suite.withRun(r.Run)
	// testsuites has no skipped attribute in the Jenkins JUnit schema.
	doc := junitSuites{Name: "lyncprobe", Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors,
		Time: suite.Time, Suites: []junitSuite{suite}}
	return writeJUnit(w, doc)
}

// junitSuiteFor is one deployment's suite; configDir is its config's
// folder, which file paths in test names are relative to.
func junitSuiteFor(deployment string, rs []result.Result, d time.Duration, configDir string) junitSuite {
	suite := junitSuite{Name: deployment, Time: seconds(d.Seconds())}
	for _, res := range rs {
		c := junitCaseFor(deployment, res)
		c.Name = relativeNames(c.Name, configDir)
		suite.Tests++
		switch {
		case c.Skipped != nil:
			suite.Skipped++
		case c.Error != nil:
			suite.Errors++
		case c.Failure != nil:
			suite.Failures++
		}
		suite.Cases = append(suite.Cases, c)
	}
	return suite
}

func writeJUnit(w io.Writer, doc junitSuites) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func junitCaseFor(deployment string, r result.Result) junitCase {
	name := r.Target
	if r.Via != "" {
		name += " [" + r.Via + "]"
	}
	c := junitCase{Name: name, Classname: deployment + "." + r.ID, Time: seconds(r.Duration.Seconds())}
	switch {
	case r.Suppressed:
		c.Skipped = &junitSkip{Reason: fmt.Sprintf("suppressed (%s): %s", r.Status, r.SuppressionReason)}
	case r.Status == result.Skip:
		c.Skipped = &junitSkip{Reason: r.Message}
	case r.Status == result.Fail:
		c.Failure = &junitMessage{Message: r.Message, Type: r.Status.String(), Text: systemOut(r)}
		return c // the failure's text already says it all
	case r.Status == result.Error:
		c.Error = &junitMessage{Message: r.Message, Type: r.Status.String(), Text: systemOut(r)}
		return c
	}
	c.SystemOut = systemOut(r)
	return c
}

// systemOut is the result in a few lines: status, message, remedy, location.
func systemOut(r result.Result) string {
	lines := []string{"status: " + r.Status.String(), "message: " + r.Message}
	if r.Remedy != "" {
		lines = append(lines, "remedy: "+r.Remedy)
	}
	if r.Location != nil {
		lines = append(lines, "location: "+locationString(r.Location))
	}
	if r.Suppressed {
		lines = append(lines, "suppressed: "+r.SuppressionReason)
	}
	return strings.Join(lines, "\n")
}

func locationString(l *result.Location) string {
	if l.Line > 0 {
		return fmt.Sprintf("%s:%d", l.File, l.Line)
	}
	return l.File
}

func seconds(s float64) string { return fmt.Sprintf("%.3f", s) }

// absPath is an absolute path inside a test name: at its start, or after
// a space or a bracket ("[file /x/rp.pem]", "[/x/nginx.conf:12]"). A URL's
// "//" follows a colon and is not one.
var absPath = regexp.MustCompile(`(^|[\s\[(])(/[^\s\[\]():]+)`)

// relativeNames rewrites the absolute paths of existing files in a test
// name relative to dir: CI systems key test history on the name, which
// must not change with the checkout's folder. Paths that name no file
// (a URL path such as /abs) stay as they are.
func relativeNames(name, dir string) string {
	if dir == "" {
		return name
	}
	return absPath.ReplaceAllStringFunc(name, func(m string) string {
		sub := absPath.FindStringSubmatch(m)
		lead, p := sub[1], sub[2]
		if _, err := os.Stat(p); err != nil {
			return m
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return m
		}
		return lead + filepath.ToSlash(rel)
	})
}

package result

// Bar is one bar of a small chart carried in a result's evidence under
// the key "distribution" (a []Bar, in display order): the text report
// draws it under the result line, JSON keeps it as data.
type Bar struct {
	Label string `json:"label"`
	Count int    `json:"count"`
}

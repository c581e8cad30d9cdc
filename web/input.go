package web

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// The input layer: every path parameter, query parameter, form field and uploaded file name
// of every request passes checkInput before any handler, session lookup or SQL runs. What it
// refuses is wrong for every field of the app, so the handlers keep their own, field-specific
// checks (a date's form, a name's length) and the forms they re-show with a message; this
// layer only keeps out what no field can hold and what PostgreSQL would refuse with an error
// that looks like an outage:
//
//   - text that is not UTF-8, and control characters (NUL, escape, DEL, C1 controls); tab and
//     line breaks only in the fields that hold several lines or a password;
//   - values longer than any field needs, names of parameters longer than any the app uses,
//     more parameters than its largest form sends, and file names no file system makes;
//   - a parameter given twice (in the query, the body or both), except where a route reads a
//     list (the scenarios to compare).
//
// Limits, in characters (not bytes: the limit a person can act on).
const (
	// maxValueChars bounds every value. The longest field a page offers is a report's
	// narrative, 5 000 characters (the textarea's maxlength and the table's CHECK).
	maxValueChars = 10_000
	// maxTextareaChars bounds the textareas. Browsers send each line break as CRLF while
	// maxlength counts it once, so a legitimate 5 000-character narrative can reach 10 000 on
	// the wire; twice that leaves the page's own message ("the limit is 5000", with the text
	// kept in the form) to the person who typed too much.
	maxTextareaChars = 20_000
	// maxPathParamChars bounds a path parameter: ids, codes, tokens (43), file names of
	// downloads, months.
	maxPathParamChars = 200
	// maxParamNameChars bounds a parameter's name; the longest the app uses is about 35
	// ("y10.licensing_per_bank_per_month").
	maxParamNameChars = 100
	// maxFileNameChars is what common file systems allow for one name.
	maxFileNameChars = 255
	// maxParams bounds the parameters of one request: the model editor's largest form (ten
	// years of ten assumptions and a few more fields) sends about 110.
	maxParams = 300
	// multipartMemory is how much of a multipart body is held in memory while it is read; the
	// body limit is smaller, so nothing goes to disk.
	multipartMemory = 1 << 20
)

// multiLineFields may hold tabs and line breaks: the textareas, the scenario description
// (whose own check accepts them) and passwords (where every character a person can type
// counts, and none is stored as text).
var multiLineFields = map[string]bool{
	"milestones": true, "challenges": true, "next_month_goals": true, "description": true,
	"password": true, "current": true, "new": true, "confirm": true,
}

// textareas are the fields typed in a textarea: the report narratives and an incident's
// description (the scenario description shares the name; its own limit is 2 000).
var textareas = map[string]bool{"milestones": true, "challenges": true, "next_month_goals": true, "description": true}

// multiValued lists, per route ("METHOD /path" as registered), the parameters it reads as a
// list. Every other parameter must come at most once: a handler reads the first value, so a
// second one would be silently ignored by it, or read by some other code path.
var multiValued = map[string]map[string]bool{
	"GET /model/compare":   {"s": true},
	"POST /admin/api-keys": {"scope": true}, // one checkbox per scope
}

// checkInput refuses a request whose input no handler should see, with a 400 that says which
// parameter is wrong and how.
func checkInput(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := inputProblem(c); err != nil {
			return err
		}
		return next(c)
	}
}

// inputProblem is the first thing wrong with the request's input, as an HTTP error, or nil.
func inputProblem(c echo.Context) error {
	r := c.Request()
	if msg := pathProblem(c); msg != "" {
		return echo.NewHTTPError(http.StatusBadRequest, msg)
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest,
			`The address's parameters cannot be read (a stray "%" or ";", or far too many of them). Check the link and try again.`)
	}
	body, files, err := formOf(r)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) { // the body limit's 413
			return he
		}
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read. Reload the page and send it again.")
	}
	counts := map[string]int{}
	total := 0
	for _, set := range []url.Values{query, body} {
		for k, vs := range set {
			counts[k] += len(vs)
			total += len(vs)
		}
	}
	for k, fs := range files {
		counts[k] += len(fs)
		total += len(fs)
	}
	if total > maxParams {
		return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf(
			"The request has %d parameters; at most %d are accepted. Reload the page and send its form again.", total, maxParams))
	}
	lists := multiValued[r.Method+" "+c.Path()]
	for _, k := range sortedKeys(counts) {
		if msg := nameProblem(k); msg != "" {
			return echo.NewHTTPError(http.StatusBadRequest, msg)
		}
		if counts[k] > 1 && !lists[k] {
			return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf(
				"The parameter %q is given %d times; give it once.", k, counts[k]))
		}
	}
	for _, src := range []struct {
		what string
		set  url.Values
	}{{"The address parameter", query}, {"The field", body}} {
		for _, k := range sortedKeys(src.set) {
			for _, v := range src.set[k] {
				if msg := valueProblem(src.what, k, v); msg != "" {
					return echo.NewHTTPError(http.StatusBadRequest, msg)
				}
			}
		}
	}
	for _, k := range sortedKeys(files) {
		for _, name := range files[k] {
			if msg := fileNameProblem(name); msg != "" {
				return echo.NewHTTPError(http.StatusBadRequest, msg)
			}
		}
	}
	return nil
}

// pathProblem checks the decoded path (every path parameter is part of it) and the length of
// each path parameter.
func pathProblem(c echo.Context) string {
	p := c.Request().URL.Path
	if !utf8.ValidString(p) {
		return "The address is not valid text (it is not UTF-8). Check the link and try again."
	}
	if r, bad := controlIn(p, false); bad {
		return fmt.Sprintf("The address contains a control character (%s), which no address of Mari BI has. Check the link and try again.", runeName(r))
	}
	names, values := c.ParamNames(), c.ParamValues()
	for i, name := range names {
		if i >= len(values) {
			break
		}
		if n := utf8.RuneCountInString(values[i]); n > maxPathParamChars {
			return fmt.Sprintf("The address is too long: its %q part is %d characters; at most %d are accepted. Check the link and try again.",
				name, n, maxPathParamChars)
		}
	}
	return ""
}

// formOf parses the request's body once, here, so every later reader (the CSRF check, the
// handlers) sees what was checked: the body's fields, and the file parts of a multipart form.
func formOf(r *http.Request) (url.Values, map[string][]string, error) {
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		return nil, nil, nil
	}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	if mediaType != echo.MIMEMultipartForm {
		if err := r.ParseForm(); err != nil {
			return nil, nil, err
		}
		return r.PostForm, nil, nil
	}
	if err := r.ParseMultipartForm(multipartMemory); err != nil {
		return nil, nil, err
	}
	// Of a file, the name is checked, never the content: the handler that reads a file checks
	// what it needs.
	files := map[string][]string{}
	for k, fhs := range r.MultipartForm.File {
		for _, fh := range fhs {
			files[k] = append(files[k], fh.Filename)
		}
	}
	return r.PostForm, files, nil // PostForm holds the multipart form's plain fields too
}

func nameProblem(k string) string {
	switch {
	case !utf8.ValidString(k):
		return "A parameter's name is not valid text (it is not UTF-8). Reload the page and send its form again."
	case utf8.RuneCountInString(k) > maxParamNameChars:
		return fmt.Sprintf("A parameter's name is %d characters long; no parameter of Mari BI has a name longer than %d.",
			utf8.RuneCountInString(k), maxParamNameChars)
	}
	if r, bad := controlIn(k, false); bad {
		return fmt.Sprintf("A parameter's name contains a control character (%s). Reload the page and send its form again.", runeName(r))
	}
	return ""
}

// valueProblem checks one value of parameter k; what says where it came from.
func valueProblem(what, k, v string) string {
	if !utf8.ValidString(v) {
		return fmt.Sprintf("%s %q is not valid text (its bytes are not UTF-8). Type it again, or paste it as plain text, and send it again.", what, k)
	}
	multiLine := multiLineFields[k]
	if r, bad := controlIn(v, multiLine); bad {
		return fmt.Sprintf("%s %q contains a control character (%s), which it cannot hold. Remove it (typing the text again does) and send it again.",
			what, k, runeName(r))
	}
	limit := maxValueChars
	if textareas[k] {
		limit = maxTextareaChars
	}
	if len(v) > limit { // bytes ≥ characters: count only when it may matter
		if n := utf8.RuneCountInString(v); n > limit {
			return fmt.Sprintf("%s %q is %d characters long; at most %d are accepted.", what, k, n, limit)
		}
	}
	return ""
}

func fileNameProblem(name string) string {
	switch {
	case !utf8.ValidString(name):
		return "The uploaded file's name is not valid text (it is not UTF-8). Rename the file and upload it again."
	case utf8.RuneCountInString(name) > maxFileNameChars:
		return fmt.Sprintf("The uploaded file's name is %d characters long; rename the file to at most %d characters and upload it again.",
			utf8.RuneCountInString(name), maxFileNameChars)
	}
	if r, bad := controlIn(name, false); bad {
		return fmt.Sprintf("The uploaded file's name contains a control character (%s). Rename the file and upload it again.", runeName(r))
	}
	return ""
}

// controlIn returns the first control character of s; multiLine allows tab, CR and LF.
func controlIn(s string, multiLine bool) (rune, bool) {
	for _, r := range s {
		if !unicode.IsControl(r) {
			continue
		}
		if multiLine && (r == '\t' || r == '\n' || r == '\r') {
			continue
		}
		return r, true
	}
	return 0, false
}

// runeName names a control character for a person: "U+0000, a NUL byte".
func runeName(r rune) string {
	names := map[rune]string{0: "a NUL byte", '\t': "a tab", '\n': "a line break", '\r': "a carriage return", 0x1b: "an escape"}
	if n, ok := names[r]; ok {
		return fmt.Sprintf("U+%04X, %s", r, n)
	}
	return fmt.Sprintf("U+%04X", r)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

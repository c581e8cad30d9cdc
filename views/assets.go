package views

import "mari/static"

// asset is the address of a static file by its plain name ("app.css"): its content-hashed
// name, which browsers cache for a year, so a repeat visit downloads no stylesheet or script.
func asset(name string) string {
	return static.Path(name)
}

package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"mari/catalogue"
	"mari/views"
)

// Glossary serves GET /glossary: every metric of the catalogue with its definition, formula,
// source, unit, target and how it can be asked for, by section.
func Glossary(c echo.Context) error {
	return render(c, http.StatusOK, views.Glossary(glossarySections()))
}

func glossarySections() []views.GlossarySection {
	bySection := map[catalogue.Section][]*catalogue.Metric{}
	for _, m := range catalogue.All() {
		bySection[m.Section] = append(bySection[m.Section], m)
	}
	var out []views.GlossarySection
	for _, s := range catalogue.Sections {
		if len(bySection[s]) > 0 {
			out = append(out, views.GlossarySection{Title: string(s), Metrics: bySection[s]})
		}
	}
	return out
}

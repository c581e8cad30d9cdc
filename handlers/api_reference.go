package handlers

import (
	"net/http"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/labstack/echo/v4"

	"mari/views"
)

// APIReference serves /api, the API's reference for people, built from the OpenAPI document
// the API itself serves (so the two cannot disagree).
type APIReference struct {
	doc *huma.OpenAPI
}

// NewAPIReference returns the handler; doc is nil when the API is not served (no database).
func NewAPIReference(doc *huma.OpenAPI) *APIReference { return &APIReference{doc: doc} }

// Page shows the reference.
func (h *APIReference) Page(c echo.Context) error {
	if h.doc == nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "The API is not served by this instance (it has no database).")
	}
	return render(c, http.StatusOK, views.APIReferencePage(apiReference(h.doc, c.Scheme()+"://"+c.Request().Host)))
}

func apiReference(doc *huma.OpenAPI, origin string) views.APIReference {
	base := ""
	if len(doc.Servers) > 0 {
		base = doc.Servers[0].URL
	}
	r := views.APIReference{Description: doc.Info.Description, SpecURL: base + "/openapi.json"}
	paths := make([]string, 0, len(doc.Paths))
	for p := range doc.Paths {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		op := doc.Paths[p].Get
		if op == nil {
			continue
		}
		o := views.APIOperationDoc{ID: op.OperationID, Method: "GET", Path: base + p, Summary: op.Summary, Description: op.Description}
		for _, s := range op.Security {
			for _, scopes := range s {
				o.Scope = strings.Join(scopes, ", ")
			}
		}
		example := base + p
		var query []string
		for _, prm := range op.Parameters {
			o.Params = append(o.Params, views.APIParamDoc{Name: prm.Name, In: prm.In, Type: schemaType(doc, prm.Schema),
				Description: prm.Description, Required: prm.Required})
			switch {
			case prm.In == "path":
				example = strings.ReplaceAll(example, "{"+prm.Name+"}", exampleOf(prm))
			case prm.In == "query" && prm.Example != nil:
				query = append(query, prm.Name+"="+exampleOf(prm))
			}
		}
		if len(query) > 0 {
			example += "?" + strings.Join(query, "&")
		}
		o.Curl = `curl -sS -H "Authorization: Bearer $MARI_API_KEY" '` + origin + example + `'`
		if resp := op.Responses["200"]; resp != nil && resp.Content["application/json"] != nil {
			if s := deref(doc, resp.Content["application/json"].Schema); s != nil {
				o.Fields = fieldDocs(doc, s)
			}
		}
		r.Operations = append(r.Operations, o)
	}
	// The objects answers are made of (the answers' own bodies are listed with their operation).
	schemas := doc.Components.Schemas.Map()
	names := make([]string, 0, len(schemas))
	for n := range schemas {
		if !strings.HasSuffix(n, "Body") {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		r.Types = append(r.Types, views.APITypeDoc{Name: n, Fields: fieldDocs(doc, schemas[n])})
	}
	return r
}

// fieldDocs are an object schema's fields, by name.
func fieldDocs(doc *huma.OpenAPI, s *huma.Schema) []views.APIParamDoc {
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	slices.Sort(names)
	var out []views.APIParamDoc
	for _, n := range names {
		f := s.Properties[n]
		out = append(out, views.APIParamDoc{Name: n, Type: schemaType(doc, f), Description: f.Description})
	}
	return out
}

// deref follows a $ref to its schema in the document's components.
func deref(doc *huma.OpenAPI, s *huma.Schema) *huma.Schema {
	if s != nil && s.Ref != "" {
		return doc.Components.Schemas.SchemaFromRef(s.Ref)
	}
	return s
}

// schemaType names a schema's type for people: "string (date)", "array of Point", "one of a, b".
func schemaType(doc *huma.OpenAPI, s *huma.Schema) string {
	if s == nil {
		return ""
	}
	if s.Ref != "" {
		return s.Ref[strings.LastIndex(s.Ref, "/")+1:]
	}
	t := s.Type
	if t == "array" && s.Items != nil {
		return "array of " + schemaType(doc, s.Items)
	}
	if len(s.Enum) > 0 {
		var vals []string
		for _, v := range s.Enum {
			if str, ok := v.(string); ok && str != "" {
				vals = append(vals, str)
			}
		}
		return "one of " + strings.Join(vals, ", ")
	}
	if s.Format != "" {
		t += " (" + s.Format + ")"
	}
	if s.Nullable {
		t += ", or null"
	}
	return t
}

func exampleOf(p *huma.Param) string {
	if p.Example != nil {
		if s, ok := p.Example.(string); ok {
			return s
		}
	}
	if p.Schema != nil && len(p.Schema.Examples) > 0 {
		if s, ok := p.Schema.Examples[0].(string); ok {
			return s
		}
	}
	return "…"
}

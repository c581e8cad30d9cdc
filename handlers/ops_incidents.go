package handlers

import (
	"context"
	"fmt"

	"mari/catalogue"
	"mari/views"
)

// openIncidentsTile: the incidents open now, naming the most severe (PostgreSQL, so it keeps
// showing while the event stream is down).
var openIncidentsTile = opsTile{field: "incidents.open", detail: "incidents.detail", panel: panelSpec[opsIn]{
	Name: "incidents", Title: "Open incidents", Metric: catalogue.IDOpsOpenIncidents, DB: dbPG,
	Load: func(ctx context.Context, in opsIn) (panelOut, error) {
		inc, err := in.incidents(ctx)
		if err != nil {
			return panelOut{}, err
		}
		line := "none open"
		if inc.Count > 0 {
			more := ""
			if inc.Count > 1 {
				more = fmt.Sprintf(" (+%d more)", inc.Count-1)
			}
			line = fmt.Sprintf("%s: %s, since %s%s", inc.Severity, inc.Title, sastClock(inc.Since, "15:04"), more)
		}
		t := Table{Columns: []Column{{Name: "open_incidents", Unit: catalogue.Count}}, Rows: [][]any{{inc.Count}}}
		return panelOut{Tile: views.Tile{Value: views.Count(inc.Count), Lines: []string{line}}, Table: t}, nil
	}}}

package handlers

import "context"

// PanelObserver hears of dashboard panels whose load ran out of its own time limit
// (MARI_PANEL_TIMEOUT): the metrics count them (package telemetry).
type PanelObserver interface {
	PanelTimedOut(panel string)
}

type panelObserverKey struct{}

// WithPanelObserver makes the panels loaded for requests with ctx tell o of their timeouts.
// It travels with the request, as LoadTimes does, rather than in each dashboard's options:
// every dashboard builds its own panel runner, and one observer serves them all. A nil o, or
// none, means nobody is told.
func WithPanelObserver(ctx context.Context, o PanelObserver) context.Context {
	return context.WithValue(ctx, panelObserverKey{}, o)
}

// panelTimedOut tells ctx's observer, if any, that panel ran out of time.
func panelTimedOut(ctx context.Context, panel string) {
	if o, ok := ctx.Value(panelObserverKey{}).(PanelObserver); ok && o != nil {
		o.PanelTimedOut(panel)
	}
}

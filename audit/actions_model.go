package audit

// Actions of the financial-model scenario editor (issue 5).
const (
	ScenarioCreated  = "scenario_created"  // cloned, imported or re-forecast into a new scenario
	ScenarioSaved    = "scenario_saved"    // a new version of a scenario's assumptions
	ScenarioRestored = "scenario_restored" // an old version saved again as the newest
)

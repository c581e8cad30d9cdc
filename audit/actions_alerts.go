package audit

// Actions on alert rules and their silences (package alerts).
const (
	AlertRuleCreated   = "alert_rule_created"
	AlertRuleDeleted   = "alert_rule_deleted"
	AlertSilenced      = "alert_silenced"
	AlertSilenceEnded  = "alert_silence_ended" // ended by someone before its expiry
	AlertTestRequested = "alert_test_requested"
)

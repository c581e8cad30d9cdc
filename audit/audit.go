// Package audit records who did what, and when, in the audit_log table. Every
// security-relevant action goes through Record, inside the same transaction as the change it
// describes when there is one (pass the pgx.Tx as the Querier), so a change never lands
// without its audit entry.
package audit

import (
	"context"
	"time"

	"mari/queries"
)

// Actions recorded in the log. Add new ones here so the audit page can list them.
const (
	SignIn          = "signin"
	SignInFailed    = "signin_failed"
	SignOut         = "signout"
	AccountCreated  = "account_created"
	AccountChanged  = "account_changed"
	RoleChanged     = "role_changed"
	PasswordChanged = "password_changed"
	LinkCreated     = "link_created"
	LinkRevoked     = "link_revoked"
	LinkRotated     = "link_rotated"
	ReportPublished = "report_published"
	ReportDrafted   = "report_saved"

	PartnershipCreated = "partnership_created"
	PartnershipChanged = "partnership_changed"

	IncidentRecorded = "incident_recorded"
	IncidentChanged  = "incident_changed"
)

// Entry is one thing that happened. ActorID is nil for anonymous actors.
type Entry struct {
	ActorID    *int64
	ActorEmail string
	Action     string
	Target     string // what it happened to, e.g. "account 12", "report 2026-10 v2"
	Detail     string // free text for people; never a password, token or hash
	IP         string
}

// Record appends e to the audit log at time at.
func Record(ctx context.Context, q queries.Querier, at time.Time, e Entry) error {
	return queries.InsertAudit(ctx, q, queries.AuditRow{
		At: at, ActorID: e.ActorID, ActorEmail: e.ActorEmail, Action: e.Action,
		Target: e.Target, Detail: e.Detail, IP: e.IP,
	})
}

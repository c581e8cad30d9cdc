// Package audit records who did what, and when, in the audit_log table. Every
// security-relevant action goes through Record, inside the same transaction as the change it
// describes when there is one (pass the pgx.Tx as the Querier), so a change never lands
// without its audit entry.
package audit

import (
	"context"
	"strings"
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

	IngestTokenCreated = "ingest_token_created"
	IngestTokenRevoked = "ingest_token_revoked"
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

// Field is one audited field of a record: its name and its value as the log shows it.
type Field [2]string

// Summary is every field of a record: "name=…; status=…; …", the detail of a creation.
func Summary(fields []Field) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f[0] + "=" + f[1]
	}
	return strings.Join(parts, "; ")
}

// Changes is "field: before → after" for every field that differs between two versions of a
// record (the same fields in the same order); "" when none does.
func Changes(before, after []Field) string {
	var parts []string
	for i := range before {
		if before[i][1] != after[i][1] {
			parts = append(parts, before[i][0]+": "+before[i][1]+" → "+after[i][1])
		}
	}
	return strings.Join(parts, "; ")
}

package queries

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"mari/calendar"
)

// Investor reports (monthly, versioned; figures frozen at publication).

// Report statuses.
const (
	ReportDraft     = "draft"
	ReportPublished = "published"
)

// Report is one version of one month's investor report.
type Report struct {
	ID               int64
	Month            calendar.Date // first day
	Version          int
	Status           string
	Figures          []byte // frozen figures (JSON) of a published report; nil for a draft
	Milestones       string
	Challenges       string
	NextMonthGoals   string
	CreatedBy        *int64
	CreatedByEmail   string
	UpdatedBy        *int64
	UpdatedByEmail   string
	CreatedAt        time.Time
	UpdatedAt        time.Time
	PublishedAt      *time.Time
	PublishedBy      *int64
	PublishedByEmail string
}

// Published reports whether the report's figures are frozen.
func (r Report) Published() bool { return r.Status == ReportPublished }

func scanReport(row pgx.Row) (Report, error) {
	var r Report
	var month time.Time
	err := row.Scan(&r.ID, &month, &r.Version, &r.Status, &r.Figures, &r.Milestones, &r.Challenges,
		&r.NextMonthGoals, &r.CreatedBy, &r.CreatedByEmail, &r.UpdatedBy, &r.UpdatedByEmail,
		&r.CreatedAt, &r.UpdatedAt, &r.PublishedAt, &r.PublishedBy, &r.PublishedByEmail)
	r.Month = calendar.DateFromDB(month)
	return r, err
}

func reportOne(ctx context.Context, q Querier, name string, id int64) (Report, bool, error) {
	r, err := scanReport(q.QueryRow(ctx, SQL(name), id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Report{}, false, nil
	}
	return r, err == nil, err
}

func reportMany(ctx context.Context, q Querier, sql string, args ...any) ([]Report, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Report
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReportByID returns one report; ok is false when there is none.
func ReportByID(ctx context.Context, q Querier, id int64) (Report, bool, error) {
	return reportOne(ctx, q, "pg/report_by_id", id)
}

// ReportByIDForUpdate is ReportByID, locking the row until q's transaction ends.
func ReportByIDForUpdate(ctx context.Context, q pgx.Tx, id int64) (Report, bool, error) {
	return reportOne(ctx, q, "pg/report_by_id_for_update", id)
}

// ReportList returns every report, newest month and version first.
func ReportList(ctx context.Context, q Querier) ([]Report, error) {
	return reportMany(ctx, q, SQL("pg/report_list"))
}

// ReportVersions returns every version of a month, oldest first.
func ReportVersions(ctx context.Context, q Querier, month calendar.Date) ([]Report, error) {
	return reportMany(ctx, q, SQL("pg/report_versions"), month.MonthStart().String())
}

// Actor is who makes a change: a staff account id (nil when unknown) and email.
type Actor struct {
	ID    *int64
	Email string
}

// InsertReportDraft starts the next version of month as a draft, carrying over the narrative
// of the month's latest published version.
func InsertReportDraft(ctx context.Context, q Querier, month calendar.Date, by Actor, at time.Time) (id int64, version int, err error) {
	err = q.QueryRow(ctx, SQL("pg/report_insert_draft"), month.MonthStart().String(), by.ID, by.Email, at).Scan(&id, &version)
	return id, version, err
}

// Narrative is the text an executive writes around the figures.
type Narrative struct {
	Milestones, Challenges, NextMonthGoals string
}

// UpdateReportNarrative saves a draft's narrative; ok is false when id is not a draft.
func UpdateReportNarrative(ctx context.Context, q Querier, id int64, n Narrative, by Actor, at time.Time) (bool, error) {
	tag, err := q.Exec(ctx, SQL("pg/report_update_narrative"), id, n.Milestones, n.Challenges, n.NextMonthGoals, by.ID, by.Email, at)
	return tag.RowsAffected() == 1, err
}

// PublishReport freezes figures (JSON) into a draft; ok is false when id is not a draft.
func PublishReport(ctx context.Context, q Querier, id int64, figures []byte, by Actor, at time.Time) (bool, error) {
	tag, err := q.Exec(ctx, SQL("pg/report_publish"), id, figures, by.ID, by.Email, at)
	return tag.RowsAffected() == 1, err
}

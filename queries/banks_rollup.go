package queries

import (
	"context"

	"github.com/jackc/pgx/v5"

	"mari/calendar"
)

// MonthlyTopRecipients is how many recipients per bank each month's top list keeps for the
// top-recipients bound (see 00009_bank_rollup.sql). The page shows 20; a longer list makes
// the bound lower, so the fast path proves its answer more often.
const MonthlyTopRecipients = 100

// RebuildBankDay recomputes one SAST day of the per-bank rollups (bank_daily_status,
// bank_daily_senders, bank_daily_latency and its buckets, bank_daily_recipients) and the
// top-recipient lists of the day's month, inside tx, holding the month's lock so two runs in the
// same month (the scheduler and a backfill) never interleave. It returns the rows written.
//
// The lists are read from the month's running sums (bank_monthly_recipients), which the day's
// rewrite keeps equal to the sum of the month's days by adding the difference between the
// day's new recipient rows and its old ones, so a run reads its own day only, not every day of
// the month so far. With recount the month's sums are summed afresh from its days instead (a
// backfill's first day). bank_daily_recipients rows are rewritten only when they changed, so the
// rows counted for it are those written. live is a run of a day still running (today), which
// keeps the day's senders for its next refresh and continues from what earlier ones kept;
// afresh forgets what was kept first (see 00020_rollup_live_day.sql).
func RebuildBankDay(ctx context.Context, tx pgx.Tx, day calendar.Date, recount, live, afresh bool) (int64, error) {
	month := day.MonthStart()
	if _, err := tx.Exec(ctx, SQL("pg/rollup_lock"), "bank_daily", int32(month.Year()*100+int(month.Month()))); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, SQL("pg/rollup_bank_day_delete"), day.Time()); err != nil {
		return 0, err
	}
	// A run of today keeps the day's senders per bank with their previous day, and the next
	// refresh probes only the new ones; afresh (and any run of a past day) forgets them first.
	if afresh || !live {
		if _, err := tx.Exec(ctx, SQL("pg/live_day_bank_senders_drop"), day.Time()); err != nil {
			return 0, err
		}
	}
	if live {
		if _, err := tx.Exec(ctx, SQL("pg/live_day_bank_senders_add"), day.Time(), day.Start(), day.End()); err != nil {
			return 0, err
		}
	}
	var written int64
	for _, name := range []string{"pg/rollup_bank_status_insert", "pg/rollup_bank_senders_insert",
		"pg/rollup_bank_latency_insert"} {
		args := []any{day.Time(), day.Start(), day.End()}
		if name == "pg/rollup_bank_senders_insert" {
			args = append(args, live)
		}
		tag, err := tx.Exec(ctx, SQL(name), args...)
		if err != nil {
			return 0, err
		}
		written += tag.RowsAffected()
	}
	tag, err := tx.Exec(ctx, SQL("pg/rollup_bank_latency_buckets_insert"), day.Time())
	if err != nil {
		return 0, err
	}
	written += tag.RowsAffected()
	var recipients int64
	if err := tx.QueryRow(ctx, SQL("pg/rollup_bank_recipients_sync"), day.Time(), day.Start(), day.End(),
		month.Time()).Scan(&recipients); err != nil {
		return 0, err
	}
	written += recipients
	if recount {
		if _, err := tx.Exec(ctx, SQL("pg/rollup_bank_recipients_clear"), month.Time()); err != nil {
			return 0, err
		}
		if _, err := tx.Exec(ctx, SQL("pg/rollup_bank_recipients_resum"), month.Time(), month.AddMonths(1).Time()); err != nil {
			return 0, err
		}
	}
	if _, err := tx.Exec(ctx, SQL("pg/rollup_bank_month_delete"), month.Time()); err != nil {
		return 0, err
	}
	var listed int64
	if err := tx.QueryRow(ctx, SQL("pg/rollup_bank_month_insert"), month.Time(), MonthlyTopRecipients).Scan(&listed); err != nil {
		return 0, err
	}
	return written + listed, nil
}

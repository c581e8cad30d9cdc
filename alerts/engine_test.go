package alerts

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"mari/dbtest"
)

// webhookBodies are the queued webhook bodies of rule id, oldest first.
func (f *fixture) webhookBodies(id int64) []amPayload {
	f.t.Helper()
	rows, err := f.db.PG.Query(context.Background(), `SELECT body FROM alert_deliveries WHERE rule_id = $1 AND channel = 'webhook' ORDER BY id`, id)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []amPayload
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			f.t.Fatal(err)
		}
		var p amPayload
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			f.t.Fatalf("%v: %s", err, body)
		}
		out = append(out, p)
	}
	return out
}

func wantList(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if joined(got) != joined(want) {
		t.Errorf("%s:\n got %s\nwant %s", what, joined(got), joined(want))
	}
}

// A success rate of 80% (40 completed, 10 failed in the window) against a threshold of 90%
// goes pending at the first round and fires once it has held for its 2 minutes; 200 more
// completions (96%) clear it, and it resolves only once it has been clear for 2 minutes. Each
// change is in the history with its value, and the firing and the resolution are queued for
// the webhook as Alertmanager would send them.
func TestSuccessRateFiresAfterItsDurationAndResolves(t *testing.T) {
	f := newFixture(t)
	id := f.rule(Form{Name: "Success rate", Template: "success_rate", Threshold: "90", Window: "10", For: "2", MinAttempts: "20",
		WebhookURL: "https://hooks.mari.example/alerts"})
	f.pay(40, "COMPLETED", "BAO", "09:55:00", 1000)
	f.pay(10, "FAILED", "BAO", "09:55:00", 1000)
	f.pay(3, "PENDING", "BAO", "09:55:00", 1000) // not final: not counted
	f.expect(id,
		[2]string{"10:00:00", "pending (holds)"}, [2]string{"10:00:30", "pending (holds)"}, [2]string{"10:01:00", "pending (holds)"},
		[2]string{"10:01:30", "pending (holds)"}, [2]string{"10:02:00", "firing (holds)"})
	if d := f.ruleByID(id).State.LastDetail; !strings.Contains(d, "success rate 80.00% of 50 payments (40 completed, 10 failed)") {
		t.Errorf("detail %q", d)
	}
	wantList(t, "deliveries after firing", f.deliveries(id), "firing webhook")

	f.pay(200, "COMPLETED", "UTB", "10:03:00", 1000)
	f.expect(id,
		[2]string{"10:02:30", "firing (holds)"}, // the completions are not final yet at 10:02:30
		[2]string{"10:03:30", "firing (clear)"}, [2]string{"10:04:00", "firing (clear)"}, [2]string{"10:05:00", "firing (clear)"},
		[2]string{"10:05:30", "resolved (clear)"}, [2]string{"10:06:00", "ok (clear)"}, [2]string{"10:06:30", "ok (clear)"})
	wantList(t, "history", f.history(id),
		"10:00:00 ok→pending 80", "10:02:00 pending→firing 80", "10:05:30 firing→resolved 100", "10:06:00 resolved→ok 100")
	wantList(t, "deliveries", f.deliveries(id), "firing webhook", "resolved webhook")

	bodies := f.webhookBodies(id)
	fire, res := bodies[0], bodies[1]
	if fire.Version != "4" || fire.Status != "firing" || len(fire.Alerts) != 1 || fire.Alerts[0].Labels["alertname"] != "Success rate" ||
		fire.Alerts[0].StartsAt.String() != "2026-03-16 08:02:00 +0000 UTC" || !fire.Alerts[0].EndsAt.IsZero() ||
		fire.Alerts[0].GeneratorURL != testBase+"/alerts#rule-"+itoa(id) || fire.Alerts[0].Annotations["value"] != "80" {
		t.Errorf("firing payload: %+v", fire)
	}
	if res.Status != "resolved" || res.Alerts[0].StartsAt.String() != "2026-03-16 08:02:00 +0000 UTC" ||
		res.Alerts[0].EndsAt.String() != "2026-03-16 08:05:30 +0000 UTC" || res.Alerts[0].Fingerprint != fire.Alerts[0].Fingerprint {
		t.Errorf("resolved payload: %+v", res)
	}
}

// Below the minimum number of payments the rule has not enough data and does not fire, however
// bad the rate (5 of 10 failed); at the minimum it judges. A rate exactly at the threshold is
// not below it.
func TestSuccessRateNeedsItsMinimumOfPayments(t *testing.T) {
	f := newFixture(t)
	id := f.rule(Form{Name: "Quiet hour", Template: "success_rate", Bank: "BAO", Threshold: "90", Window: "10", For: "0", MinAttempts: "20"})
	atThreshold := f.rule(Form{Name: "At the threshold", Template: "success_rate", Bank: "UTB", Threshold: "90", Window: "10", For: "0", MinAttempts: "20"})
	f.pay(5, "COMPLETED", "BAO", "09:59:00", 1000)
	f.pay(5, "FAILED", "BAO", "09:59:00", 1000)
	f.pay(45, "COMPLETED", "UTB", "09:59:00", 1000)
	f.pay(5, "FAILED", "UTB", "09:59:00", 1000)
	for _, at := range []string{"10:00:00", "10:00:30", "10:01:00", "10:05:00"} {
		f.expect(id, [2]string{at, "ok (not_enough)"})
		if got := f.state(atThreshold); got != "ok (clear)" {
			t.Errorf("%s: 90.00%% against 90%%: %s", at, got)
		}
	}
	if d := f.ruleByID(id).State.LastDetail; !strings.Contains(d, "not enough data: 10 payments (5 completed, 5 failed)") || !strings.Contains(d, "at least 20") {
		t.Errorf("detail %q", d)
	}
	f.pay(10, "FAILED", "BAO", "10:05:10", 1000) // 20 payments, 25%
	f.expect(id, [2]string{"10:05:30", "firing (holds)"})
	wantList(t, "history", f.history(id), "10:05:30 ok→firing 25")
	wantList(t, "history at the threshold", f.history(atThreshold))
}

// A rate see-sawing across the threshold at every round never fires a rule that must hold for 2
// minutes (it goes pending and back), and once the rule fires, the see-saw does not resolve it:
// it resolves only after 2 minutes clear. One firing, one resolution, two notifications.
func TestNoFlappingAtTheThreshold(t *testing.T) {
	f := newFixture(t)
	id := f.rule(Form{Name: "See-saw", Template: "success_rate", Threshold: "90", Window: "30", For: "2", MinAttempts: "20",
		WebhookURL: "https://hooks.mari.example/alerts"})
	f.pay(90, "COMPLETED", "BAO", "09:50:00", 1000)
	f.pay(10, "FAILED", "BAO", "09:50:00", 1000)                    // 90.00%: at the threshold, clear
	below := func() { f.pay(2, "FAILED", "UTB", "09:50:00", 1000) } // 90/102 = 88.24%: below
	above := func() { f.db.Exec(t, `DELETE FROM transactions WHERE bank_id = 'UTB'`) }

	// Before firing: pending, ok, pending, ok, …
	for i, at := range []string{"10:00:00", "10:00:30", "10:01:00", "10:01:30", "10:02:00", "10:02:30", "10:03:00", "10:03:30"} {
		want := "ok (clear)"
		if i%2 == 0 {
			below()
			want = "pending (holds)"
		} else {
			above()
		}
		f.expect(id, [2]string{at, want})
	}
	// Held for 2 minutes: fires.
	below()
	f.expect(id, [2]string{"10:04:00", "pending (holds)"}, [2]string{"10:05:00", "pending (holds)"}, [2]string{"10:06:00", "firing (holds)"})
	// Firing, the see-saw goes on: still firing.
	for i, at := range []string{"10:06:30", "10:07:00", "10:07:30", "10:08:00", "10:08:30", "10:09:00", "10:09:30", "10:10:00"} {
		want := "firing (holds)"
		if i%2 == 0 {
			above()
			want = "firing (clear)"
		} else {
			below()
		}
		f.expect(id, [2]string{at, want})
	}
	// Clear for 2 minutes: resolves.
	above()
	f.expect(id, [2]string{"10:10:30", "firing (clear)"}, [2]string{"10:11:30", "firing (clear)"}, [2]string{"10:12:00", "firing (clear)"},
		[2]string{"10:12:30", "resolved (clear)"})
	h := f.history(id)
	firings, resolutions := 0, 0
	for _, line := range h {
		firings += strings.Count(line, "pending→firing")
		resolutions += strings.Count(line, "firing→resolved")
	}
	if firings != 1 || resolutions != 1 || h[len(h)-2] != "10:06:00 pending→firing 88.24" || h[len(h)-1] != "10:12:30 firing→resolved 90" {
		t.Errorf("history: %s", joined(h))
	}
	wantList(t, "deliveries", f.deliveries(id), "firing webhook", "resolved webhook")
}

// No event at all fires the stalled-stream rule at once (no data is not "fine"); an event clears
// it, and five minutes without one fire it again, naming when the newest arrived.
func TestNoEventsFiresOnNoDataAndOnAStall(t *testing.T) {
	f := newFixture(t)
	id := f.rule(Form{Name: "Stream stalled", Template: "no_events", Window: "5", For: "0", EmailTo: "ops@mari.example"})
	f.expect(id, [2]string{"10:00:00", "firing (holds)"})
	if d := f.ruleByID(id).State.LastDetail; d != "no event received in the last 5 min nor in the day before" {
		t.Errorf("detail %q", d)
	}
	f.received("10:00:10")
	f.expect(id, [2]string{"10:00:30", "resolved (clear)"}, [2]string{"10:01:00", "ok (clear)"}, [2]string{"10:05:00", "ok (clear)"},
		[2]string{"10:05:30", "firing (holds)"})
	if d := f.ruleByID(id).State.LastDetail; d != "no event received in the last 5 min; the newest arrived at 2026-03-16 10:00:10 SAST" {
		t.Errorf("detail %q", d)
	}
	wantList(t, "history", f.history(id), "10:00:00 ok→firing 0", "10:00:30 firing→resolved 1", "10:01:00 resolved→ok 1", "10:05:30 ok→firing 0")
	wantList(t, "deliveries", f.deliveries(id), "firing email", "resolved email", "firing email")
}

// The bank's exact nearest-rank p95 of its final payments in the window, against its SLA
// (3 000 ms): 19 payments are not enough; the 20th makes 18 × 1 000 ms and 2 × 5 000 ms, whose
// p95 (rank 19) is 5 000 ms; 20 more at 1 000 ms make rank 38 of 40 1 000 ms. Other banks'
// payments and pending ones do not count.
func TestBankP95AboveItsSLA(t *testing.T) {
	f := newFixture(t)
	id := f.rule(Form{Name: "BAO slow", Template: "bank_p95", Bank: "BAO", Window: "15", For: "1", MinAttempts: "20"})
	f.pay(17, "COMPLETED", "BAO", "09:59:00", 1000)
	f.pay(1, "COMPLETED", "BAO", "09:59:00", 5000)
	f.pay(1, "FAILED", "BAO", "09:59:00", 5000)
	f.pay(10, "COMPLETED", "UTB", "09:59:00", 9000)
	f.pay(3, "PENDING", "BAO", "09:59:00", 9000)
	f.expect(id, [2]string{"10:00:00", "ok (not_enough)"})
	f.pay(1, "COMPLETED", "BAO", "10:00:10", 1000)
	f.expect(id, [2]string{"10:00:30", "pending (holds)"}, [2]string{"10:01:00", "pending (holds)"}, [2]string{"10:01:30", "firing (holds)"})
	if d := f.ruleByID(id).State.LastDetail; d != "p95 5000 ms of 20 payments of BAO in the last 15 min; SLA 3000 ms" {
		t.Errorf("detail %q", d)
	}
	f.pay(20, "COMPLETED", "BAO", "10:01:40", 1000)
	f.expect(id, [2]string{"10:02:00", "firing (clear)"}, [2]string{"10:02:30", "firing (clear)"}, [2]string{"10:03:00", "resolved (clear)"})
	wantList(t, "history", f.history(id), "10:00:30 ok→pending 5000", "10:01:30 pending→firing 5000", "10:03:00 firing→resolved 1000")
	// A bank's own SLA is the threshold: at 6 000 ms, 5 000 ms is within it.
	f.db.Exec(t, `UPDATE bank_partnerships SET sla_p95_ms = 6000 WHERE bank_code = 'UTB'`)
	utb := f.rule(Form{Name: "UTB slow", Template: "bank_p95", Bank: "UTB", Window: "15", For: "0", MinAttempts: "5"})
	f.expect(utb, [2]string{"10:03:30", "firing (holds)"}) // 10 × 9 000 ms
	f.db.Exec(t, `UPDATE bank_partnerships SET sla_p95_ms = 9000 WHERE bank_code = 'UTB'`)
	f.expect(utb, [2]string{"10:04:00", "resolved (clear)"}) // not above 9 000
}

// More dead letters in the window than the threshold fire (2 is not above 2; 3 is); they age
// out of the window and the rule resolves.
func TestDeadLettersAboveACount(t *testing.T) {
	f := newFixture(t)
	id := f.rule(Form{Name: "Dead letters", Template: "dead_letters", Threshold: "2", Window: "10", For: "0"})
	f.deadLetter("09:58:00")
	f.deadLetter("09:58:00")
	f.expect(id, [2]string{"10:00:00", "ok (clear)"})
	f.deadLetter("09:59:00")
	// The window is (now − 10 min, now]: at 10:08:00 the two of 09:58:00 have left it.
	f.expect(id, [2]string{"10:00:30", "firing (holds)"}, [2]string{"10:07:30", "firing (holds)"},
		[2]string{"10:08:00", "resolved (clear)"}, [2]string{"10:08:30", "ok (clear)"})
	wantList(t, "history", f.history(id), "10:00:30 ok→firing 3", "10:08:00 firing→resolved 1", "10:08:30 resolved→ok 1")
}

// The newest run of any job failing fires the rollup rule, until a newer run of that job
// succeeds; runs finished after the evaluation's instant are not read.
func TestRollupFailureFiresUntilTheJobSucceeds(t *testing.T) {
	f := newFixture(t)
	id := f.rule(Form{Name: "Rollups", Template: "rollup_failure", For: "0"})
	f.expect(id, [2]string{"10:00:00", "ok (clear)"})
	if d := f.ruleByID(id).State.LastDetail; d != "no rollup has run yet" {
		t.Errorf("detail %q", d)
	}
	run := func(job, finished, failure string) {
		at := dbtest.SAST("2026-03-16 " + finished)
		var e any
		if failure != "" {
			e = failure
		}
		f.db.Exec(t, `INSERT INTO rollup_runs (job, mode, period_start, period_end, started_at, finished_at, rows_written, error)
			VALUES ($1, 'partial', '2026-03-16', '2026-03-16', $2, $2, 0, $3)`, job, at, e)
	}
	run("daily_metrics", "10:00:10", "")
	run("bank_daily", "10:00:20", "statement timeout")
	run("bank_daily", "10:02:00", "") // not finished yet at 10:00:30
	f.expect(id, [2]string{"10:00:30", "firing (holds)"})
	if d := f.ruleByID(id).State.LastDetail; d != "bank_daily failed at 2026-03-16 10:00:20 SAST: statement timeout" {
		t.Errorf("detail %q", d)
	}
	f.expect(id, [2]string{"10:01:30", "firing (holds)"}, [2]string{"10:02:00", "resolved (clear)"})
	if d := f.ruleByID(id).State.LastDetail; d != "the newest run of each of the 2 rollup jobs succeeded" {
		t.Errorf("detail %q", d)
	}
}

// A silence keeps a firing rule quiet (its history says so) and ends by itself: the next round
// after its expiry announces the firing it kept quiet. A resolution within a later silence is
// announced when that silence is ended early.
func TestSilenceSuppressesDeliveryAndExpires(t *testing.T) {
	f := newFixture(t)
	id := f.rule(Form{Name: "Silenced", Template: "success_rate", Threshold: "90", Window: "60", For: "0", MinAttempts: "1",
		WebhookURL: "https://hooks.mari.example/alerts"})
	ctx := context.Background()
	f.clock.set(dbtest.SAST("2026-03-16 09:59:00"))
	if _, err := f.svc.Silence(ctx, f.ops, id, "30m", "bank maintenance window"); err != nil {
		t.Fatal(err)
	}
	f.pay(1, "COMPLETED", "BAO", "09:59:30", 1000)
	f.pay(1, "FAILED", "BAO", "09:59:30", 1000)
	f.expect(id, [2]string{"10:00:00", "firing (holds)"}, [2]string{"10:28:30", "firing (holds)"})
	wantList(t, "history while silenced", f.history(id), "10:00:00 ok→firing 50 (silenced)")
	wantList(t, "deliveries while silenced", f.deliveries(id))
	if r := f.ruleByID(id); r.Silence == nil || r.Silence.Reason != "bank maintenance window" {
		t.Errorf("silence in force: %+v", r.Silence)
	}
	f.expect(id, [2]string{"10:29:00", "firing (holds)"}) // the silence ended at 10:29:00
	wantList(t, "deliveries after the silence", f.deliveries(id), "firing webhook")
	if r := f.ruleByID(id); r.Silence != nil {
		t.Errorf("silence still in force after its expiry: %+v", r.Silence)
	}

	f.clock.set(dbtest.SAST("2026-03-16 10:30:00"))
	sid, err := f.svc.Silence(ctx, f.ops, id, "1h", "deploying a fix")
	if err != nil {
		t.Fatal(err)
	}
	f.pay(100, "COMPLETED", "BAO", "10:30:10", 1000)
	f.expect(id, [2]string{"10:30:30", "resolved (clear)"}, [2]string{"10:31:00", "ok (clear)"})
	wantList(t, "deliveries while silenced again", f.deliveries(id), "firing webhook")
	f.clock.set(dbtest.SAST("2026-03-16 10:40:00"))
	if err := f.svc.EndSilence(ctx, f.ops, id, sid); err != nil {
		t.Fatal(err)
	}
	f.expect(id, [2]string{"10:40:00", "ok (clear)"})
	wantList(t, "deliveries after the silence was ended", f.deliveries(id), "firing webhook", "resolved webhook")
	if res := f.webhookBodies(id)[1]; res.Alerts[0].EndsAt.String() != "2026-03-16 08:30:30 +0000 UTC" {
		t.Errorf("resolution's endsAt %s; want when it resolved", res.Alerts[0].EndsAt)
	}
	wantList(t, "history", f.history(id), "10:00:00 ok→firing 50 (silenced)", "10:30:30 firing→resolved 99.02 (silenced)", "10:31:00 resolved→ok 99.02 (silenced)")
}

// Two evaluators meeting at the same round: the lease lets one evaluate, so the firing is
// recorded and queued once. And were two ever to evaluate the same instant (one that stalled
// past its lease), the rule's row lock and last evaluation let only the first record it.
func TestTwoEvaluatorsFireEachTransitionOnce(t *testing.T) {
	f := newFixture(t)
	id := f.rule(Form{Name: "Twice?", Template: "success_rate", Threshold: "90", Window: "60", For: "0", MinAttempts: "1",
		WebhookURL: "https://hooks.mari.example/alerts", EmailTo: "ops@mari.example"})
	f.pay(1, "FAILED", "BAO", "09:59:30", 1000)
	other := NewEvaluator(f.db.PG, 30*time.Second, testBase, quiet)
	other.Now = f.clock.Now
	evaluators := []*Evaluator{f.eval, other}
	ctx := context.Background()

	f.clock.set(dbtest.SAST("2026-03-16 10:00:00"))
	led := make([]bool, 2)
	errs := f.db.Race(t, 2, func(i int) error {
		led[i], _ = evaluators[i].Tick(ctx)
		return nil
	}, `LOCK TABLE scheduler_leases IN EXCLUSIVE MODE`)
	if errs[0] != nil || errs[1] != nil || led[0] == led[1] {
		t.Fatalf("led %v (%v): want exactly one", led, errs)
	}
	wantList(t, "history", f.history(id), "10:00:00 ok→firing 0")
	wantList(t, "deliveries", f.deliveries(id), "firing webhook", "firing email")

	// Without the lease: both evaluate 10:00:30, meeting at the rule's row.
	f.pay(9, "COMPLETED", "BAO", "10:00:10", 1000)
	f.clock.set(dbtest.SAST("2026-03-16 10:00:30"))
	changed := make([]int, 2)
	errs = f.db.Race(t, 2, func(i int) error {
		var err error
		changed[i], _, err = evaluators[i].EvaluateAll(ctx, f.clock.Now())
		return err
	}, `SELECT 1 FROM alert_rules WHERE id = $1 FOR UPDATE`, id)
	if errs[0] != nil || errs[1] != nil || changed[0]+changed[1] != 1 {
		t.Fatalf("changes %v (%v): want one between them", changed, errs)
	}
	wantList(t, "history", f.history(id), "10:00:00 ok→firing 0", "10:00:30 firing→resolved 90")
	wantList(t, "deliveries", f.deliveries(id), "firing webhook", "firing email", "resolved webhook", "resolved email")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

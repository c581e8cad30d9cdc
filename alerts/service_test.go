package alerts

import (
	"context"
	"errors"
	"testing"

	"mari/dbtest"
)

func asInput(err error, in *InputError) bool { return errors.As(err, in) }

// auditActions is the audit log, oldest first: "action name" (the name from the entry's
// detail).
func auditActions(t *testing.T, db *dbtest.DB) []string {
	t.Helper()
	rows, err := db.PG.Query(context.Background(), `SELECT action, substring(detail from 'name="([^"]*)"') FROM audit_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var action string
		var name *string
		if err := rows.Scan(&action, &name); err != nil {
			t.Fatal(err)
		}
		if name != nil {
			action += " " + *name
		}
		out = append(out, action)
	}
	return out
}

// Impossible rules are refused field by field, and nothing is written (no rule, no audit
// entry): a rate of 150% or 0%, windows and durations out of range, no name, an unknown bank,
// a webhook that is not http(s), channels the server cannot use, a name taken in any case.
func TestBadRulesAreRefusedAndWriteNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	good := Form{Name: "Success rate", Template: "success_rate", Threshold: "90", Window: "10", For: "2", MinAttempts: "20"}
	f.rule(good)
	with := func(change func(*Form)) Form { g := good; g.Name = "Another"; change(&g); return g }
	for _, c := range []struct {
		name  string
		form  Form
		field string
		msg   string
	}{
		{"150%", with(func(g *Form) { g.Threshold = "150" }), "threshold", MsgPercent},
		{"0%", with(func(g *Form) { g.Threshold = "0" }), "threshold", MsgPercent},
		{"three decimals", with(func(g *Form) { g.Threshold = "99.125" }), "threshold", MsgPercent},
		{"not a number", with(func(g *Form) { g.Threshold = "NaN" }), "threshold", MsgPercent},
		{"an exponent", with(func(g *Form) { g.Threshold = "1e1" }), "threshold", MsgPercent},
		{"no window", with(func(g *Form) { g.Window = "0" }), "window", MsgWindow},
		{"negative window", with(func(g *Form) { g.Window = "-5" }), "window", MsgWindow},
		{"window over a day", with(func(g *Form) { g.Window = "1441" }), "window", MsgWindow},
		{"negative duration", with(func(g *Form) { g.For = "-1" }), "for", MsgFor},
		{"no minimum", with(func(g *Form) { g.MinAttempts = "0" }), "min_attempts", MsgMinAttempts},
		{"empty name", with(func(g *Form) { g.Name = "  " }), "name", MsgName},
		{"control character", with(func(g *Form) { g.Name = "a\x1bb" }), "name", MsgName},
		{"unknown template", with(func(g *Form) { g.Template = "cpu" }), "template", MsgTemplate},
		{"malformed bank", with(func(g *Form) { g.Bank = "bao; drop" }), "bank", MsgBank},
		{"unknown bank", with(func(g *Form) { g.Bank = "NOPE" }), "bank", `There is no bank "NOPE": ` + MsgBank},
		{"p95 without a bank", with(func(g *Form) { g.Template = "bank_p95" }), "bank", MsgBankRequired},
		{"ftp webhook", with(func(g *Form) { g.WebhookURL = "ftp://hooks.mari.example/" }), "webhook_url", MsgWebhookURL},
		{"relative webhook", with(func(g *Form) { g.WebhookURL = "/alerts" }), "webhook_url", MsgWebhookURL},
		{"webhook with a password", with(func(g *Form) { g.WebhookURL = "https://u:p@hooks.mari.example/" }), "webhook_url", MsgWebhookURL},
		{"bad email", with(func(g *Form) { g.EmailTo = "ops at mari" }), "email_to", MsgEmail},
		{"email with a name", with(func(g *Form) { g.EmailTo = "Ops <ops@mari.example>" }), "email_to", MsgEmail},
		{"dead letters below 0", with(func(g *Form) { g.Template = "dead_letters"; g.Threshold = "-1" }), "threshold", MsgDeadLetters},
		{"duplicate name", with(func(g *Form) { g.Name = "SUCCESS RATE" }), "name", `A rule named "SUCCESS RATE" already exists; choose another name.`},
	} {
		_, err := f.svc.Create(ctx, f.ops, c.form)
		var in InputError
		if !asInput(err, &in) || in.Fields[c.field] != c.msg {
			t.Errorf("%s: %v; want %s: %q", c.name, err, c.field, c.msg)
		}
	}
	// A server without the webhook secret or an SMTP relay refuses those channels, saying why.
	bare := &Service{DB: f.db.PG, Now: f.clock.Now}
	_, err := bare.Create(ctx, f.ops, with(func(g *Form) { g.WebhookURL = "https://hooks.mari.example/"; g.EmailTo = "ops@mari.example" }))
	var in InputError
	if !asInput(err, &in) || in.Fields["webhook_url"] != MsgWebhookSecret || in.Fields["email_to"] != MsgEmailRelay {
		t.Errorf("channels the server cannot use: %v", err)
	}
	if n := f.db.Count(t, `SELECT count(*) FROM alert_rules`); n != 1 {
		t.Errorf("%d rules; want the one good rule", n)
	}
	wantList(t, "audit", auditActions(t, f.db), "alert_rule_created Success rate")
}

// Every change people make is audited with who made it: creating and deleting a rule,
// silencing it and ending the silence early. Changes to what is not there are 404s, and a
// silence needs a reason and a length from the list.
func TestRuleAndSilenceChangesAreAudited(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.clock.set(dbtest.SAST("2026-03-16 10:00:00"))
	id := f.rule(Form{Name: "Dead letters", Template: "dead_letters", Threshold: "5", Window: "15", For: "0", EmailTo: "ops@mari.example"})
	var in InputError
	if _, err := f.svc.Silence(ctx, f.ops, id, "30m", "  "); !asInput(err, &in) || in.Fields["reason"] != MsgReason {
		t.Errorf("no reason: %v", err)
	}
	if _, err := f.svc.Silence(ctx, f.ops, id, "5y", "why not"); !asInput(err, &in) || in.Fields["duration"] != MsgDuration {
		t.Errorf("a length not on the list: %v", err)
	}
	var nf NotFoundError
	if _, err := f.svc.Silence(ctx, f.ops, 999, "30m", "no such rule"); !errors.As(err, &nf) {
		t.Errorf("silencing a rule that does not exist: %v", err)
	}
	sid, err := f.svc.Silence(ctx, f.ops, id, "4h", "replaying the dead letters")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.EndSilence(ctx, f.ops, id, sid); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.EndSilence(ctx, f.ops, id, sid); !errors.As(err, &nf) {
		t.Errorf("ending a silence twice: %v", err)
	}
	if err := f.svc.Delete(ctx, f.ops, id); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Delete(ctx, f.ops, id); !errors.As(err, &nf) {
		t.Errorf("deleting twice: %v", err)
	}
	trail := f.db.AuditTrail(t)
	if len(trail) != 4 {
		t.Fatalf("audit trail: %v", trail)
	}
	want := []string{
		`alert_rule_created | alert rule 1 | name="Dead letters"; template=dead_letters; condition=more than 5 dead letters over the last 15 min; email=ops@mari.example | by ops@mari.example (7) from 192.0.2.7 at 2026-03-16 10:00:00`,
		`alert_silenced | alert rule 1 | name="Dead letters"; silence 1 until 2026-03-16 14:00:00 SAST; reason="replaying the dead letters" | by ops@mari.example (7) from 192.0.2.7 at 2026-03-16 10:00:00`,
		`alert_silence_ended | alert rule 1 | silence 1 ended; reason was "replaying the dead letters" | by ops@mari.example (7) from 192.0.2.7 at 2026-03-16 10:00:00`,
		`alert_rule_deleted | alert rule 1 | name="Dead letters"; state=ok | by ops@mari.example (7) from 192.0.2.7 at 2026-03-16 10:00:00`,
	}
	for i := range want {
		if trail[i] != want[i] {
			t.Errorf("audit %d:\n got %s\nwant %s", i, trail[i], want[i])
		}
	}
	// A name is free again once its rule is deleted.
	f.rule(Form{Name: "dead letters", Template: "dead_letters", Threshold: "5", Window: "15", For: "0"})
}

// Deleting a firing rule whose firing was announced announces its end, so no receiver keeps an
// alert open for a rule that no longer exists.
func TestDeletingAFiringRuleResolvesIt(t *testing.T) {
	f := newFixture(t)
	id := f.firingRule("Going away", "https://hooks.mari.example/a", "")
	if err := f.svc.Delete(context.Background(), f.ops, id); err != nil {
		t.Fatal(err)
	}
	wantList(t, "deliveries", f.deliveries(id), "firing webhook", "resolved webhook")
	f.at("10:00:30") // a deleted rule is no longer evaluated
	if n := f.db.Count(t, `SELECT count(*) FROM alert_history WHERE rule_id = $1`, id); n != 1 {
		t.Errorf("%d history rows; want the one firing", n)
	}
}

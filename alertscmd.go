package main

import (
	"context"
	"log/slog"
	"os"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"

	"mari/alerts"
	"mari/config"
)

// startAlerts runs the alert rules' evaluator (one instance at a time, under its lease) and the
// deliverer of their notifications (every instance, each claiming its own) until ctx ends or
// the returned stop is called, which waits for both to finish.
func startAlerts(ctx context.Context, cfg config.Config, pg *pgxpool.Pool, log *slog.Logger) (stop func()) {
	var mail alerts.Mailer
	if cfg.SMTPAddr != "" {
		host, _ := os.Hostname()
		mail = alerts.SMTP{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom, Username: cfg.SMTPUsername, Password: cfg.SMTPPassword, Hostname: host}
	}
	deliverer := alerts.NewDeliverer(pg, cfg.AlertWebhookSecret, mail, log)
	evaluator := alerts.NewEvaluator(pg, cfg.AlertEvery, cfg.AlertBaseURL, log)
	evaluator.Queued = deliverer.Wake // a change of state is sent at once, not at the next look
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); evaluator.Run(ctx) }()
	go func() { defer wg.Done(); deliverer.Run(ctx) }()
	log.Info("alerts", "every", evaluator.Every, "holder", evaluator.Holder,
		"webhooks", cfg.AlertWebhookSecret != "", "email", mail != nil)
	return func() { cancel(); wg.Wait() }
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"mari/bench"
	"mari/config"
)

// benchCmd measures dashboard server time on demo datasets of known size; see bench/.
func benchCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	sizes := fs.String("sizes", "1,10", "comma-separated demo-data scales; each gets its own database pair mari_bench_s<scale>, loaded once and reused")
	pages := fs.String("pages", "/,/ops,/ops/data,/growth,/banks,/banks/BAO,/model/seed,/model/seed/actuals", "comma-separated paths to measure (signed in as an executive)")
	requests := fs.Int("requests", 200, "measured requests per page")
	warmup := fs.Int("warmup", 20, "unmeasured warm-up requests per page")
	months := fs.Int("months", 18, "months of demo history when a dataset is first loaded")
	out := fs.String("out", "artifacts/bench.md", "markdown results file (empty for none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var scales []float64
	for _, s := range strings.Split(*sizes, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || v <= 0 || v > 100 {
			return fmt.Errorf("-sizes: %q is not a scale above 0 and at most 100", s)
		}
		scales = append(scales, v)
	}
	var paths []string
	for _, p := range strings.Split(*pages, ",") {
		if p = strings.TrimSpace(p); !strings.HasPrefix(p, "/") {
			return fmt.Errorf("-pages: %q is not a path starting with /", p)
		}
		paths = append(paths, p)
	}
	if *requests < 1 || *warmup < 0 {
		return errors.New("-requests must be at least 1 and -warmup at least 0")
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	admin := os.Getenv("MARI_TEST_PG_ADMIN_URL")
	if admin == "" {
		if admin, err = bench.AdminURL(cfg.PostgresURL); err != nil {
			return err
		}
	}
	_, err = bench.Run(ctx, bench.Options{
		Scales: scales, Pages: paths, Requests: *requests, Warmup: *warmup, Months: *months, Seed: 42,
		Config: cfg, PGAdminURL: admin, Out: os.Stdout, Progress: os.Stderr, MarkdownPath: *out,
	})
	return err
}

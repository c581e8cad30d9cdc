package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"mari/auth"
	"mari/config"
	"mari/dbconn"
	"mari/ingest"
	"mari/queries"
)

// ingestTokenCmd is `mari ingest-token create|list|revoke`: the bearer tokens of
// POST /ingest/v1/{topic}, from the command line (admins also have the ingestion page).
func ingestTokenCmd(ctx context.Context, args []string) error {
	usageErr := errors.New("usage: mari ingest-token create -name NAME [-replace]\n" +
		"       mari ingest-token list\n" +
		"       mari ingest-token revoke -id ID")
	if len(args) == 0 {
		return usageErr
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	pg, err := dbconn.PostgresWith(ctx, cfg.PostgresURL, interactive(cfg))
	if err != nil {
		return err
	}
	defer pg.Close()
	tokens := ingest.Tokens{PG: pg, Now: time.Now}
	cli := auth.Actor{Email: "command line (mari ingest-token)"}
	switch args[0] {
	case "create":
		fs := flag.NewFlagSet("ingest-token create", flag.ContinueOnError)
		name := fs.String("name", "", "what will send events with it, e.g. mobile-backend (required)")
		replace := fs.Bool("replace", false, "revoke the live token with this name, if any, and make its successor")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		create := tokens.Create
		if *replace {
			create = tokens.Replace
		}
		token, err := create(ctx, *name, cli)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "Ingestion token %q created. It is shown once; store it as a secret:\n", *name)
		fmt.Println(token)
		return nil
	case "list":
		list, err := queries.IngestTokenList(ctx, pg)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tNAME\tCREATED\tLAST USED\tEVENTS\tSTATE")
		for _, t := range list {
			used, state := "never", "live"
			if t.LastUsedAt != nil {
				used = t.LastUsedAt.Format(time.RFC3339)
			}
			if t.RevokedAt != nil {
				state = "revoked " + t.RevokedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%d\t%s\n", t.ID, t.Name, t.CreatedAt.Format(time.RFC3339), used, t.EventsAccepted, state)
		}
		return w.Flush()
	case "revoke":
		fs := flag.NewFlagSet("ingest-token revoke", flag.ContinueOnError)
		id := fs.String("id", "", "the token's id, from mari ingest-token list (required)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		n, err := strconv.ParseInt(*id, 10, 64)
		if err != nil || n <= 0 {
			return errors.New("-id: a token id from mari ingest-token list")
		}
		if err := tokens.Revoke(ctx, n, cli); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "Token %d revoked.\n", n)
		return nil
	default:
		return usageErr
	}
}

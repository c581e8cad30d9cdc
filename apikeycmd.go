package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"mari/apikeys"
	"mari/auth"
	"mari/calendar"
	"mari/config"
	"mari/dbconn"
)

// apiKeyCmd is `mari api-key create|list|revoke`: the keys of the JSON API (/api/v1), from the
// command line (admins also have the API keys page). create prints the key alone on stdout, as
// the last line of its output, so a script can take it with `| tail -n 1` or `$(…)`; everything
// else goes to stderr before it.
func apiKeyCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usageErr := errors.New("usage: mari api-key create -name NAME -scopes metrics:read,users:read [-bank CODE] [-expires YYYY-MM-DD] [-rate N]\n" +
		"       mari api-key list\n" +
		"       mari api-key revoke -id ID")
	if len(args) == 0 {
		return usageErr
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	// Flags are read before the database is opened: a mistyped command says so at once.
	var run func(apikeys.Store) error
	cli := auth.Actor{Email: "command line (mari api-key)"}
	switch args[0] {
	case "create":
		fs := flag.NewFlagSet("api-key create", flag.ContinueOnError)
		fs.SetOutput(stderr)
		name := fs.String("name", "", "who or what will use the key, e.g. treasury-reporting (required)")
		scopes := fs.String("scopes", "", "what it may read, comma-separated: "+scopeNames()+" (required)")
		bank := fs.String("bank", "", "a bank partnership's code: the key sees only that bank's figures (default: every bank)")
		expires := fs.String("expires", "", "YYYY-MM-DD: the key stops working when that day starts, 00:00 SAST (default: never)")
		rate := fs.Int("rate", 0, "requests per minute (default: MARI_API_RATE_LIMIT, "+strconv.Itoa(cfg.APIRatePerMinute)+")")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return fmt.Errorf("unexpected argument %q\n%v", fs.Arg(0), usageErr)
		}
		nk := apikeys.NewKey{Name: *name, Bank: *bank, RatePerMinute: *rate}
		if nk.Scopes, err = apikeys.ParseScopes(*scopes); err != nil {
			return fmt.Errorf("-scopes: %w", err)
		}
		if *expires != "" {
			at, err := apikeys.ParseExpiryDate(*expires)
			if err != nil {
				return err
			}
			nk.ExpiresAt = &at
		}
		if *rate < 0 || (*rate == 0 && isSet(fs, "rate")) {
			return fmt.Errorf("-rate: requests per minute, a whole number from 1 to %d", apikeys.MaxRatePerMinute)
		}
		run = func(keys apikeys.Store) error {
			secret, k, err := keys.Create(ctx, nk, cli)
			if err != nil {
				return err
			}
			fmt.Fprintf(stderr, "API key %q created (id %d): %s.\nIt is shown once; store it as a secret of the system that calls the API:\n",
				k.Name, k.ID, describeKey(k))
			_, err = fmt.Fprintln(stdout, secret)
			return err
		}
	case "list":
		if len(args) > 1 {
			return fmt.Errorf("unexpected argument %q\n%v", args[1], usageErr)
		}
		run = func(keys apikeys.Store) error { return listKeys(ctx, keys, stdout) }
	case "revoke":
		fs := flag.NewFlagSet("api-key revoke", flag.ContinueOnError)
		fs.SetOutput(stderr)
		id := fs.String("id", "", "the key's id, from mari api-key list (required)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		n, err := strconv.ParseInt(*id, 10, 64)
		if err != nil || n <= 0 || fs.NArg() > 0 {
			return errors.New("-id: a key id from mari api-key list")
		}
		run = func(keys apikeys.Store) error {
			if err := keys.Revoke(ctx, n, cli); err != nil {
				return err
			}
			fmt.Fprintf(stderr, "API key %d revoked: its next request is refused.\n", n)
			return nil
		}
	default:
		return usageErr
	}
	pg, err := dbconn.PostgresWith(ctx, cfg.PostgresURL, interactive(cfg))
	if err != nil {
		return err
	}
	defer pg.Close()
	return run(apikeys.Store{PG: pg, Now: time.Now, DefaultRate: cfg.APIRatePerMinute})
}

// isSet says whether the flag name was given on the command line.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func scopeNames() string {
	names := make([]string, len(apikeys.Scopes))
	for i, s := range apikeys.Scopes {
		names[i] = string(s)
	}
	return strings.Join(names, ",")
}

// describeKey is a key's settings in a line: scopes, bank, expiry, rate.
func describeKey(k apikeys.Key) string {
	scopes := make([]string, len(k.Scopes))
	for i, s := range k.Scopes {
		scopes[i] = string(s)
	}
	bank, expires := "every bank", "never expires"
	if k.Bank != "" {
		bank = "bank " + k.Bank + " only"
	}
	if k.ExpiresAt != nil {
		expires = "expires " + cliTime(*k.ExpiresAt)
	}
	return fmt.Sprintf("%s; %s; %s; %d requests a minute", strings.Join(scopes, ","), bank, expires, k.RatePerMinute)
}

func cliTime(t time.Time) string { return t.In(calendar.SAST).Format("2006-01-02 15:04") }

// listKeys prints every key, newest first, with its state now.
func listKeys(ctx context.Context, keys apikeys.Store, stdout io.Writer) error {
	list, err := keys.List(ctx)
	if err != nil {
		return err
	}
	now := keys.Now()
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tSCOPES\tBANK\tEXPIRES (SAST)\tRATE/MIN\tCREATED (SAST)\tBY\tUSES\tREFUSED\tLAST USED (SAST)\tSTATE")
	for _, k := range list {
		scopes := make([]string, len(k.Scopes))
		for i, s := range k.Scopes {
			scopes[i] = string(s)
		}
		bank, expires, used, state := "all", "never", "never", "live"
		if k.Bank != "" {
			bank = k.Bank
		}
		if k.ExpiresAt != nil {
			expires = cliTime(*k.ExpiresAt)
		}
		if k.LastUsedAt != nil {
			used = cliTime(*k.LastUsedAt)
		}
		switch {
		case k.RevokedAt != nil:
			state = "revoked " + cliTime(*k.RevokedAt)
		case !k.Live(now):
			state = "expired"
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%d\t%d\t%s\t%s\n", k.ID, k.Name, strings.Join(scopes, ","), bank, expires,
			k.RatePerMinute, cliTime(k.CreatedAt), k.CreatedBy, k.Uses, k.Refused, used, state)
	}
	return w.Flush()
}

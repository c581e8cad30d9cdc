package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"mari/apikeys"
	"mari/calendar"
	"mari/queries"
	"mari/views"
)

// apiScopeMeanings are what the create form says each scope opens.
var apiScopeMeanings = map[apikeys.Scope]string{
	apikeys.MetricsRead:      "the dashboards' figures: KPIs, daily and monthly metrics",
	apikeys.UsersRead:        "user profiles (not for a key restricted to one bank)",
	apikeys.BanksRead:        "bank partnerships and their figures",
	apikeys.TransactionsRead: "payments",
}

// APIKeysAdmin serves /admin/api-keys: the keys of the JSON API, made, listed, expired and
// revoked by admins.
type APIKeysAdmin struct {
	db   queries.DB
	keys apikeys.Store
	now  func() time.Time
	log  *slog.Logger
}

// NewAPIKeysAdmin returns the handler. defaultRate is a new key's requests per minute when the
// form names none (MARI_API_RATE_LIMIT; 0 = apikeys.DefaultRatePerMinute).
func NewAPIKeysAdmin(db queries.DB, defaultRate int, now func() time.Time, log *slog.Logger) *APIKeysAdmin {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &APIKeysAdmin{db: db, keys: apikeys.Store{PG: db, Now: now, DefaultRate: defaultRate}, now: now, log: log}
}

var apiKeysDone = map[string]string{
	"revoked": "The key was revoked: its next request is refused.",
	"expiry":  "The key's expiry was set.",
}

// Page shows the keys and the create form.
func (h *APIKeysAdmin) Page(c echo.Context) error {
	return h.page(c, http.StatusOK, views.APIKeysPage{Notice: apiKeysDone[c.QueryParam("done")]})
}

func (h *APIKeysAdmin) page(c echo.Context, status int, v views.APIKeysPage) error {
	ctx := c.Request().Context()
	now := h.now()
	for _, s := range apikeys.Scopes {
		v.Scopes = append(v.Scopes, views.APIScopeOption{Value: string(s), Meaning: apiScopeMeanings[s]})
	}
	if v.Form.Scopes == nil {
		v.Form.Scopes = map[string]bool{string(apikeys.MetricsRead): true}
	}
	v.DefaultRate = h.keys.DefaultRate
	if v.DefaultRate == 0 {
		v.DefaultRate = apikeys.DefaultRatePerMinute
	}
	v.MaxRate = apikeys.MaxRatePerMinute
	today := calendar.Today(now)
	v.FirstExpiry, v.LastExpiry = today.AddDays(1).String(), calendar.DateOf(now.AddDate(apikeys.MaxYearsAhead, 0, 0)).String()
	banks, err := queries.IngestBankCodes(ctx, h.db)
	if err != nil {
		return err
	}
	slices.Sort(banks)
	v.Banks = banks
	keys, err := h.keys.List(ctx)
	if err != nil {
		return err
	}
	for _, k := range keys {
		v.Keys = append(v.Keys, apiKeyRow(k, now))
	}
	return render(c, status, views.APIKeys(v))
}

// apiKeyRow is how the list shows a key: times in SAST, its state at now.
func apiKeyRow(k apikeys.Key, now time.Time) views.APIKeyRow {
	scopes := make([]string, len(k.Scopes))
	for i, s := range k.Scopes {
		scopes[i] = string(s)
	}
	row := views.APIKeyRow{ID: k.ID, Name: k.Name, Scopes: scopes, Bank: k.Bank, Expires: "never",
		Rate: views.Count(k.RatePerMinute) + "/min", CreatedAt: sastTime(k.CreatedAt), CreatedBy: k.CreatedBy,
		Uses: views.Count(k.Uses), Refused: views.Count(k.Refused), LastUsed: "never", State: "live"}
	if row.Bank == "" {
		row.Bank = "all banks"
	}
	if k.ExpiresAt != nil {
		row.Expires = sastTime(*k.ExpiresAt)
		row.ExpiryDate = calendar.DateOf(*k.ExpiresAt).String()
	}
	if k.LastUsedAt != nil {
		row.LastUsed = sastTime(*k.LastUsedAt)
	}
	switch {
	case k.RevokedAt != nil:
		row.State, row.Revoked = "revoked", sastTime(*k.RevokedAt)
	case !k.Live(now):
		row.State = "expired"
	}
	return row
}

// readAPIKeyForm is the create form as typed.
func readAPIKeyForm(c echo.Context) (views.APIKeyForm, error) {
	params, err := c.FormParams()
	if err != nil {
		return views.APIKeyForm{}, err
	}
	f := views.APIKeyForm{Name: params.Get("name"), Bank: strings.TrimSpace(params.Get("bank")),
		Expires: strings.TrimSpace(params.Get("expires")), Rate: strings.TrimSpace(params.Get("rate")), Scopes: map[string]bool{}}
	for _, s := range params["scope"] {
		f.Scopes[s] = true
	}
	return f, nil
}

// newKeyFrom reads the form's fields into what apikeys.Store.Create takes; the store checks
// the rules of a key. A field that does not read (a date or a number) is an InputError here.
func newKeyFrom(f views.APIKeyForm) (apikeys.NewKey, error) {
	nk := apikeys.NewKey{Name: f.Name, Bank: f.Bank}
	for _, s := range apikeys.Scopes {
		if f.Scopes[string(s)] {
			nk.Scopes = append(nk.Scopes, s)
		}
	}
	for s := range f.Scopes { // a value not offered by the form: the store names the valid ones
		if !slices.Contains(apikeys.Scopes, apikeys.Scope(s)) {
			nk.Scopes = append(nk.Scopes, apikeys.Scope(s))
		}
	}
	if f.Expires != "" {
		at, err := apikeys.ParseExpiryDate(f.Expires)
		if err != nil {
			return nk, err
		}
		nk.ExpiresAt = &at
	}
	if f.Rate != "" {
		n, err := strconv.Atoi(f.Rate)
		if err != nil || n < 1 || n > apikeys.MaxRatePerMinute {
			return nk, apikeys.InputError{Msg: "the rate limit is requests per minute, a whole number from 1 to " +
				strconv.Itoa(apikeys.MaxRatePerMinute) + "; leave it empty for the default"}
		}
		nk.RatePerMinute = n
	}
	return nk, nil
}

// Create makes a key and shows it, once.
func (h *APIKeysAdmin) Create(c echo.Context) error {
	by, err := changeActor(c)
	if err != nil {
		return err
	}
	f, err := readAPIKeyForm(c)
	if err != nil {
		return h.page(c, http.StatusBadRequest, views.APIKeysPage{Error: "The form could not be read; please try again."})
	}
	nk, err := newKeyFrom(f)
	var secret string
	var k apikeys.Key
	if err == nil {
		secret, k, err = h.keys.Create(c.Request().Context(), nk, by)
	}
	if input := (apikeys.InputError{}); errors.As(err, &input) {
		return h.page(c, http.StatusBadRequest, views.APIKeysPage{Error: sentence(input.Msg) + " Nothing was saved.", Form: f})
	}
	if err != nil {
		return err
	}
	return h.page(c, http.StatusOK, views.APIKeysPage{Notice: "API key created.", NewKey: secret, NewKeyFor: k.Name})
}

// keyID reads the :id of a key's route; ok is false for anything that cannot be one.
func keyID(c echo.Context) (int64, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	return id, err == nil && id > 0
}

// Revoke revokes a key.
func (h *APIKeysAdmin) Revoke(c echo.Context) error {
	by, err := changeActor(c)
	if err != nil {
		return err
	}
	id, ok := keyID(c)
	if ok {
		err = h.keys.Revoke(c.Request().Context(), id, by)
	}
	if !ok || errors.Is(err, apikeys.ErrNoSuchKey) {
		return h.page(c, http.StatusNotFound, views.APIKeysPage{Error: sentence(apikeys.ErrNoSuchKey.Error())})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/api-keys?done=revoked")
}

// Expire sets a key's expiry from the form's date; today or an earlier date expires it now.
func (h *APIKeysAdmin) Expire(c echo.Context) error {
	by, err := changeActor(c)
	if err != nil {
		return err
	}
	id, ok := keyID(c)
	if !ok {
		return h.page(c, http.StatusNotFound, views.APIKeysPage{Error: sentence(apikeys.ErrNoSuchKey.Error())})
	}
	date := strings.TrimSpace(c.FormValue("expires"))
	if date == "" {
		return h.page(c, http.StatusBadRequest, views.APIKeysPage{Error: "Choose the date the key stops working; nothing was changed."})
	}
	at, err := apikeys.ParseExpiryDate(date)
	if err == nil {
		err = h.keys.Expire(c.Request().Context(), id, at, by)
	}
	if input := (apikeys.InputError{}); errors.As(err, &input) {
		return h.page(c, http.StatusBadRequest, views.APIKeysPage{Error: sentence(input.Msg) + " Nothing was changed."})
	}
	if errors.Is(err, apikeys.ErrNoSuchKey) {
		return h.page(c, http.StatusNotFound, views.APIKeysPage{Error: sentence(err.Error())})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/api-keys?done=expiry#api-key-"+strconv.FormatInt(id, 10))
}

// sentence starts msg with a capital and ends it with a full stop: the store's messages are
// lower-case clauses, the page shows sentences.
func sentence(msg string) string {
	if msg == "" {
		return msg
	}
	msg = strings.ToUpper(msg[:1]) + msg[1:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

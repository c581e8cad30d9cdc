package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"mari/auth"
	"mari/calendar"
	"mari/queries"
	"mari/views"
)

// AccountService manages staff accounts (auth.Service).
type AccountService interface {
	List(ctx context.Context) ([]queries.StaffAccount, error)
	Create(ctx context.Context, by auth.Actor, email, name string, role auth.Role) (auth.Account, string, error)
	SetRole(ctx context.Context, by auth.Actor, id int64, role auth.Role) error
	SetDisabled(ctx context.Context, by auth.Actor, id int64, disabled bool) error
	ResetPassword(ctx context.Context, by auth.Actor, id int64) (string, error)
}

// Accounts serves /admin/accounts: the list, and every change an admin makes to accounts.
type Accounts struct {
	svc AccountService
	log *slog.Logger
}

// NewAccounts returns the handler.
func NewAccounts(svc AccountService, log *slog.Logger) *Accounts {
	return &Accounts{svc: svc, log: log}
}

// doneMessages are the notices shown after a change that redirects back to the list.
var doneMessages = map[string]string{
	"role":     "The role was changed. It applies from the account's next request.",
	"disabled": "The account was disabled and is signed out from its next request.",
	"enabled":  "The account was enabled.",
}

// List shows every account.
func (h *Accounts) List(c echo.Context) error {
	return h.page(c, http.StatusOK, views.AccountsPage{Notice: doneMessages[c.QueryParam("done")]})
}

func (h *Accounts) page(c echo.Context, status int, v views.AccountsPage) error {
	rows, err := h.svc.List(c.Request().Context())
	if err != nil {
		return err
	}
	me, _ := auth.Current(c)
	for _, r := range rows {
		row := views.AccountRow{ID: r.ID, Email: r.Email, Name: r.DisplayName, Role: r.Role, Disabled: r.Disabled,
			MustChange: r.MustChangePassword, Self: r.ID == me.ID, LastSignIn: "never"}
		if r.LastSignInAt != nil {
			row.LastSignIn = r.LastSignInAt.In(calendar.SAST).Format("2006-01-02 15:04")
		}
		v.Accounts = append(v.Accounts, row)
	}
	return render(c, status, views.Accounts(v))
}

func actor(c echo.Context) auth.Actor {
	me, _ := auth.Current(c)
	return auth.ActorOf(me, c.RealIP())
}

// userError turns the errors people can fix into a status and message; ok is false for
// everything else (internal errors).
func userError(err error) (int, string, bool) {
	var input auth.InputError
	switch {
	case errors.As(err, &input):
		return http.StatusBadRequest, input.Msg, true
	case errors.Is(err, auth.ErrEmailTaken):
		return http.StatusConflict, err.Error(), true
	case errors.Is(err, auth.ErrNoAccount):
		return http.StatusNotFound, err.Error(), true
	case errors.Is(err, auth.ErrOwnAccount):
		return http.StatusForbidden, err.Error(), true
	}
	return 0, "", false
}

func (h *Accounts) fail(c echo.Context, err error, v views.AccountsPage) error {
	status, msg, ok := userError(err)
	if !ok {
		return err
	}
	v.Error = msg
	return h.page(c, status, v)
}

// Create makes an account and shows its one-time password, once.
func (h *Accounts) Create(c echo.Context) error {
	v := views.AccountsPage{NewEmail: c.FormValue("email"), NewName: c.FormValue("name"), NewRole: c.FormValue("role")}
	if len(v.NewEmail) > auth.MaxEmailLen {
		v.NewEmail = ""
	}
	role, err := auth.ParseRole(v.NewRole)
	if err != nil {
		return h.fail(c, err, v)
	}
	a, pw, err := h.svc.Create(c.Request().Context(), actor(c), v.NewEmail, v.NewName, role)
	if err != nil {
		return h.fail(c, err, v)
	}
	return h.page(c, http.StatusOK, views.AccountsPage{
		Notice:          "Account created for " + a.Email + " (" + string(a.Role) + ").",
		OneTimePassword: pw, OneTimeFor: a.Email,
	})
}

// accountID reads :id; a malformed one is an account that does not exist.
func accountID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, auth.ErrNoAccount
	}
	return id, nil
}

// SetRole changes an account's role.
func (h *Accounts) SetRole(c echo.Context) error {
	id, err := accountID(c)
	if err == nil {
		var role auth.Role
		if role, err = auth.ParseRole(c.FormValue("role")); err == nil {
			err = h.svc.SetRole(c.Request().Context(), actor(c), id, role)
		}
	}
	if err != nil {
		return h.fail(c, err, views.AccountsPage{})
	}
	return c.Redirect(http.StatusSeeOther, "/admin/accounts?done=role")
}

// Disable disables an account.
func (h *Accounts) Disable(c echo.Context) error { return h.setDisabled(c, true) }

// Enable re-enables an account.
func (h *Accounts) Enable(c echo.Context) error { return h.setDisabled(c, false) }

func (h *Accounts) setDisabled(c echo.Context, disabled bool) error {
	id, err := accountID(c)
	if err == nil {
		err = h.svc.SetDisabled(c.Request().Context(), actor(c), id, disabled)
	}
	if err != nil {
		return h.fail(c, err, views.AccountsPage{})
	}
	done := "enabled"
	if disabled {
		done = "disabled"
	}
	return c.Redirect(http.StatusSeeOther, "/admin/accounts?done="+done)
}

// ResetPassword gives an account a new one-time password and shows it, once.
func (h *Accounts) ResetPassword(c echo.Context) error {
	id, err := accountID(c)
	var pw string
	if err == nil {
		pw, err = h.svc.ResetPassword(c.Request().Context(), actor(c), id)
	}
	if err != nil {
		return h.fail(c, err, views.AccountsPage{})
	}
	v := views.AccountsPage{OneTimePassword: pw, Notice: "The password was reset; the old one no longer works."}
	rows, err := h.svc.List(c.Request().Context())
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.ID == id {
			v.OneTimeFor = r.Email
		}
	}
	return h.page(c, http.StatusOK, v)
}

// PasswordService changes one's own password (auth.Service).
type PasswordService interface {
	ChangePassword(ctx context.Context, a auth.Account, ip, current, next, confirm string) error
	Load(ctx context.Context, id int64) (auth.Account, bool, error)
}

// Password serves GET and POST /account/password.
type Password struct {
	svc      PasswordService
	sessions Sessions
	keys     SessionKeys
	homes    auth.Homes
	log      *slog.Logger
}

// NewPassword returns the handler. homes is where the page sends each role once it is done.
func NewPassword(svc PasswordService, sessions Sessions, keys SessionKeys, homes auth.Homes, log *slog.Logger) *Password {
	return &Password{svc: svc, sessions: sessions, keys: keys, homes: homes, log: log}
}

// Form shows the change-password form; with a one-time password it says why it is here.
func (h *Password) Form(c echo.Context) error {
	a, _ := auth.Current(c)
	return render(c, http.StatusOK, views.ChangePassword(views.PasswordForm{Forced: a.MustChangePassword}))
}

// Submit changes the password.
func (h *Password) Submit(c echo.Context) error {
	a, _ := auth.Current(c)
	err := h.svc.ChangePassword(c.Request().Context(), a, c.RealIP(),
		c.FormValue("current"), c.FormValue("new"), c.FormValue("confirm"))
	if err != nil {
		status, msg, ok := userError(err)
		if !ok {
			return err
		}
		return render(c, status, views.ChangePassword(views.PasswordForm{Forced: a.MustChangePassword, Error: msg}))
	}
	// The new password ends the account's other sessions (their stamp no longer matches);
	// this one continues under a new token with the new stamp.
	ctx := c.Request().Context()
	now, ok, err := h.svc.Load(ctx, a.ID)
	if err != nil {
		return err
	}
	if ok {
		if err := signInSession(ctx, h.sessions, h.keys, now); err != nil {
			return err
		}
	}
	return render(c, http.StatusOK, views.ChangePassword(views.PasswordForm{Done: true, Home: h.homes.For(a.Role)}))
}

// Package auth holds staff accounts, roles, sign-in and the rules of who may see what.
package auth

import "github.com/labstack/echo/v4"

// Role is a staff account's role.
type Role string

const (
	RoleAdmin        Role = "admin"        // everything, plus accounts and the audit log
	RoleExecutive    Role = "executive"    // every dashboard, reports, links, scenarios
	RoleOps          Role = "ops"          // the operations dashboard and incidents
	RolePartnerships Role = "partnerships" // the bank pages
)

// Roles lists every role, in the order forms show them.
var Roles = []Role{RoleAdmin, RoleExecutive, RoleOps, RolePartnerships}

// Account is the signed-in staff member of a request.
type Account struct {
	ID    int64
	Email string
	Name  string
	Role  Role
}

const currentKey = "mari.account"

// Current returns the signed-in account of the request, if any.
func Current(c echo.Context) (Account, bool) {
	a, ok := c.Get(currentKey).(Account)
	return a, ok
}

// SetCurrent attaches the signed-in account to the request (the session middleware does it).
func SetCurrent(c echo.Context, a Account) { c.Set(currentKey, a) }

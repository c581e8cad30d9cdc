package main

import (
	"context"
	"errors"
)

// benchCmd measures dashboard server time; see bench/.
func benchCmd(ctx context.Context, args []string) error {
	return errors.New("not implemented yet")
}

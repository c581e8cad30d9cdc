// Package deploy holds the checks of what runs Mari BI outside `go run`: docker-compose.yml
// loaded with compose-go and inspected (least privilege, limits, health checks, required
// secrets), the PostgreSQL init script run for real against a throwaway role and database,
// the container's readiness probe, and scripts/dbctl.sh started from a private checkout. The
// files it checks live beside it (deploy/postgres, deploy/readyz.sh) and at the repository's
// top (docker-compose.yml, Dockerfile, scripts/dbctl.sh); it has no code of its own.
package deploy

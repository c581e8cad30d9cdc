# Mari BI for deployment (docker-compose.yml). Build: docker build -t mari-bi .
# Stage 1 builds a static binary; stage 2 is a small Debian with a non-root user.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Generated templ files are committed, so the build needs no generator. Static assets,
# SQL files and migrations are embedded in the binary.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/mari .

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin mari
COPY --from=build /out/mari /usr/local/bin/mari
COPY --chmod=0755 scripts/docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
COPY --chmod=0755 deploy/readyz.sh /usr/local/bin/mari-readyz
USER mari
ENV MARI_LISTEN_ADDR=:8080
EXPOSE 8080
# Healthy means ready: GET /readyz answers 200 only while PostgreSQL and ClickHouse can be
# reached (/healthz would stay 200 through an outage). The image needs no writable path, so
# it runs with a read-only root file system (docker-compose.yml).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["/usr/local/bin/mari-readyz"]
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]

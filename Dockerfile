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
COPY scripts/docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
USER mari
ENV MARI_LISTEN_ADDR=:8080
EXPOSE 8080
# bash's /dev/tcp: a health check with no curl or wget in the image.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${MARI_LISTEN_ADDR##*:} && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && head -1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]

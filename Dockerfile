# Hexashop service image: a static binary (CGO_ENABLED=0) in an empty image, run as a
# non-root user. Where a registry is reachable, `docker build .` is all it takes.
# Offline (this project's CI), the base images are given as build arguments and the Go
# toolchain and module cache are mounted from the host; see .ci/container-smoke.sh.
ARG BUILDER_IMAGE=golang:1.27.3-bookworm
ARG RUNTIME_IMAGE=scratch

FROM ${BUILDER_IMAGE} AS build
ENV CGO_ENABLED=0 GOFLAGS=-mod=readonly GOTOOLCHAIN=local GOCACHE=/tmp/gocache \
    PATH=/usr/local/go/bin:/go/bin:$PATH
WORKDIR /src
COPY . .
RUN go build -trimpath -ldflags="-s -w" -o /out/hexashop ./cmd/hexashop \
 && mkdir -p /out/etc/ssl/certs \
 && { cp /etc/ssl/certs/ca-certificates.crt /out/etc/ssl/certs/ 2>/dev/null || true; }

FROM ${RUNTIME_IMAGE}
# CA certificates (when the builder had them) for SMTP STARTTLS and an https OTLP endpoint.
COPY --from=build /out/etc/ssl /etc/ssl
COPY --from=build /out/hexashop /hexashop
USER 65532:65532
ENV HTTP_ADDR=:8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s CMD ["/hexashop", "healthcheck"]
ENTRYPOINT ["/hexashop"]
CMD ["serve"]

# Coffee API image: a release build on Debian 12, then a small runtime with psql/pg_dump.
# Needs no BuildKit (no RUN --mount, no COPY --chmod): Docker 20.10's classic builder builds it.

FROM debian:bookworm-slim AS build
# The apt layer comes first so that it is reused across source changes.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      g++ cmake ninja-build pkg-config dpkg-dev file curl ca-certificates \
      libboost-json1.81-dev libboost-url1.81-dev libpq-dev libsqlite3-dev libsodium-dev \
      libhowardhinnant-date-dev libspdlog-dev libcli11-dev prometheus-cpp-dev libsystemd-dev \
      libjemalloc-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt CMakePresets.json ./
COPY cmake cmake
COPY migrations migrations
COPY docs/openapi.json docs/openapi.json
COPY web web
# swagger-ui-dist for /swagger-ui/, from the npm registry as web/swagger-ui/package-lock.json
# pins it (version and sha512), without installing npm in the image.
# A mirror can be given with --build-arg NPM_REGISTRY=URL.
# A proxy's CA: deploy/docker/ca-certificates/*.crt (build stage only).
ARG NPM_REGISTRY=https://registry.npmjs.org
COPY deploy/docker/ca-certificates/ /usr/local/share/ca-certificates/
COPY deploy/docker/fetch-swagger-ui deploy/docker/fetch-swagger-ui
RUN update-ca-certificates >/dev/null \
 && NPM_REGISTRY=$NPM_REGISTRY sh deploy/docker/fetch-swagger-ui web/swagger-ui/package-lock.json /src/third_party
COPY src src
# Only the server binary, with the release preset (Release: -O3 -DNDEBUG; warnings as errors;
# Ninja, 2 jobs).
RUN cmake --preset release -DCOFFEE_SWAGGER_UI_DIST=/src/third_party/package >/dev/null \
 && cmake --build --preset release --target coffee-api
# The .deb (binary, systemd unit, env file, docs) from the same build; the deployment test
# takes it from this stage.
COPY README.md ./
COPY docs/CONFIGURATION.md docs/DEPLOYMENT.md docs/
COPY deploy deploy
RUN cd build/release && cpack -G DEB >/dev/null && ls coffee-api_*.deb

FROM debian:bookworm-slim
# Runtime libraries of the binary, psql/pg_dump for the deployment guide's commands, curl for
# the health check.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpq5 libsqlite3-0 libsodium23 libspdlog1.10 libfmt9 libboost-json1.81.0 \
      libboost-url1.81.0 libboost-container1.81.0 libdate-tz3 libprometheus-cpp-core1.0 libsystemd0 \
      libjemalloc2 \
      postgresql-client tzdata ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 coffee \
 && useradd --system --uid 10001 --gid coffee --home-dir /var/lib/coffee-api \
      --shell /usr/sbin/nologin coffee \
 && install -d -o coffee -g coffee -m 0750 /var/lib/coffee-api
COPY deploy/docker/sqlx /usr/local/bin/sqlx
COPY --from=build /src/build/release/src/coffee-api /usr/local/bin/coffee-api
RUN chmod 0755 /usr/local/bin/sqlx /usr/local/bin/coffee-api && coffee-api --help >/dev/null
USER coffee:coffee
WORKDIR /var/lib/coffee-api
ENV APP_ENV=production HOST=0.0.0.0 PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${PORT}/readyz" >/dev/null || exit 1
ENTRYPOINT ["coffee-api"]
CMD ["serve"]

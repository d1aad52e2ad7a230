# The deployment test's container for the .deb: Debian resolves its runtime dependencies.
FROM debian:bookworm-slim
COPY coffee-api_*.deb /tmp/
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends /tmp/coffee-api_*.deb \
 && rm -rf /var/lib/apt/lists/* /tmp/coffee-api_*.deb

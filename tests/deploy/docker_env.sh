# shellcheck shell=bash disable=SC2154  # $work and $cache come from compose_guide.sh
# A private Docker engine for the deployment test (sourced by compose_guide.sh).
#
# No registry is reachable and traffic may only go to loopback, so: dockerd runs with no
# bridge, no iptables and its own socket; every container and build uses the host network;
# debian:bookworm-slim is made here with debootstrap from the Debian archive. The base tarball
# and the engine's data root (with its build cache) are kept in $cache between runs.
#
# Needs: $cache (cache directory), $work (scratch directory), fail() and note().

docker() { /usr/bin/docker "$@"; } # the client of the same release as dockerd (API 1.41)

dockerd_pid=""

# Starts dockerd on $work/docker.sock with its data root in $cache/docker. Returns 1 (with the
# reason in $work/dockerd.log) when the engine cannot run on this machine.
start_dockerd() {
  export DOCKER_HOST="unix://$work/docker.sock"
  mkdir -p "$cache/docker" "$work/exec"
  dockerd --bridge=none --iptables=false --ip-masq=false \
    --data-root "$cache/docker" --exec-root "$work/exec" --host "$DOCKER_HOST" \
    --pidfile "$work/docker.pid" --log-level=warn >"$work/dockerd.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 1 120); do
    if docker version >/dev/null 2>&1; then return 0; fi
    kill -0 "$dockerd_pid" 2>/dev/null || break
    sleep 0.5
  done
  return 1
}

stop_dockerd() {
  [ -n "$dockerd_pid" ] || return 0
  kill -TERM "$dockerd_pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$dockerd_pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -KILL "$dockerd_pid" 2>/dev/null || true
  wait "$dockerd_pid" 2>/dev/null || true
  dockerd_pid=""
  # dockerd leaves its network namespace handle mounted in the exec root.
  findmnt -rn -o TARGET | grep "^$work/" | sort -r | while read -r target; do
    umount -l "$target" 2>/dev/null || true
  done
}

# A previous run that was killed may have left containers, which dockerd restarts by their
# restart policy: remove them, and their volumes, before anything else.
remove_leftovers() {
  local ids
  ids=$(docker ps -aq)
  if [ -n "$ids" ]; then
    note "removing containers left by an earlier run"
    # shellcheck disable=SC2086
    docker rm -f -v $ids >/dev/null
  fi
  docker volume prune -f >/dev/null
}

# The files Debian's official slim image adds to a minbase system: faster dpkg in layers,
# no apt caches or translations in layers, no documentation or man pages.
slim_image_config() {
  local root=$1
  rm -f "$root/etc/apt/sources.list"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  echo 'force-unsafe-io' >"$root/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
  cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"
  echo 'Acquire::GzipIndexes "true";' >"$root/etc/apt/apt.conf.d/docker-gzip-indexes"
  echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$root/etc/apt/apt.conf.d/docker-autoremove-suggests"
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  rm -rf "$root/usr/share/man/"* "$root/usr/share/info/"* "$root/var/cache/apt/"*.bin \
    "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
}

# debian:bookworm-slim in the engine: imported from $cache's tarball, which is made once with
# debootstrap (about a minute) and reused by every later run.
ensure_base_image() {
  if docker image inspect debian:bookworm-slim >/dev/null 2>&1; then return 0; fi
  local tarball="$cache/debian-bookworm-minbase-slim-v1.tar"
  if [ ! -s "$tarball" ]; then
    note "debootstrap --variant=minbase bookworm (once; cached in $tarball)"
    local root="$work/rootfs"
    debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian \
      >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; fail "debootstrap failed"; }
    slim_image_config "$root"
    tar --numeric-owner -C "$root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$root"
  fi
  docker import --change 'CMD ["bash"]' "$tarball" debian:bookworm-slim >/dev/null \
    || fail "docker import of $tarball failed"
}

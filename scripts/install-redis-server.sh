#!/usr/bin/env bash
# Unpacks Debian's redis-server (and the two libraries it links) into
# ./.redis for the benchmark's Redis Streams peer. Nothing is installed
# system-wide and no service is started: the benchmark runs this binary on
# loopback itself. A redis-server already on PATH is used as it is.
# Every failure exits with status 0, so the benchmark still runs and
# reports the Redis Streams peer as n/a.
set -uo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
target="$root/.redis"
binary="$target/usr/bin/redis-server"

if command -v redis-server >/dev/null 2>&1; then
  echo "redis-server found on PATH: $(command -v redis-server)"
  exit 0
fi
if [ -x "$binary" ]; then
  echo "redis-server already unpacked in $target"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
packages=(redis-server redis-tools libjemalloc2 liblzf1)

download() {
  (cd "$work" && apt-get download "${packages[@]}" >/dev/null 2>&1)
}

echo "Unpacking Debian's redis-server into $target"
if ! download; then
  # An empty package list is the usual cause; refreshing it needs root.
  if [ "$(id -u)" = 0 ] && apt-get update -qq >/dev/null 2>&1 && download; then
    :
  else
    echo "warning: could not download redis-server with apt-get;" \
      "the benchmark reports the Redis Streams peer as n/a." >&2
    exit 0
  fi
fi

warn_unusable() {
  echo "warning: the unpacked redis-server does not run;" \
    "the benchmark reports the Redis Streams peer as n/a." >&2
  rm -rf "$target"
  exit 0
}

mkdir -p "$target" || warn_unusable
for package in "$work"/*.deb; do
  dpkg-deb -x "$package" "$target" || warn_unusable
done
libraries="$(dirname "$(find "$target" -name 'libjemalloc.so*' | head -n 1)")"
LD_LIBRARY_PATH="$libraries" "$binary" --version || warn_unusable

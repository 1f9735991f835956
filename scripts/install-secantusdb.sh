#!/usr/bin/env bash
# Installs the pinned SecantusDB release into ./.venv so that tests and the
# demo can start its MongoDB-compatible server (secantusd-rs) on loopback.
# Only the server binary is needed, so its Python dependencies are skipped.
set -euo pipefail

SECANTUSDB_VERSION="0.6.0b17"
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv"

python="${PYTHON:-}"
if [ -z "$python" ]; then
  # The 0.6 wheels are built for CPython 3.11 only.
  python="$(command -v python3.11 || command -v python3)"
fi

installed="$("$venv/bin/python" -m pip show secantusdb 2>/dev/null \
  | sed -n 's/^Version: //p' || true)"
if [ "$installed" = "$SECANTUSDB_VERSION" ]; then
  echo "secantusdb $SECANTUSDB_VERSION is already installed in $venv"
  exit 0
fi

echo "Installing secantusdb $SECANTUSDB_VERSION into $venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  --no-deps "secantusdb==$SECANTUSDB_VERSION"
"$venv/bin/secantusd-rs" --version

#!/usr/bin/env bash
# fundops developer entry point: `./dev.sh demo` serves the demo portfolio, `./dev.sh test`
# runs the whole test suite (SQLite and PostgreSQL, plus a real headless Chromium).
# Both set up everything a fresh Debian machine needs: Debian packages, a Python venv.
set -euo pipefail
cd "$(dirname "$0")"

VENV=.venv
PY=${PYTHON:-python3}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root to install Debian packages: $*" >&2; return 1; fi
}

debian_packages() {
  # Installs the Debian packages named in "$@" that are missing.
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

python_env() {
  # A venv with fundops installed in editable mode; reinstalled when pyproject.toml changes.
  if ! "$PY" -c 'import venv, ensurepip' 2>/dev/null; then debian_packages python3-venv; fi
  [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
  local stamp="$VENV/.fundops-installed"
  local want
  want=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e '.[test]'
    echo "$want" > "$stamp"
  fi
  # Compiled catalogues (.mo) are build products; the .po sources are in the repository.
  if [ -d fundops/translations ]; then
    "$VENV/bin/pybabel" compile -f -d fundops/translations >/dev/null
  fi
}

case "${1:-}" in
  demo)
    debian_packages fonts-wqy-zenhei  # the Chinese TrueType font embedded in report PDFs
    python_env
    mkdir -p instance
    if [ ! -f instance/fundops.cfg ]; then
      echo "SECRET_KEY = '$("$VENV/bin/python" -c 'import secrets; print(secrets.token_hex(32))')'" \
        > instance/fundops.cfg
    fi
    export FUNDOPS_ENV_NAME=${FUNDOPS_ENV_NAME:-development}
    "$VENV/bin/fundops" init-db
    "$VENV/bin/fundops" load-demo --if-empty
    echo "fundops is starting at http://127.0.0.1:5000 (Ctrl-C stops it)"
    exec "$VENV/bin/fundops" run --host 127.0.0.1 --port 5000
    ;;
  test)
    debian_packages postgresql chromium fonts-wqy-zenhei
    python_env
    shift
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  *)
    echo "usage: ./dev.sh demo | ./dev.sh test [pytest args]" >&2
    exit 2
    ;;
esac

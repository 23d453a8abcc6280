# shellcheck shell=bash
# Shared by scripts/demo and scripts/test (sourced, not run): installs what the project
# needs on a fresh Debian 12 machine, each step only when something is missing or stale.
# Quiet unless a step fails; then its output is shown and the script stops.
#
# The caller sets PROG (its name, for messages) and `set -euo pipefail`.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

die() {
  printf '%s: %s\n' "$PROG" "$*" >&2
  exit 1
}

# quietly LABEL COMMAND...: run COMMAND, showing its output only if it fails.
quietly() {
  local label=$1 log
  shift
  log=$(mktemp)
  if ! "$@" >"$log" 2>&1; then
    printf '%s: %s failed:\n' "$PROG" "$label" >&2
    tail -n 200 "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

_apt_updated=
# apt_install PACKAGE...: Debian packages; `apt-get update` only when installing.
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "install $* (no apt-get on this machine)"
  if [ -z "$_apt_updated" ]; then
    quietly "apt-get update" as_root env DEBIAN_FRONTEND=noninteractive apt-get update
    _apt_updated=1
  fi
  quietly "apt-get install $*" as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "$@"
}

# ensure_debs PACKAGE...: the Debian packages among PACKAGE that are not installed yet.
ensure_debs() {
  local want=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
      want+=("$pkg")
  done
  [ ${#want[@]} -eq 0 ] || apt_install "${want[@]}"
}

# WeasyPrint (the PDFs) draws with the system Pango; Arial resolves to Liberation Sans.
PDF_DEBS=(libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation)

# ensure_python runtime|test: a Python 3.11 virtualenv in .venv with the project's
# packages (and, for `test`, the test tools), reinstalled when pyproject.toml changes.
ensure_python() {
  local mode=$1 python want
  if [ ! -x "$PY" ] || ! "$PY" -c 'import sys; assert sys.version_info[:2] == (3, 11)' \
    >/dev/null 2>&1; then
    python=$(command -v python3.11 || command -v python3 || true)
    if [ -z "$python" ]; then
      apt_install python3 python3-venv
      python=$(command -v python3)
    fi
    "$python" -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null ||
      die "needs Python 3.11 (Django 5.2 LTS); $python is $("$python" --version 2>&1)"
    "$python" -c 'import ensurepip, venv' >/dev/null 2>&1 || apt_install python3-venv
    quietly "creating the virtualenv in .venv" "$python" -m venv --clear "$VENV"
  fi
  want=$(sha256sum <"$ROOT/pyproject.toml" | cut -d' ' -f1)
  # The test install includes the runtime one.
  if [ "$(cat "$VENV/.installed-test" 2>/dev/null)" = "$want" ]; then
    return
  fi
  if [ "$mode" = runtime ] && [ "$(cat "$VENV/.installed-runtime" 2>/dev/null)" = "$want" ]; then
    return
  fi
  local spec="$ROOT"
  [ "$mode" = test ] && spec="${ROOT}[test]"
  quietly "pip install" "$PY" -m pip install --disable-pip-version-check --no-input -q -e "$spec"
  printf '%s\n' "$want" >"$VENV/.installed-$mode"
}

# ensure_assets: GOV.UK Frontend from npm (package-lock.json), compiled into static/.
ensure_assets() {
  local want
  if ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm
  fi
  want=$(sha256sum <"$ROOT/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$ROOT/node_modules/.peernet-lock" 2>/dev/null)" != "$want" ]; then
    # No install scripts: nothing we use needs one (sass is plain JavaScript; vnu-jar's
    # would fetch a Java runtime, and the tests use Debian's default-jre-headless).
    quietly "npm ci" npm ci --prefix "$ROOT" --ignore-scripts --no-audit --no-fund \
      --loglevel=error
    printf '%s\n' "$want" >"$ROOT/node_modules/.peernet-lock"
  fi
  quietly "building the assets (npm run build)" npm run --prefix "$ROOT" --silent build
}

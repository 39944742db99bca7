#!/usr/bin/env bash
# Runs the official Python and JavaScript SDKs of the Communication Services Identity API
# against acs-identity-emulator over HTTPS.
#
#   tests/interop/run.sh [EMULATOR_BIN]
#
# EMULATOR_BIN (argument or environment variable) is the emulator binary; default
# target/debug/acs-identity-emulator (relative to the repository root when not found from the
# current directory). PYTHON selects the interpreter for the virtualenv (default python3).
# Needs network access to PyPI and npm only for the first install.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

bin="${1:-${EMULATOR_BIN:-target/debug/acs-identity-emulator}}"
if [[ "$bin" != /* && ! -e "$bin" && -e "$root/$bin" ]]; then
  bin="$root/$bin"
fi
if [[ ! -x "$bin" ]]; then
  echo "run.sh: emulator binary not found or not executable: $bin" >&2
  exit 2
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/acs-interop.XXXXXX")"
emulator_pid=""

cleanup() {
  local status=$?
  if [[ -n "$emulator_pid" ]] && kill -0 "$emulator_pid" 2>/dev/null; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- dependencies ------------------------------------------------------------------------------
venv="$here/python/.venv"
if [[ ! -x "$venv/bin/python" ]]; then
  "${PYTHON:-python3}" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  -r "$here/python/requirements.txt"

(cd "$here/js" && npm ci --no-audit --no-fund --loglevel=error)

# --- the emulator ------------------------------------------------------------------------------
"$bin" --https --cert-out "$tmp/cert.pem" --port 0 >"$tmp/emulator.out" 2>"$tmp/emulator.err" &
emulator_pid=$!

banner_value() { # the value of banner line "$1:", empty when absent
  sed -n "s/^$1:[[:space:]]*//p" "$tmp/emulator.out" | head -n 1 | tr -d '\r'
}

connection_string=""
for _ in $(seq 1 300); do # up to 30 s
  connection_string="$(banner_value 'connection string')"
  [[ -n "$connection_string" ]] && break
  if ! kill -0 "$emulator_pid" 2>/dev/null; then
    echo "run.sh: the emulator exited before printing its connection string" >&2
    cat "$tmp/emulator.out" "$tmp/emulator.err" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ -z "$connection_string" ]]; then
  echo "run.sh: no 'connection string:' line from the emulator within 30 s" >&2
  cat "$tmp/emulator.out" "$tmp/emulator.err" >&2
  exit 1
fi

endpoint="$(banner_value 'endpoint')"
if [[ -z "$endpoint" ]]; then
  endpoint="$(sed -n 's/.*endpoint=\([^;]*\).*/\1/p' <<<"$connection_string")"
fi
cert="$(banner_value 'certificate')"
cert="${cert:-$tmp/cert.pem}"
for _ in $(seq 1 50); do
  [[ -s "$cert" ]] && break
  sleep 0.1
done
if [[ ! -s "$cert" ]]; then
  echo "run.sh: the emulator wrote no certificate at $cert" >&2
  exit 1
fi
case "$endpoint" in
  https://*) ;;
  *) echo "run.sh: expected an https endpoint, got: $endpoint" >&2; exit 1 ;;
esac
echo "emulator (pid $emulator_pid): $endpoint, certificate $cert"

export ACS_EMULATOR_CONNECTION_STRING="$connection_string"
export ACS_EMULATOR_ENDPOINT="$endpoint"
export ACS_EMULATOR_CERT="$cert"
export ACS_INTEROP_REQUIRED=1
export NODE_EXTRA_CA_CERTS="$cert"
# Entra ID by environment variables only, as an app configures the official credential
# libraries: the emulator is the authority host; `adfs` skips instance discovery (a request to
# the public cloud); any client id and secret.
export AZURE_AUTHORITY_HOST="${endpoint%/}"
export AZURE_TENANT_ID=adfs
export AZURE_CLIENT_ID=interop-client
export AZURE_CLIENT_SECRET=interop-secret
# Python's requests (azure-identity, MSAL) and aiohttp trust the emulator's certificate.
export REQUESTS_CA_BUNDLE="$cert"
export SSL_CERT_FILE="$cert"
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
export no_proxy="$NO_PROXY"

# --- the tests (both run; either failing fails the script) -----------------------------------
failed=()

echo "== Python: azure-communication-identity (sync and async clients), azure-identity, msal"
if ! (cd "$here/python" && "$venv/bin/python" -m pytest -p no:cacheprovider -q \
  -W "ignore::DeprecationWarning:msal.application" test_interop.py test_entra.py); then
  failed+=(python)
fi

echo "== JavaScript: @azure/communication-identity, @azure/identity, @azure/msal-node"
if ! (cd "$here/js" && node --test test_interop.mjs test_entra.mjs); then
  failed+=(js)
fi

if ! kill -0 "$emulator_pid" 2>/dev/null; then
  echo "run.sh: the emulator died during the tests" >&2
  cat "$tmp/emulator.err" >&2
  failed+=(emulator)
fi

if ((${#failed[@]})); then
  echo "interop: FAILED (${failed[*]})" >&2
  exit 1
fi
echo "interop: all passed"

#!/usr/bin/env bash
# Creates target/py-bench-venv with the Python SDK (azure-communication-identity, aiohttp for its
# async client) and, given a connection string, runs the Python get_token workload against it.
#
#   benches/python/bench_python.sh                       # set up the venv only
#   benches/python/bench_python.sh "endpoint=http://127.0.0.1:PORT/;accesskey=..." [args...]
#
# `cargo bench --bench throughput` runs the same workload itself when the venv exists.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${CARGO_TARGET_DIR:-$root/target}/py-bench-venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet azure-communication-identity aiohttp
fi
"$venv/bin/python" - <<'PY'
from importlib import metadata
print("venv ready:", ", ".join(f"{p} {metadata.version(p)}" for p in
      ("azure-communication-identity", "azure-core", "requests", "aiohttp")))
PY
if [ $# -ge 1 ]; then
    cs="$1"
    shift
    exec "$venv/bin/python" "$root/benches/python/get_token_bench.py" --connection-string "$cs" "$@"
fi

#!/usr/bin/env bash
# Runs every benchmark of BENCHMARKS.md, in order, and leaves the figures in
# target/bench-results/ (throughput.json, signing.json, build_cost.json, adoption_cost.md).
#
#   benches/run_all.sh            # RUNS=3 REQUESTS=4000 by default
#   RUNS=5 REQUESTS=4000 benches/run_all.sh
#   SKIP_BUILD_COST=1 benches/run_all.sh   (neither build_cost.sh nor adoption_cost.sh)
#
# The machine should be otherwise idle: the client, the emulator and the Python SDK share its
# cores, and the ratios measured in the same run are what to compare across machines.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
runs="${RUNS:-3}"
requests="${REQUESTS:-4000}"
target="${CARGO_TARGET_DIR:-$root/target}"
results="$target/bench-results"
mkdir -p "$results"

echo "== machine"
echo "nproc: $(nproc)"
grep -m1 "model name" /proc/cpuinfo || true
grep MemTotal /proc/meminfo || true
rustc -V
cat /proc/loadavg

echo "== emulator binary (release)"
cargo build --release -p acs-identity-emulator

echo "== Python SDK venv"
if command -v python3 > /dev/null; then
    benches/python/bench_python.sh || echo "could not set up the Python venv: the Python comparison is skipped"
else
    echo "no python3: the Python comparison is skipped"
fi

echo "== throughput (SDK vs bare reqwest, floor, pool, peak RSS, Python)"
cargo bench --bench throughput -- --requests "$requests" --runs "$runs"

echo "== signing (criterion), $runs runs"
for i in $(seq 1 "$runs"); do
    cargo bench --bench signing -- --warm-up-time 1 --measurement-time 3 > "$results/signing-run$i.txt" 2>&1
    for f in "$target"/criterion/sign/*/*/new/estimates.json; do
        id="${f#"$target"/criterion/sign/}"
        id="${id%/new/estimates.json}"
        cp "$f" "$results/signing-run$i-${id//\//-}.json"
    done
    echo "signing run $i done"
done
if command -v python3 > /dev/null; then
    python3 - "$results" "$runs" <<'PY'
import json, statistics, sys
results, runs = sys.argv[1], int(sys.argv[2])
out = {}
for impl in ("acs_identity", "bare_sha2_hmac"):
    for size in ("0", "100", "10240"):
        values = []
        for i in range(1, runs + 1):
            with open(f"{results}/signing-run{i}-{impl}-{size}.json") as f:
                values.append(json.load(f)["median"]["point_estimate"])
        out.setdefault(size, {})[impl] = {"median_ns": statistics.median(values), "runs_ns": values}
for size, v in out.items():
    v["ratio"] = v["acs_identity"]["median_ns"] / v["bare_sha2_hmac"]["median_ns"]
    print(f"sign {size:>5} B: acs_identity {v['acs_identity']['median_ns']:8.0f} ns, "
          f"bare {v['bare_sha2_hmac']['median_ns']:8.0f} ns, ratio {v['ratio']:.2f}")
with open(f"{results}/signing.json", "w") as f:
    json.dump(out, f, indent=2)
PY
fi

if [ -z "${SKIP_BUILD_COST:-}" ]; then
    echo "== build cost"
    benches/build_cost.sh "$runs"
    echo "== adoption cost (an app with the crate against one with bare reqwest)"
    benches/adoption_cost.sh "$runs"
fi
echo "results in $results"
